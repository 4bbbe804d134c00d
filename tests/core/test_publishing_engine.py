"""The engine's state for the window, claims ahead of the minute, and the prepared outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest

from cmdesk.adapters.base import NetworkUnavailable
from cmdesk.adapters.demo import DemoAdapter
from cmdesk.adapters.mastodon import MastodonAdapter
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.dto import PostInput
from cmdesk.events import ChangeSet
from cmdesk.scheduler import EngineStatus, PublishingEngine
from cmdesk.status import PostStatus, TargetState
from tests.core.helpers import madrid, workspace
from tests.fakes.adapters import ScriptedAdapter, raising
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

DUE = madrid(date(2026, 3, 20), 12)  # an hour after the fake clock's start


@pytest.fixture
def fake() -> ScriptedAdapter:
    return ScriptedAdapter()


@pytest.fixture
def ctx(db_url: str, clock: FakeClock, fake: ScriptedAdapter) -> Iterator[AppContext]:
    registry = AdapterRegistry()
    registry.register("fake", lambda: fake)
    registry.register("demo", DemoAdapter)
    registry.register("mastodon", MastodonAdapter)
    context = build_context(
        db_url, clock=clock, credentials=MemoryCredentialStore(), adapters=registry
    )
    yield context
    context.close()


@pytest.fixture
def make_engine(ctx: AppContext) -> Iterator[Callable[..., PublishingEngine]]:
    made: list[PublishingEngine] = []

    def make(**kwargs: Any) -> PublishingEngine:
        engine = PublishingEngine(
            ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=2, **kwargs
        )
        made.append(engine)
        return engine

    yield make
    for engine in made:
        engine.stop()


def engine_events(ctx: AppContext) -> list[ChangeSet]:
    seen: list[ChangeSet] = []
    ctx.hub.subscribe(lambda c: seen.append(c) if c.description == "engine" else None)
    return seen


def fake_post(ctx: AppContext, text: str = "Hola") -> int:
    wid = workspace(ctx)
    cid = ctx.channels.add(wid, "fake", "Fake", credentials={"token": "t"}).subject
    assert cid is not None
    pid = ctx.plan.create_post(
        wid,
        PostInput(text=text, channel_ids=(cid,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=DUE,
    ).subject
    assert pid is not None
    return pid


def state_of(ctx: AppContext, pid: int) -> TargetState:
    return ctx.plan.get_post(pid).targets[0].state


def wait_for(check: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


# --- status() ------------------------------------------------------------------------------------


def test_status_before_start_while_running_and_after_stop(
    ctx: AppContext, make_engine: Callable[..., PublishingEngine]
) -> None:
    fake_post(ctx)
    engine = make_engine()
    assert engine.status() == EngineStatus(
        running=False, paused=False, waiting_for_network=False, next_due=None, in_flight=0
    )
    seen = engine_events(ctx)
    engine.start()
    assert engine.status().running and seen  # started: announced
    assert wait_for(lambda: engine.status().next_due == DUE)
    assert wait_for(lambda: len(seen) == 2)  # the next post's time: announced too
    status = engine.status()
    assert not status.paused and not status.waiting_for_network and status.in_flight == 0
    engine.stop()
    assert not engine.status().running
    assert len(seen) == 3 and all(c.ids("engine") == {0} for c in seen)


def test_a_new_earlier_post_moves_next_due(
    ctx: AppContext, make_engine: Callable[..., PublishingEngine]
) -> None:
    pid = fake_post(ctx)
    engine = make_engine()
    engine.start()
    assert wait_for(lambda: engine.status().next_due == DUE)
    seen = engine_events(ctx)
    ctx.plan.reschedule_post(pid, DUE - timedelta(minutes=30))
    assert wait_for(lambda: engine.status().next_due == DUE - timedelta(minutes=30))
    assert wait_for(lambda: len(seen) == 1)


def test_pausing_and_resuming_are_announced_once_each(
    ctx: AppContext, make_engine: Callable[..., PublishingEngine]
) -> None:
    fake_post(ctx)
    engine = make_engine()
    engine.start()
    assert wait_for(lambda: engine.status().next_due == DUE)
    seen = engine_events(ctx)
    ctx.settings.set("publishing_paused", True)
    assert wait_for(lambda: engine.status().paused)
    assert wait_for(lambda: len(seen) == 1)
    assert seen[0].ids("engine") == {0} and not seen[0].ids("post")
    ctx.settings.set("publishing_paused", False)
    assert wait_for(lambda: not engine.status().paused)
    assert wait_for(lambda: len(seen) == 2)
    time.sleep(0.2)
    assert len(seen) == 2  # no announcement without a change


def test_waiting_for_network_is_set_by_an_offline_publish_and_cleared_by_the_next_one(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    fake: ScriptedAdapter,
    clock: FakeClock,
) -> None:
    pid = fake_post(ctx)
    engine = make_engine()
    seen = engine_events(ctx)
    fake.script = [raising(NetworkUnavailable("No network connection."))]
    clock.set(DUE)
    assert engine.dispatch_once() == 1 and engine.wait_idle(10)
    assert engine.status().waiting_for_network and len(seen) == 1
    assert state_of(ctx, pid) == TargetState.QUEUED
    clock.set(DUE + timedelta(minutes=1))  # past the offline recheck
    assert engine.dispatch_once() == 1 and engine.wait_idle(10)
    assert not engine.status().waiting_for_network and len(seen) == 2
    assert state_of(ctx, pid) == TargetState.PUBLISHED


def test_a_restarted_engine_knows_posts_wait_for_the_network(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    fake: ScriptedAdapter,
    clock: FakeClock,
) -> None:
    fake_post(ctx)
    fake.script = [raising(NetworkUnavailable("No network connection."))]
    clock.set(DUE)
    first = make_engine()
    first.dispatch_once()
    assert first.wait_idle(10)
    first.stop()
    second = make_engine()
    second.start()
    assert second.status().waiting_for_network


def test_status_is_safe_from_many_threads(
    ctx: AppContext, make_engine: Callable[..., PublishingEngine]
) -> None:
    engine = make_engine()
    engine.start()
    results: list[EngineStatus] = []
    threads = [threading.Thread(target=lambda: results.append(engine.status())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(results) == 8 and all(r.running for r in results)


# --- claiming ahead of the minute ------------------------------------------------------------------


def test_a_post_is_claimed_ahead_but_sent_only_at_its_time(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    fake: ScriptedAdapter,
    clock: FakeClock,
) -> None:
    pid = fake_post(ctx)
    engine = make_engine(claim_ahead=timedelta(seconds=2))
    clock.set(DUE - timedelta(seconds=5))
    assert engine.dispatch_once() == 0  # not within the window yet
    # A lead of 1.5 s leaves room for a loaded machine between the claim and the checks below.
    clock.set(DUE - timedelta(milliseconds=1500))
    started = time.monotonic()
    assert engine.dispatch_once() == 1
    assert state_of(ctx, pid) == TargetState.PUBLISHING and fake.calls == []
    assert engine.status().in_flight == 1
    assert wait_for(lambda: bool(fake.calls), 5)
    assert time.monotonic() - started >= 1.4  # the worker waited for the post's instant
    assert engine.wait_idle(10)
    assert state_of(ctx, pid) == TargetState.PUBLISHED and fake.texts() == ["Hola"]


def test_stopping_gives_back_what_was_claimed_ahead(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    fake: ScriptedAdapter,
    clock: FakeClock,
) -> None:
    pid = fake_post(ctx)
    engine = make_engine(claim_ahead=timedelta(seconds=30))
    clock.set(DUE - timedelta(seconds=20))
    assert engine.dispatch_once() == 1
    engine.stop()
    detail = ctx.plan.get_post(pid).targets[0]
    assert detail.state == TargetState.QUEUED and fake.calls == []
    assert ctx.publishing.due_target_ids(10, ahead=timedelta(seconds=30)) == [detail.id]


def test_a_pause_reaches_what_was_claimed_ahead(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    fake: ScriptedAdapter,
    clock: FakeClock,
) -> None:
    pid = fake_post(ctx)
    engine = make_engine(claim_ahead=timedelta(seconds=2))
    clock.set(DUE - timedelta(milliseconds=500))
    assert engine.dispatch_once() == 1
    ctx.settings.set("publishing_paused", True)
    engine.dispatch_once()  # reads the setting again at once
    assert engine.wait_idle(10)
    assert state_of(ctx, pid) == TargetState.QUEUED and fake.calls == []


# --- the prepared outbox (Mastodon) ----------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake_server:
        yield fake_server


def mastodon_post(ctx: AppContext, server: FakeMastodon, text: str) -> int:
    wid = workspace(ctx)
    cid = ctx.connections.connect(
        wid, "mastodon", "Masto", base_url=server.url, credentials={"access_token": DEFAULT_TOKEN}
    ).subject
    assert cid is not None
    pid = ctx.plan.create_post(
        wid, PostInput(text=text, channel_ids=(cid,)), status=PostStatus.SCHEDULED, scheduled_at=DUE
    ).subject
    assert pid is not None
    return pid


def progress_of(ctx: AppContext, pid: int) -> dict[str, Any]:
    from cmdesk.models import Target

    with ctx.db.session(write=False) as s:
        target = s.query(Target).filter(Target.post_id == pid).one()
        return dict(target.progress or {})


def test_the_first_checkpoint_is_stored_at_the_claim_not_at_the_minute(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    server: FakeMastodon,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pid = mastodon_post(ctx, server, "Prepared ahead")
    writes: list[int] = []
    original = ctx.publishing.checkpoint_many

    def counting(items: Any) -> list[bool]:
        writes.append(len(items))
        return original(items)

    monkeypatch.setattr(ctx.publishing, "checkpoint_many", counting)
    engine = make_engine(claim_ahead=timedelta(seconds=2))
    clock.set(DUE - timedelta(milliseconds=500))
    assert engine.dispatch_once() == 1
    stored = progress_of(ctx, pid)
    # Stored before anything was sent: "possibly sent", so a crash now resends with the key.
    assert stored["parts"][0]["uncertain"] is True and not server.statuses
    assert engine.wait_idle(10)
    assert state_of(ctx, pid) == TargetState.PUBLISHED
    assert len(server.statuses) == 1
    assert writes == [1]  # that one write only: nothing waited for the database at the minute


def test_a_resume_after_a_crash_past_the_prepared_checkpoint_posts_once(
    ctx: AppContext,
    make_engine: Callable[..., PublishingEngine],
    server: FakeMastodon,
    clock: FakeClock,
) -> None:
    pid = mastodon_post(ctx, server, "Once only")
    first = make_engine(claim_ahead=timedelta(seconds=2))
    clock.set(DUE - timedelta(milliseconds=300))
    assert first.dispatch_once() == 1
    assert first.wait_idle(10) and len(server.statuses) == 1
    # As if the process had died before recording the success: queued again, progress kept.
    from cmdesk.models import Target

    with ctx.db.session() as s:
        target = s.query(Target).filter(Target.post_id == pid).one()
        target.state = TargetState.QUEUED.value
        target.remote_id = target.remote_url = None
    clock.set(DUE + timedelta(seconds=1))
    second = make_engine()
    assert second.dispatch_once() == 1 and second.wait_idle(10)
    assert len(server.statuses) == 1 and state_of(ctx, pid) == TargetState.PUBLISHED
    keys = {r.headers["idempotency-key"] for r in server.requests if r.path == "/api/v1/statuses"}
    assert len(keys) == 1
