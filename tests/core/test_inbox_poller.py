"""The inbox poller: backoff per channel, rate limits, offline ticks, its scheduler job."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from cmdesk.adapters.base import NetworkUnavailable, RateLimited, TransientError
from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.inbox_poller import MAX_BACKOFF, InboxPoller
from cmdesk.services.inbox import InboxService


class ScriptedInbox:
    """Stands in for the inbox service: each channel answers from its own script."""

    def __init__(self, scripts: dict[int, list[Any]]) -> None:
        self.scripts = scripts
        self.calls: list[int] = []

    def pollable_channels(self) -> list[int]:
        return sorted(self.scripts)

    def poll_channel(self, cid: int) -> int:
        self.calls.append(cid)
        step = self.scripts[cid].pop(0) if self.scripts[cid] else 0
        if isinstance(step, Exception):
            raise step
        return int(step)


def _poller(ctx: AppContext, inbox: ScriptedInbox, clock: FakeClock) -> InboxPoller:
    service: InboxService = inbox  # type: ignore[assignment]
    poller = InboxPoller(service, ctx.settings, ctx.hub, clock=clock)
    poller._minutes = 5
    return poller


def test_a_failing_channel_backs_off_doubling_to_an_hour_while_others_go_on(
    ctx: AppContext, clock: FakeClock
) -> None:
    boom = TransientError("server down")
    inbox = ScriptedInbox({1: [boom] * 10, 2: [3, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]})
    poller = _poller(ctx, inbox, clock)
    waits = []
    for _ in range(7):
        counts = poller.tick()
        assert 2 in counts
        until = poller.waiting_until(1)
        assert until is not None
        waits.append(until - clock.now())
        clock.set(until)
    assert waits == [
        timedelta(minutes=5),
        timedelta(minutes=10),
        timedelta(minutes=20),
        timedelta(minutes=40),
        MAX_BACKOFF,
        MAX_BACKOFF,
        MAX_BACKOFF,
    ]
    inbox.scripts[1] = [4]
    assert poller.tick()[1] == 4
    assert poller.waiting_until(1) is None  # success resets the backoff


def test_rate_limit_waits_until_the_time_the_network_named(
    ctx: AppContext, clock: FakeClock
) -> None:
    retry_at = clock.now() + timedelta(minutes=17)
    inbox = ScriptedInbox({1: [RateLimited("slow down", retry_at=retry_at), 2]})
    poller = _poller(ctx, inbox, clock)
    poller.tick()
    assert poller.waiting_until(1) == retry_at
    clock.advance(timedelta(minutes=16))
    poller.tick()
    assert inbox.calls == [1]  # still waiting
    clock.advance(timedelta(minutes=1))
    assert poller.tick() == {1: 2}


def test_offline_ends_the_tick_without_counting_a_failure(
    ctx: AppContext, clock: FakeClock
) -> None:
    inbox = ScriptedInbox({1: [NetworkUnavailable("offline"), 5], 2: [7]})
    poller = _poller(ctx, inbox, clock)
    assert poller.tick() == {}
    assert inbox.calls == [1] and poller.waiting_until(1) is None
    assert poller.tick() == {1: 5, 2: 7}  # the network is back: at once, no backoff


def test_unexpected_errors_never_escape_a_tick(ctx: AppContext, clock: FakeClock) -> None:
    inbox = ScriptedInbox({1: [RuntimeError("bug")], 2: [1]})
    poller = _poller(ctx, inbox, clock)
    assert poller.tick() == {1: 0, 2: 1}
    assert poller.waiting_until(1) is not None


def test_start_arms_one_job_that_follows_the_setting_and_stop_ends_it(ctx: AppContext) -> None:
    poller = InboxPoller(ctx.inbox, ctx.settings, ctx.hub)
    poller.start()
    try:
        scheduler = poller._scheduler
        assert scheduler is not None
        (job,) = scheduler.get_jobs()
        assert job.trigger.interval == timedelta(minutes=5)
        ctx.settings.set("inbox_poll_minutes", 12)
        (job,) = scheduler.get_jobs()
        assert job.trigger.interval == timedelta(minutes=12)
    finally:
        poller.stop()
    assert poller._scheduler is None


def test_a_tick_against_the_fake_server_honours_its_rate_limit(ctx: AppContext) -> None:
    from datetime import UTC, datetime

    from tests.core.test_inbox_mastodon import _channel
    from tests.fakes.mastodon_server import FakeMastodon

    with FakeMastodon() as server:
        wid, cid = _channel(ctx, server)
        server.mention("bob", "@alice hi")
        poller = InboxPoller(ctx.inbox, ctx.settings, ctx.hub)  # the real clock, as the adapter
        poller._minutes = 5
        server.fail_next(1, 429, method="GET", path="/api/v1/notifications", retry_in=300)
        assert poller.tick() == {cid: 0}
        until = poller.waiting_until(cid)
        assert until is not None
        assert 240 < (until - datetime.now(UTC)).total_seconds() <= 360
        assert poller.tick() == {}  # still waiting: no request made
        assert len([r for r in server.requests if r.path == "/api/v1/notifications"]) == 1
        poller.backoff.forget()
        assert poller.tick() == {cid: 1}
        assert len(ctx.inbox.list_items(wid)) == 1
