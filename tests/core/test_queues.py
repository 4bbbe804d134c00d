"""Queues: posting slots, the next free slot of each channel, and "Add to queue"."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.errors import TransitionError, UserError, ValidationError
from cmdesk.planning.queues import WeeklySlot, parse_slot, slot_instants, wall_to_utc
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import channel, madrid, post, workspace

# The fake clock starts on Friday 2026-03-20 at 10:00 UTC (11:00 in Madrid).


def ny(day: date, hh: int, mm: int = 0) -> datetime:
    return at_wall_time(day, time(hh, mm), "America/New_York")


# --- slots -----------------------------------------------------------------------------------


def test_slots_are_listed_by_day_and_time_and_bad_input_is_refused(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.add_slot(cid, "wed", "13:30")
    ctx.queues.add_slot(cid, 0, "9:00")
    assert [s.label for s in ctx.queues.list_slots(cid)] == ["Monday 09:00", "Wednesday 13:30"]
    with pytest.raises(ValidationError, match="already has a slot on Monday at 09:00"):
        ctx.queues.add_slot(cid, "monday", "09:00")
    with pytest.raises(ValidationError, match="HH:MM"):
        ctx.queues.add_slot(cid, "mon", "25:00")
    with pytest.raises(ValidationError, match="day of the week"):
        ctx.queues.add_slot(cid, "someday", "10:00")
    with pytest.raises(ValidationError, match="day of the week"):
        ctx.queues.add_slot(cid, 7, "10:00")
    assert len(ctx.queues.list_slots(cid)) == 2


def test_set_slots_replaces_the_week_all_or_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["mon 09:00", "fri 17:00"])
    with pytest.raises(ValidationError, match="given twice"):
        ctx.queues.set_slots(cid, ["tue 10:00", "tue 10:00"])
    with pytest.raises(ValidationError, match="not a posting slot"):
        ctx.queues.set_slots(cid, ["tue10:00"])
    assert [s.label for s in ctx.queues.list_slots(cid)] == ["Monday 09:00", "Friday 17:00"]
    ctx.queues.set_slots(cid, ["fri 17:00", "sun 12:00"])
    assert [s.label for s in ctx.queues.list_slots(cid)] == ["Friday 17:00", "Sunday 12:00"]


def test_an_inactive_slot_is_skipped_and_a_removed_one_is_gone(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["fri 12:00", "sat 09:00"])
    fri, sat = ctx.queues.list_slots(cid)
    ctx.queues.set_active(fri.id, False)
    assert ctx.queues.next_free_slots([cid]) == {cid: madrid(date(2026, 3, 21), 9)}
    ctx.queues.remove_slot(sat.id)
    with pytest.raises(ValidationError, match="Give Masto posting slots"):
        ctx.queues.next_free_slots([cid])
    with pytest.raises(UserError, match="no posting slot"):
        ctx.queues.remove_slot(sat.id)


# --- the next free slot ------------------------------------------------------------------------


def test_the_next_free_slot_is_after_now_and_skips_taken_ones(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["fri 11:00", "fri 12:00", "mon 09:00"])
    # Friday 11:00 in Madrid is now: only later slots count.
    assert ctx.queues.next_free_slots([cid]) == {cid: madrid(date(2026, 3, 20), 12)}
    post(ctx, wid, channels=(cid,), at=madrid(date(2026, 3, 20), 12), status=PostStatus.SCHEDULED)
    assert ctx.queues.next_free_slots([cid]) == {cid: madrid(date(2026, 3, 23), 9)}
    after = madrid(date(2026, 3, 23), 9)
    assert ctx.queues.next_free_slots([cid], after=after) == {cid: madrid(date(2026, 3, 27), 11)}


def test_trashed_and_cancelled_posts_do_not_take_a_slot(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["fri 12:00"])
    noon = madrid(date(2026, 3, 20), 12)
    pid = post(ctx, wid, channels=(cid,), at=noon, status=PostStatus.SCHEDULED)
    assert ctx.queues.next_free_slots([cid])[cid] == noon + timedelta(days=7)
    assert ctx.queues.next_free_slots([cid], exclude_post_id=pid)[cid] == noon
    ctx.plan.delete_post(pid)
    assert ctx.queues.next_free_slots([cid])[cid] == noon
    other = channel(ctx, wid, "Other")
    pid2 = post(ctx, wid, channels=(cid, other), at=noon, status=PostStatus.SCHEDULED)
    assert ctx.queues.next_free_slots([cid])[cid] == noon + timedelta(days=7)
    ctx.history.save_post(
        pid2,
        ctx.history.snapshot(pid2).data.__class__(
            title="Launch teaser", text="Something is coming", channel_ids=(other,)
        ),
        {},
    )
    assert ctx.queues.next_free_slots([cid])[cid] == noon


def test_no_slots_names_the_channel(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid, "@bakery")
    with pytest.raises(ValidationError, match="Give @bakery posting slots in Channels"):
        ctx.queues.next_free_slots([cid])


# --- daylight saving -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tz", "day", "slot", "expected_local"),
    [
        # Spring forward: 02:00 -> 03:00; a 02:30 slot moves forward by the gap, to 03:30.
        ("Europe/Madrid", date(2026, 3, 29), "02:30", (3, 30)),
        ("America/New_York", date(2026, 3, 8), "02:30", (3, 30)),
        # Fall back: 02:30 happens twice (Madrid 03:00 -> 02:00, New York 02:00 -> 01:00).
        ("Europe/Madrid", date(2026, 10, 25), "02:30", (2, 30)),
        ("America/New_York", date(2026, 11, 1), "01:30", (1, 30)),
    ],
)
def test_wall_clock_slots_across_daylight_saving(
    tz: str, day: date, slot: str, expected_local: tuple[int, int]
) -> None:
    at = wall_to_utc(day, slot, tz)
    local = at.astimezone(__import__("zoneinfo").ZoneInfo(tz))
    assert (local.hour, local.minute) == expected_local
    assert local.date() == day
    if day.month >= 10:
        # The first occurrence: an hour later is the same wall-clock time again.
        assert local.fold == 0
        again = (at + timedelta(hours=1)).astimezone(local.tzinfo)
        assert (again.hour, again.minute) == expected_local


def test_madrid_slots_keep_their_wall_clock_time_in_both_directions() -> None:
    slots = [WeeklySlot(6, "09:00")]  # Sundays at 09:00
    march = list(slot_instants(slots, "Europe/Madrid", datetime(2026, 3, 21, tzinfo=UTC), weeks=2))
    assert [m.hour for m in march] == [8, 7]  # 09:00 CET then 09:00 CEST
    october = list(
        slot_instants(slots, "Europe/Madrid", datetime(2026, 10, 24, tzinfo=UTC), weeks=2)
    )
    assert [m.hour for m in october] == [8, 8]  # 09:00 CET on the 25th, and the week after


def test_a_gap_slot_and_the_slot_after_the_gap_are_one_instant_never_yielded_twice() -> None:
    slots = [parse_slot("sun 02:30"), parse_slot("sun 03:00"), parse_slot("sun 02:00")]
    got = list(slot_instants(slots, "Europe/Madrid", datetime(2026, 3, 28, tzinfo=UTC), weeks=1))
    assert got[0] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert len(got) == len(set(got))


def test_new_york_queue_across_the_november_fold(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx, "NY", "America/New_York")
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["sun 01:30"])
    clock.set(datetime(2026, 10, 31, 12, tzinfo=UTC))
    first = ctx.queues.next_free_slots([cid])[cid]
    assert first == ny(date(2026, 11, 1), 1, 30) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    post(ctx, wid, channels=(cid,), at=first, status=PostStatus.SCHEDULED)
    # The second 01:30 of that night is not a slot of its own: the next one is a week later.
    assert ctx.queues.next_free_slots([cid])[cid] == ny(date(2026, 11, 8), 1, 30)


def test_madrid_queue_across_the_march_gap(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, ["sun 02:30", "sun 03:30"])
    clock.set(datetime(2026, 3, 28, 12, tzinfo=UTC))
    first = ctx.queues.next_free_slots([cid])[cid]
    assert first == madrid(date(2026, 3, 29), 3, 30)
    post(ctx, wid, channels=(cid,), at=first, status=PostStatus.SCHEDULED)
    # Both slots of that night are the same instant, now taken: next Sunday's 02:30.
    assert ctx.queues.next_free_slots([cid])[cid] == madrid(date(2026, 4, 5), 2, 30)


# --- add to queue ------------------------------------------------------------------------------


def test_add_to_queue_gives_each_channel_its_own_slot(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "@bakery")
    b = channel(ctx, wid, "@cafe")
    ctx.queues.set_slots(a, ["fri 12:00"])
    ctx.queues.set_slots(b, ["fri 12:00", "sat 10:00"])
    post(ctx, wid, channels=(b,), at=madrid(date(2026, 3, 20), 12), status=PostStatus.SCHEDULED)
    pid = post(ctx, wid, channels=(a, b))
    changes = ctx.queues.add_to_queue(pid)
    assert changes.ids("post") == {pid}
    detail = ctx.plan.get_post(pid)
    due = {t.channel_id: t.due_at for t in detail.targets}
    assert due == {a: madrid(date(2026, 3, 20), 12), b: madrid(date(2026, 3, 21), 10)}
    assert detail.status == PostStatus.SCHEDULED
    assert detail.scheduled_at == madrid(date(2026, 3, 20), 12)
    assert {t.state for t in detail.targets} == {TargetState.QUEUED}


def test_add_to_queue_refused_changes_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "@bakery")
    b = channel(ctx, wid, "@cafe")
    ctx.queues.set_slots(a, ["fri 12:00"])
    pid = post(ctx, wid, channels=(a, b))
    before = ctx.plan.get_post(pid)
    with pytest.raises(ValidationError, match="Give @cafe posting slots"):
        ctx.queues.add_to_queue(pid)
    ctx.plan.change_status(pid, PostStatus.IN_REVIEW)
    ctx.queues.set_slots(b, ["sat 10:00"])
    with pytest.raises(TransitionError, match="approve it first"):
        ctx.queues.add_to_queue(pid)
    after = ctx.plan.get_post(pid)
    assert after.scheduled_at is None and after.targets == before.targets
    empty = post(ctx, wid)
    with pytest.raises(ValidationError, match="at least one channel"):
        ctx.queues.add_to_queue(empty)


def test_moving_a_queued_post_by_hand_sends_every_channel_at_the_new_time(
    ctx: AppContext,
) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "@bakery")
    b = channel(ctx, wid, "@cafe")
    ctx.queues.set_slots(a, ["fri 12:00"])
    ctx.queues.set_slots(b, ["sat 10:00"])
    pid = post(ctx, wid, channels=(a, b))
    ctx.queues.add_to_queue(pid)
    when = madrid(date(2026, 3, 24), 18)
    ctx.history.move(pid, when=when)
    assert {t.due_at for t in ctx.plan.get_post(pid).targets} == {when}
    # The slots are free again for other posts.
    assert ctx.queues.next_free_slots([a, b]) == {
        a: madrid(date(2026, 3, 20), 12),
        b: madrid(date(2026, 3, 21), 10),
    }


def test_an_edit_of_a_queued_post_keeps_each_channels_slot(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "@bakery")
    b = channel(ctx, wid, "@cafe")
    ctx.queues.set_slots(a, ["fri 12:00"])
    ctx.queues.set_slots(b, ["sat 10:00"])
    pid = post(ctx, wid, channels=(a, b))
    ctx.queues.add_to_queue(pid)
    snap = ctx.history.snapshot(pid)
    ctx.history.save_post(pid, snap.data.__class__(title="New", text="x", channel_ids=(a, b)), {})
    due = {t.channel_id: t.due_at for t in ctx.plan.get_post(pid).targets}
    assert due == {a: madrid(date(2026, 3, 20), 12), b: madrid(date(2026, 3, 21), 10)}


def test_undo_of_queue_puts_the_post_back(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "@bakery")
    ctx.queues.set_slots(a, ["fri 12:00"])
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 25), 9))
    change = ctx.queues.queue_post(pid)
    assert change.before.status == PostStatus.DRAFT
    assert change.after.status == PostStatus.SCHEDULED
    ctx.history.apply_placements([change.reversed()])
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.DRAFT
    assert detail.scheduled_at == madrid(date(2026, 3, 25), 9)
    assert [t.state for t in detail.targets] == [TargetState.PENDING]
    assert ctx.queues.next_free_slots([a]) == {a: madrid(date(2026, 3, 20), 12)}


# --- the engine sends each channel at its own slot ------------------------------------------


def test_each_channel_is_published_at_its_own_slot(
    db_url: str, clock: FakeClock, tmp_path: object
) -> None:
    from cmdesk.adapters.registry import AdapterRegistry
    from cmdesk.bootstrap import build_context
    from cmdesk.credentials import MemoryCredentialStore
    from cmdesk.scheduler import PublishingEngine
    from tests.fakes.adapters import ScriptedAdapter

    fake = ScriptedAdapter()
    registry = AdapterRegistry()
    registry.register("fake", lambda: fake)
    ctx = build_context(db_url, clock=clock, credentials=MemoryCredentialStore(), adapters=registry)
    engine = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub, workers=1)
    try:
        wid = workspace(ctx)
        a = ctx.channels.add(wid, "fake", "A", credentials={"token": "t"}).subject
        b = ctx.channels.add(wid, "fake", "B", credentials={"token": "t"}).subject
        assert a is not None and b is not None
        ctx.queues.set_slots(a, ["fri 12:00"])
        ctx.queues.set_slots(b, ["fri 15:00"])
        pid = post(ctx, wid, channels=(a, b))
        ctx.queues.add_to_queue(pid)
        noon, three = madrid(date(2026, 3, 20), 12), madrid(date(2026, 3, 20), 15)

        def states() -> dict[int, TargetState]:
            return {t.channel_id: t.state for t in ctx.plan.get_post(pid).targets}

        clock.set(noon + timedelta(seconds=1))
        assert engine.dispatch_once() == 1
        assert engine.wait_idle(10)
        assert states() == {a: TargetState.PUBLISHED, b: TargetState.QUEUED}
        assert ctx.plan.get_post(pid).status == PostStatus.SCHEDULED
        clock.set(three - timedelta(minutes=5))
        assert engine.dispatch_once() == 0  # B's slot has not come yet
        clock.set(three + timedelta(seconds=1))
        assert engine.dispatch_once() == 1
        assert engine.wait_idle(10)
        assert states() == {a: TargetState.PUBLISHED, b: TargetState.PUBLISHED}
        assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED
        assert len(fake.calls) == 2
    finally:
        engine.stop()
        ctx.close()


# --- properties of the slot instants ---------------------------------------------------------

_zones = st.sampled_from(["Europe/Madrid", "America/New_York", "UTC", "Australia/Lord_Howe"])
_slots = st.lists(
    st.builds(
        WeeklySlot,
        st.integers(0, 6),
        st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59)),
    ),
    min_size=1,
    max_size=6,
    unique=True,
)
_afters = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=150, deadline=None)
@given(slots=_slots, tz=_zones, after=_afters)
def test_slot_instants_increase_follow_their_wall_clock_and_never_repeat(
    slots: list[WeeklySlot], tz: str, after: datetime
) -> None:
    from zoneinfo import ZoneInfo

    got = list(slot_instants(slots, tz, after, weeks=3))
    assert got == sorted(set(got)) and all(g > after for g in got)
    wanted = {(s.weekday, s.local_time) for s in slots}
    for at in got:
        local = at.astimezone(ZoneInfo(tz))
        key = (local.weekday(), f"{local:%H:%M}")
        if key not in wanted:
            # Only a slot that fell into a spring-forward gap may be somewhere else: moved
            # forward by the size of the gap, on its own day.
            earlier = (at - timedelta(hours=6)).astimezone(ZoneInfo(tz))
            gap = local.utcoffset() - earlier.utcoffset()  # type: ignore[operator]
            assert gap > timedelta(0)
            moved_from = local.replace(tzinfo=None) - gap
            assert (moved_from.weekday(), f"{moved_from:%H:%M}") in wanted
    # At least one instant a week for three weeks (every slot exists at least once in 3 weeks).
    assert len(got) >= 2


def test_add_to_queue_is_one_change_set(ctx: AppContext, events: list[object]) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    ctx.queues.set_slots(a, ["fri 12:00"])
    pid = post(ctx, wid, channels=(a,))
    events.clear()
    ctx.queues.add_to_queue(pid)
    assert len(events) == 1


@pytest.mark.parametrize(
    ("tz", "slot", "now", "first_local", "second_local"),
    [
        # Madrid, 25 October 2026: 02:30 happens twice; the queue uses the first, then next week.
        (
            "Europe/Madrid",
            "sun 02:30",
            datetime(2026, 10, 24, 12, tzinfo=UTC),
            (date(2026, 10, 25), 2, 30),
            (date(2026, 11, 1), 2, 30),
        ),
        # New York, 8 March 2026: 02:30 does not exist; the queue uses 03:30, then 02:30 again.
        (
            "America/New_York",
            "sun 02:30",
            datetime(2026, 3, 7, 12, tzinfo=UTC),
            (date(2026, 3, 8), 3, 30),
            (date(2026, 3, 15), 2, 30),
        ),
    ],
)
def test_queueing_through_the_other_two_changes(
    ctx: AppContext,
    clock: FakeClock,
    tz: str,
    slot: str,
    now: datetime,
    first_local: tuple[date, int, int],
    second_local: tuple[date, int, int],
) -> None:
    wid = workspace(ctx, "Zone", tz)
    cid = channel(ctx, wid)
    ctx.queues.set_slots(cid, [slot])
    clock.set(now)
    first = post(ctx, wid, channels=(cid,))
    second = post(ctx, wid, channels=(cid,))
    ctx.queues.add_to_queue(first)
    ctx.queues.add_to_queue(second)
    day, hh, mm = first_local
    assert ctx.plan.get_post(first).scheduled_at == at_wall_time(day, time(hh, mm), tz)
    day, hh, mm = second_local
    assert ctx.plan.get_post(second).scheduled_at == at_wall_time(day, time(hh, mm), tz)
