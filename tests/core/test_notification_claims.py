"""The claim on announcing inbox items: whoever claims first tells, nobody tells twice."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import time, timedelta

import pytest

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.errors import ValidationError
from cmdesk.services.alerts import AlertService, QuietHours
from cmdesk.services.desktop_notify import DAEMON_DELAY, LOOK_EVERY, DaemonAnnouncer
from cmdesk.services.notification_claims import NotificationClaims, describe_claim, snippet
from tests.core.helpers import channel, workspace
from tests.core.inbox_rows import add_items


@pytest.fixture
def other(db_url: str, clock: FakeClock) -> Iterator[AppContext]:
    """A second process's context on the same database (the daemon beside the window)."""
    context = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    yield context
    context.close()


def claims(ctx: AppContext) -> NotificationClaims:
    return NotificationClaims(ctx.db, ctx.clock, ctx.hub)


def test_first_claim_sets_the_mark_and_announces_only_later_items(ctx: AppContext) -> None:
    wid = workspace(ctx, "Harbor Light Books")
    cid = channel(ctx, wid, "Harbor Light · Mastodon")
    add_items(ctx, cid, 4)  # arrived before anyone listened: not news
    c = claims(ctx)
    c.start_listening()
    assert c.pending() is None
    new = add_items(ctx, cid, 2)
    assert c.pending() == (new[0] - 1, new[-1])
    claim = c.claim_inbox()
    assert claim.count == 2 and claim.item_ids == tuple(new)
    assert claim.kinds == {"reply": 2}
    assert claim.channel_names == ("Harbor Light · Mastodon",)
    again = c.claim_inbox()
    assert again.count == 0 and not again.arrivals
    assert ctx.settings.get("inbox_notified_through") == new[-1]


