"""Engagement snapshots against the fake Mastodon: steps, batching, deleted posts, failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, select

from cmdesk.adapters.base import RateLimited, TransientError
from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.metrics_poller import INTERVAL, MetricsPoller
from cmdesk.models import MetricSnapshot, Target
from cmdesk.services.metrics import next_step_at
from cmdesk.status import TargetState
from tests.core.helpers import channel, post, workspace
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


def _channel(ctx: AppContext, server: FakeMastodon, wid: int) -> int:
    cid = ctx.channels.add(
        wid,
        "mastodon",
        "Masto",
        handle=f"@alice@{server.host}",
        base_url=server.url,
        credentials={"access_token": DEFAULT_TOKEN},
    ).subject
    assert cid is not None
    return cid


def published(
    ctx: AppContext, wid: int, channels: dict[int, str], at: datetime, title: str = "Launch"
) -> int:
    """A post published on each channel (channel id -> remote id) at ``at``."""
    pid = post(ctx, wid, title=title, channels=tuple(channels))
    with ctx.db.session() as s:
        for target in s.scalars(select(Target).where(Target.post_id == pid)):
            target.state = TargetState.PUBLISHED.value
            target.remote_id = channels[target.channel_id]
            target.published_at = at
    return pid


def _status(server: FakeMastodon, text: str = "ours") -> str:
    return str(server.mention("alice", text)["status"]["id"])


def _gets(server: FakeMastodon, prefix: str = "/api/v1/statuses") -> list[str]:
    return [r.path for r in server.requests if r.method == "GET" and r.path.startswith(prefix)]


def test_counts_are_read_at_one_hour_one_day_and_seven_days_in_one_batch(
    ctx: AppContext, server: FakeMastodon, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = _channel(ctx, server, wid)
    a, b = _status(server, "first"), _status(server, "second")
    server.set_counts(a, replies=2, reblogs=3, favourites=12, quotes=1)
    server.set_counts(b, favourites=1)  # a server before 4.5: no quotes_count
    start = clock.now()
    pa = published(ctx, wid, {cid: a}, start, "A")
    pb = published(ctx, wid, {cid: b}, start, "B")
    assert ctx.metrics.due() == {}  # nothing before the first hour
    clock.set(start + HOUR)
    assert ctx.metrics.take_due() == 2
    assert _gets(server) == ["/api/v1/statuses"]  # both in one request
    latest = ctx.metrics.latest([pa, pb, 999])
    assert set(latest) == {pa, pb}
    assert latest[pa].summary() == "12 likes · 3 reposts · 2 replies · 1 quote"
    assert (latest[pb].likes, latest[pb].quotes) == (1, None)
    assert ctx.metrics.take_due() == 0  # the 1-hour step is done
    clock.set(start + DAY - timedelta(minutes=1))
    assert ctx.metrics.due() == {}
    server.set_counts(a, favourites=20)
    clock.set(start + DAY)
    assert ctx.metrics.take_due() == 2
    assert ctx.metrics.latest([pa])[pa].likes == 20
    clock.set(start + 7 * DAY)
    assert ctx.metrics.take_due() == 2
    clock.set(start + 30 * DAY)
    assert ctx.metrics.due() == {}  # every step done, and past the window
    with ctx.db.session(write=False) as s:
        assert len(s.scalars(select(MetricSnapshot)).all()) == 6


def test_a_machine_that_was_off_takes_one_snapshot_for_the_steps_it_missed() -> None:
    start = datetime(2026, 3, 1, 12, 0).astimezone()
    assert next_step_at(start, None) == start + HOUR
    assert next_step_at(start, start + 2 * DAY) == start + 7 * DAY
    assert next_step_at(start, start + 7 * DAY) is None


def test_an_older_server_is_read_one_status_at_a_time_and_a_deleted_post_is_left_alone(
    ctx: AppContext, server: FakeMastodon, clock: FakeClock
) -> None:
    server.batch_statuses = False
    wid = workspace(ctx)
    cid = _channel(ctx, server, wid)
    a, b = _status(server), _status(server)
    server.set_counts(a, favourites=4)
    server.set_counts(b, reblogs=5)
    start = clock.now()
    pa = published(ctx, wid, {cid: a}, start)
    pb = published(ctx, wid, {cid: b}, start)
    clock.set(start + HOUR)
    assert ctx.metrics.take_due() == 2
    assert sorted(_gets(server)) == sorted(
        ["/api/v1/statuses", f"/api/v1/statuses/{a}", f"/api/v1/statuses/{b}"]
    )
    server.delete_status(b)
    clock.set(start + DAY)
    assert ctx.metrics.take_due() == 2  # a's counts, and b's tombstone
    latest = ctx.metrics.latest([pa, pb])
    assert latest[pb].reposts == 5  # the last counts seen stay shown
    clock.set(start + 7 * DAY)
    before = len(server.requests)
    assert ctx.metrics.take_due() == 1
    asked = [r.path for r in server.requests[before:] if r.path.startswith("/api/v1/statuses")]
    assert f"/api/v1/statuses/{b}" not in asked  # a post that is gone is not asked for again


def test_a_status_left_out_of_a_batch_is_asked_for_alone_before_it_is_called_gone(
    ctx: AppContext, server: FakeMastodon, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = _channel(ctx, server, wid)
    a = _status(server)
    start = clock.now()
    pid = published(ctx, wid, {cid: a}, start)
    published(ctx, wid, {cid: "999999"}, start, "gone")
    clock.set(start + HOUR)
    assert ctx.metrics.take_due() == 2
    assert "/api/v1/statuses/999999" in _gets(server)
    assert pid in ctx.metrics.latest([pid])
    assert ctx.metrics.due() == {}


def test_latest_sums_channels_keeps_each_channel_and_is_one_query(
    ctx: AppContext, server: FakeMastodon, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    c1 = _channel(ctx, server, wid)
    server.add_account("bob", "tok-bob")
    c2 = ctx.channels.add(
        wid,
        "mastodon",
        "Masto 2",
        handle="@bob",
        base_url=server.url,
        credentials={"access_token": "tok-bob"},
    ).subject
    assert c2 is not None
    a, b = _status(server), _status(server)
    server.set_counts(a, favourites=10, reblogs=1, replies=0)
    server.set_counts(b, favourites=2, reblogs=2, replies=2)
    start = clock.now()
    pid = published(ctx, wid, {c1: a, c2: b}, start)
    clock.set(start + HOUR)
    assert ctx.metrics.take_due() == 2
    statements: list[str] = []
    engine = ctx.db.engine

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        latest = ctx.metrics.latest([pid])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 1
    total = latest[pid]
    assert (total.likes, total.reposts, total.replies) == (12, 3, 2)
    assert total.by_channel[c1].likes == 10 and total.by_channel[c2].likes == 2
    assert total.summary() == "12 likes · 3 reposts · 2 replies"


def test_demo_channels_and_unpublished_posts_are_never_asked(
    ctx: AppContext, clock: FakeClock
) -> None:
    ctx.demo.create_demo()
    clock.advance(3 * DAY)
    assert ctx.metrics.due() == {}
    wid = workspace(ctx, "Other")
    cid = channel(ctx, wid)  # no sign-in stored
    published(ctx, wid, {cid: "1"}, clock.now() - DAY)
    assert ctx.metrics.due() == {}


def test_rate_limit_and_server_errors_store_nothing_and_the_poller_backs_off(
    ctx: AppContext, server: FakeMastodon, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = _channel(ctx, server, wid)
    a = _status(server)
    start = clock.now()
    published(ctx, wid, {cid: a}, start)
    clock.set(start + HOUR)
    poller = MetricsPoller(ctx.metrics, clock=clock)
    server.fail_next(1, 429, method="GET", path="/api/v1/statuses", retry_in=600)
    assert poller.tick() == {cid: 0}
    until = poller.waiting_until(cid)
    assert until is not None and until > clock.now()
    asked = len(server.requests)
    assert poller.tick() == {}  # still waiting: not even asked
    assert len(server.requests) == asked
    # The adapter dates the limit by the real clock; a new poller starts without the wait.
    poller = MetricsPoller(ctx.metrics, clock=clock)
    server.fail_next(1, 503, method="GET", path="/api/v1/statuses")
    assert poller.tick() == {cid: 0}
    assert poller.waiting_until(cid) == clock.now() + INTERVAL
    with ctx.db.session(write=False) as s:
        assert s.scalars(select(MetricSnapshot)).all() == []
    clock.advance(INTERVAL)
    assert poller.tick() == {cid: 1}
    assert poller.waiting_until(cid) is None


class _Scripted:
    """Stands in for the service: one channel always due, answering from a script."""

    def __init__(self, script: list[object]) -> None:
        self.script = script

    def due(self) -> dict[int, list[object]]:
        return {1: [object()], 2: [object()]}

    def snap_channel(self, cid: int, targets: object) -> int:
        step = self.script.pop(0)
        if isinstance(step, Exception):
            raise step
        return int(step)  # type: ignore[call-overload]


def test_the_poller_stops_a_tick_when_offline_and_backs_off_doubling(clock: FakeClock) -> None:
    from cmdesk.adapters.base import NetworkUnavailable

    poller = MetricsPoller(_Scripted([NetworkUnavailable("offline")]), clock=clock)  # type: ignore[arg-type]
    assert poller.tick() == {}  # channel 2 not tried
    assert poller.waiting_until(1) is None  # offline is not a failure
    boom = TransientError("down")
    scripted = _Scripted([boom, 1, boom, 1])
    poller = MetricsPoller(scripted, clock=clock)  # type: ignore[arg-type]
    poller.tick()
    first = poller.waiting_until(1)
    assert first == clock.now() + INTERVAL
    clock.set(first)
    poller.tick()
    assert poller.waiting_until(1) == clock.now() + 2 * INTERVAL
    rate = RateLimited("slow", retry_at=clock.now() + timedelta(minutes=3))
    poller = MetricsPoller(_Scripted([rate, 0]), clock=clock)  # type: ignore[arg-type]
    poller.tick()
    assert poller.waiting_until(1) == clock.now() + timedelta(minutes=3)


def test_the_poller_job_starts_and_stops(ctx: AppContext) -> None:
    poller = MetricsPoller(ctx.metrics)
    poller.start()
    poller.start()  # twice is harmless
    assert poller._scheduler is not None and poller._scheduler.get_job("metrics-poll")
    poller.stop()
    assert poller._scheduler is None
