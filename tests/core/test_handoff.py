"""Hand-off to Mastodon's own scheduler: handed over early, tracked after its time, never early."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from cmdesk.adapters.demo import DemoAdapter
from cmdesk.adapters.mastodon import MastodonAdapter
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.dto import PostInput
from cmdesk.errors import ValidationError
from cmdesk.scheduler import PublishingEngine
from cmdesk.status import PostStatus, TargetState
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

START = datetime.now(UTC).replace(second=0, microsecond=0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


def make_ctx(db_url: str, clock: FakeClock) -> AppContext:
    registry = AdapterRegistry()
    registry.register("mastodon", lambda: MastodonAdapter(clock=clock))
    registry.register("demo", DemoAdapter)
    return build_context(
        db_url, clock=clock, credentials=MemoryCredentialStore(), adapters=registry
    )


@pytest.fixture
def setup(
    db_url: str, clock: FakeClock, request: pytest.FixtureRequest
) -> Iterator[tuple[AppContext, PublishingEngine, FakeMastodon, int, int]]:
    software = getattr(request, "param", "mastodon")
    with FakeMastodon(software=software) as server:
        ctx = make_ctx(db_url, clock)
        wid = ctx.workspaces.create("W", "UTC").subject
        assert wid is not None
        cid = ctx.connections.connect(
            wid, "mastodon", "M", base_url=server.url, credentials={"access_token": DEFAULT_TOKEN}
        ).subject
        assert cid is not None
        engine = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=1)
        yield ctx, engine, server, wid, cid
        engine.stop()
        ctx.close()


def handed_post(ctx: AppContext, wid: int, cid: int, minutes_ahead: int) -> int:
    pid = ctx.plan.create_post(
        wid,
        PostInput(text="Doors open at nine", channel_ids=(cid,)),
        scheduled_at=START + timedelta(minutes=minutes_ahead),
    ).subject
    assert pid is not None
    ctx.plan.set_variant(pid, cid, text=None, options={"hand_off": True})
    ctx.plan.schedule_post(pid)
    return pid


def run(engine: PublishingEngine) -> None:
    engine.dispatch_once()
    assert engine.wait_idle(20)


def test_handed_off_early_then_confirmed_after_its_time(
    setup: tuple[AppContext, PublishingEngine, FakeMastodon, int, int], clock: FakeClock
) -> None:
    ctx, engine, server, wid, cid = setup
    pid = handed_post(ctx, wid, cid, minutes_ahead=30)
    run(engine)  # taken at once, not at its time
    (scheduled,) = server.scheduled
    target = ctx.plan.get_post(pid).targets[0]
    assert target.state == TargetState.QUEUED and target.remote_id == scheduled["id"]
    assert server.statuses == []  # nothing public yet
    with pytest.raises(ValidationError, match="server's own scheduler"):
        ctx.plan.move_post(pid, (START + timedelta(days=1)).date())
    # The laptop may be closed: the server publishes at the time by itself.
    clock.set(START + timedelta(minutes=30))
    server.publish_scheduled()
    run(engine)
    assert ctx.plan.get_post(pid).targets[0].state == TargetState.QUEUED  # looks a minute later
    clock.set(START + timedelta(minutes=32))
    run(engine)
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.PUBLISHED
    assert detail.targets[0].remote_url and len(server.statuses) == 1


def test_too_close_for_a_hand_off_is_published_by_cmdesk_at_its_time(
    setup: tuple[AppContext, PublishingEngine, FakeMastodon, int, int], clock: FakeClock
) -> None:
    ctx, engine, server, wid, cid = setup
    pid = handed_post(ctx, wid, cid, minutes_ahead=3)
    run(engine)
    assert server.scheduled == [] and server.statuses == []  # never early
    clock.set(START + timedelta(minutes=3))
    run(engine)
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED and len(server.statuses) == 1


def test_a_hand_off_that_became_too_close_waits_for_its_time(
    setup: tuple[AppContext, PublishingEngine, FakeMastodon, int, int], clock: FakeClock
) -> None:
    ctx, engine, server, wid, cid = setup
    pid = handed_post(ctx, wid, cid, minutes_ahead=8)
    clock.set(START + timedelta(minutes=4))  # the engine only got to it now (paused, asleep ...)
    run(engine)
    assert server.scheduled == [] and server.statuses == []
    assert ctx.plan.get_post(pid).targets[0].due_at == START + timedelta(minutes=8)
    clock.set(START + timedelta(minutes=8))
    run(engine)
    assert len(server.statuses) == 1


@pytest.mark.parametrize("setup", ["gotosocial"], indirect=True)
def test_a_server_without_scheduling_gets_the_post_from_cmdesk(
    setup: tuple[AppContext, PublishingEngine, FakeMastodon, int, int], clock: FakeClock
) -> None:
    ctx, engine, server, wid, cid = setup
    pid = handed_post(ctx, wid, cid, minutes_ahead=30)
    run(engine)
    target = ctx.plan.get_post(pid).targets[0]
    assert server.scheduled == [] and server.statuses == []
    assert target.state == TargetState.QUEUED and "cmdesk sends it" in target.last_error
    clock.set(START + timedelta(minutes=30))
    run(engine)
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED and len(server.statuses) == 1