def test_two_processes_never_claim_the_same_item(ctx: AppContext, other: AppContext) -> None:
    cid = channel(ctx, workspace(ctx))
    claims(ctx).start_listening()
    ids = add_items(ctx, cid, 30)
    results: list[tuple[int, ...]] = []
    barrier = threading.Barrier(2)

    def race(context: AppContext) -> None:
        barrier.wait()
        results.append(claims(context).claim_inbox().item_ids)

    threads = [threading.Thread(target=race, args=(c,)) for c in (ctx, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(len(r) for r in results) == [0, 30]
    assert sorted(i for r in results for i in r) == ids


def test_read_items_and_removed_channels_are_passed_over(ctx: AppContext) -> None:
    wid = workspace(ctx)
    kept, gone = channel(ctx, wid, "Kept"), channel(ctx, wid, "Gone")
    claims(ctx).start_listening()
    add_items(ctx, kept, 1, state="read")
    fresh = add_items(ctx, kept, 1, kind="mention")
    add_items(ctx, gone, 3)
    ctx.channels.remove(gone)
    claim = claims(ctx).claim_inbox()
    assert claim.item_ids == tuple(fresh) and claim.count == 1
    assert AlertService(ctx.db, ctx.clock, ctx.hub).inbox_waiting() == 1


def test_claim_up_to_an_id_and_release(ctx: AppContext) -> None:
    cid = channel(ctx, workspace(ctx))
    c = claims(ctx)
    c.start_listening()
    first = add_items(ctx, cid, 2)
    later = add_items(ctx, cid, 2)
    claim = c.claim_inbox(through=first[-1])
    assert claim.item_ids == tuple(first)
    assert c.release(claim)  # not shown: the items may be announced again
    assert c.claim_inbox().item_ids == tuple(first + later)
    assert not c.release(claim)  # someone claimed past it: too late to give it back


def test_describe_one_item_and_a_batch(ctx: AppContext) -> None:
    wid = workspace(ctx, "Harbor Light Books")
    masto = channel(ctx, wid, "Harbor Light · Mastodon")
    sky = channel(ctx, wid, "Harbor Light · Bluesky", network="bluesky")
    c = claims(ctx)
    c.start_listening()
    add_items(ctx, masto, 1, text="Loved\x07 the\n\nreading!")
    title, message = describe_claim(c.claim_inbox())
    assert title == "Reply from @ana@mastodon.social on Harbor Light · Mastodon"
    assert message == "Loved the reading!"
    add_items(ctx, masto, 3)
    add_items(ctx, sky, 2, kind="mention", author="")
    title, message = describe_claim(c.claim_inbox())
    assert title == "5 new inbox items on 2 channels"
    assert message == "3 replies, 2 mentions — Harbor Light · Mastodon, Harbor Light · Bluesky."
    add_items(ctx, sky, 4)
    assert describe_claim(c.claim_inbox())[0] == "4 new replies on Harbor Light · Bluesky"


def test_snippet_is_one_short_line() -> None:
    assert snippet("a" * 300, 20) == "a" * 19 + "…"
    assert snippet("\u202eone\ttwo\r\nthree") == "one two three"


def test_quiet_hours_across_midnight_and_within_a_day(clock: FakeClock) -> None:
    night = QuietHours(enabled=True, start=time(22), end=time(8))
    day = QuietHours(enabled=True, start=time(12), end=time(14))
    utc = clock.now().tzinfo
    base = clock.now().replace(hour=0, minute=0)
    at = {h: base + timedelta(hours=h) for h in (7, 8, 13, 21, 23)}
    assert [night.active(at[h], utc) for h in (7, 8, 13, 21, 23)] == [1, 0, 0, 0, 1]
    assert [day.active(at[h], utc) for h in (7, 8, 13, 21, 23)] == [0, 0, 1, 0, 0]
    assert not QuietHours(enabled=False).active(at[23], utc)
    assert not QuietHours(enabled=True, start=time(9), end=time(9)).active(at[13], utc)


def test_quiet_hour_settings_take_only_times(ctx: AppContext) -> None:
    ctx.settings.set("quiet_hours_start", "23:30")
    for bad in ("24:00", "7:00", "noon", ""):
        with pytest.raises(ValidationError, match="HH:MM"):
            ctx.settings.set("quiet_hours_end", bad)
    assert QuietHours.from_settings(ctx.settings.all()).start == time(23, 30)


def announcer(ctx: AppContext, shown: list[tuple[str, str]], *, ok: bool = True) -> DaemonAnnouncer:
    def show(title: str, message: str) -> bool:
        shown.append((title, message))
        return ok

    return DaemonAnnouncer(claims(ctx), ctx.settings, ctx.clock, show=show, available=lambda: True)


def test_daemon_waits_for_a_window_then_announces(
    ctx: AppContext, other: AppContext, clock: FakeClock
) -> None:
    cid = channel(ctx, workspace(ctx))
    shown: list[tuple[str, str]] = []
    daemon = announcer(other, shown)
    assert not daemon.tick()  # starts listening
    add_items(ctx, cid, 2)
    clock.advance(LOOK_EVERY)
    assert not daemon.tick()  # seen, but a window gets its chance first
    assert claims(ctx).claim_inbox().count == 2  # the window took them
    add_items(ctx, cid, 3)
    for _ in range(int(DAEMON_DELAY / LOOK_EVERY) + 1):
        clock.advance(LOOK_EVERY)
        daemon.tick()
    assert shown == [("3 new replies on Masto", "3 replies — Masto.")]
    assert claims(ctx).claim_inbox().count == 0  # the window does not repeat it


def test_daemon_that_cannot_show_does_not_claim(ctx: AppContext, clock: FakeClock) -> None:
    cid = channel(ctx, workspace(ctx))
    shown: list[tuple[str, str]] = []
    daemon = announcer(ctx, shown, ok=False)
    daemon.tick()
    ids = add_items(ctx, cid, 2)
    for _ in range(int(DAEMON_DELAY / LOOK_EVERY) + 2):
        clock.advance(LOOK_EVERY)
        daemon.tick()
    assert len(shown) == 1  # it tried, failed, and gave the claim back
    assert claims(ctx).claim_inbox().item_ids == tuple(ids)
    blind = DaemonAnnouncer(claims(ctx), ctx.settings, clock, available=lambda: False)
    add_items(ctx, cid, 1)
    clock.advance(DAEMON_DELAY * 2)
    assert not blind.tick()
    assert claims(ctx).claim_inbox().count == 1


def test_daemon_holds_during_quiet_hours(ctx: AppContext, clock: FakeClock) -> None:
    cid = channel(ctx, workspace(ctx))
    wall = clock.now().astimezone()
    ctx.settings.set("quiet_hours_enabled", True)
    ctx.settings.set("quiet_hours_start", (wall - timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_end", (wall + timedelta(hours=1)).strftime("%H:%M"))
    shown: list[tuple[str, str]] = []
    daemon = announcer(ctx, shown)
    daemon.tick()
    add_items(ctx, cid, 4)
    for _ in range(int(timedelta(minutes=50) / LOOK_EVERY)):
        clock.advance(LOOK_EVERY)
        daemon.tick()
    assert shown == []
    clock.advance(timedelta(hours=1))
    for _ in range(int(DAEMON_DELAY / LOOK_EVERY) + 2):
        clock.advance(LOOK_EVERY)
        daemon.tick()
    assert [t for t, _ in shown] == ["4 new replies on Masto"]
