"""Recurring and evergreen posts: rules, daylight saving, horizons, edits, cuts and evergreen runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PlacementInput, PostInput, SaveAs, VariantInput
from cmdesk.errors import ValidationError
from cmdesk.housekeeping import Housekeeper
from cmdesk.models import Post
from cmdesk.planning.describe import describe
from cmdesk.planning.recurrence import (
    RecurrenceInput,
    build_rrule,
    check_rrule,
    occurrences_between,
    parse_key,
)
from cmdesk.planning.series_dto import EvergreenInput
from cmdesk.planning.series_upkeep import TASK, register_upkeep
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time, utc_to_local, zone
from tests.core.helpers import channel, post, workspace

# The fake clock reads 2026-03-20 10:00 UTC (11:00 in Madrid).
MONDAYS = RecurrenceInput(frequency="weekly", weekdays=(0,))


def local_times(ctx: AppContext, series_id: int, tz: str) -> list[str]:
    dto = ctx.series.get(series_id)
    out = []
    for pid in dto.post_ids:
        when = ctx.plan.get_post(pid).scheduled_at
        assert when is not None
        out.append(f"{utc_to_local(when, tz):%Y-%m-%d %H:%M %Z}")
    return out


def repeating(
    ctx: AppContext, rule: RecurrenceInput, at: datetime, *, tz: str = "Europe/Madrid"
) -> tuple[int, int, int]:
    """A workspace in ``tz`` with a scheduled post at ``at`` made to repeat: (wid, pid, sid)."""
    wid = workspace(ctx, tz=tz)
    cid = channel(ctx, wid)
    pid = post(ctx, wid, channels=(cid,), at=at, status=PostStatus.SCHEDULED)
    ctx.series.make_recurring(pid, rule)
    dto = ctx.series.series_of(pid)
    assert dto is not None
    return wid, pid, dto.id


# --- rules and words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "start", "words"),
    [
        (
            "FREQ=WEEKLY;BYDAY=MO;COUNT=10",
            datetime(2026, 3, 23, 9),
            "Every Monday at 09:00, 10 times",
        ),
        ("FREQ=DAILY", datetime(2026, 3, 23, 9), "Every day at 09:00"),
        ("FREQ=DAILY;INTERVAL=3", datetime(2026, 3, 23, 9), "Every 3 days at 09:00"),
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
            datetime(2026, 3, 24, 18, 30),
            "Every 2 weeks on Tuesday and Thursday at 18:30",
        ),
        (
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1",
            datetime(2026, 4, 1, 10),
            "On the first weekday of every month at 10:00",
        ),
        (
            "FREQ=MONTHLY;BYDAY=-1FR",
            datetime(2026, 3, 27, 12),
            "On the last Friday of every month at 12:00",
        ),
        ("FREQ=MONTHLY", datetime(2026, 3, 15, 8), "On day 15 of every month at 08:00"),
        (
            "FREQ=WEEKLY;BYDAY=MO;UNTIL=20260630T235959",
            datetime(2026, 3, 23, 9),
            "Every Monday at 09:00, until 30 Jun 2026",
        ),
        ("FREQ=YEARLY", datetime(2026, 11, 24, 9), "Every year on 24 November at 09:00"),
    ],
)
def test_describer_says_the_rule_in_words(rule: str, start: datetime, words: str) -> None:
    checked = check_rrule(rule, start, "Europe/Madrid")
    assert describe(checked.parts, start) == words


def test_describer_names_an_unusual_rule_as_custom() -> None:
    start = datetime(2026, 3, 23, 9)
    checked = check_rrule("FREQ=YEARLY;BYWEEKNO=20", start, "Europe/Madrid")
    assert describe(checked.parts, start).startswith("Custom rule (FREQ=YEARLY;BYWEEKNO=20)")


def test_structured_input_builds_the_rules() -> None:
    assert build_rrule(MONDAYS) == "FREQ=WEEKLY;BYDAY=MO"
    first = RecurrenceInput(frequency="monthly", monthly_by="first_weekday", count=6)
    assert build_rrule(first) == "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1;COUNT=6"
    nth = RecurrenceInput(frequency="monthly", monthly_by="nth", nth=2, nth_weekday=3)
    assert build_rrule(nth) == "FREQ=MONTHLY;BYDAY=2TH"
    until = RecurrenceInput(rrule="FREQ=DAILY", until=date(2026, 4, 2))
    assert build_rrule(until) == "FREQ=DAILY;UNTIL=20260402T235959"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("BYDAY=MO", "needs FREQ"),
        ("FREQ=HOURLY", "daily, weekly, monthly or yearly"),
        ("FREQ=DAILY;COUNT=3;UNTIL=20260401", "COUNT or UNTIL"),
        ("DTSTART=20260101T090000;FREQ=DAILY", "leave DTSTART out"),
        ("FREQ=DAILY;FOO=1", "FOO is not"),
        ("FREQ=DAILY;COUNT=zero", "COUNT is a number"),
        ("FREQ", "NAME=VALUE"),
        ("FREQ=MONTHLY;BYMONTHDAY=40", "gives no date after"),
    ],
)
def test_a_bad_rule_says_what_is_wrong_and_nothing_is_written(
    ctx: AppContext, text: str, why: str
) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid"))
    with pytest.raises(ValidationError, match=why):
        ctx.series.make_recurring(pid, RecurrenceInput(rrule=text))
    assert ctx.series.series_of(pid) is None
    assert len(ctx.plan.list_posts(wid)) == 1


def test_a_post_needs_a_time_to_repeat(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    with pytest.raises(ValidationError, match="date and time first"):
        ctx.series.make_recurring(pid, MONDAYS)


def test_first_weekday_of_the_month_skips_weekends(ctx: AppContext) -> None:
    wid = workspace(ctx)
    start = at_wall_time(date(2026, 4, 1), time(10), "Europe/Madrid")
    rule = RecurrenceInput(frequency="monthly", monthly_by="first_weekday")
    words, dates = ctx.series.preview(wid, start, rule)
    assert words == "On the first weekday of every month at 10:00"
    days = [utc_to_local(d, "Europe/Madrid").strftime("%a %d %b %H:%M") for d in dates]
    # August 1st 2026 is a Saturday: the first weekday is Monday the 3rd.
    assert days == [
        "Wed 01 Apr 10:00",
        "Fri 01 May 10:00",
        "Mon 01 Jun 10:00",
        "Wed 01 Jul 10:00",
        "Mon 03 Aug 10:00",
    ]


def test_count_includes_the_first_post(ctx: AppContext) -> None:
    # The post is on a Tuesday, the rule says Mondays: the post still counts as the first time.
    start = at_wall_time(date(2026, 3, 24), time(9), "Europe/Madrid")
    _, pid, sid = repeating(ctx, RecurrenceInput(frequency="weekly", weekdays=(0,), count=4), start)
    assert local_times(ctx, sid, "Europe/Madrid") == [
        "2026-03-24 09:00 CET",
        "2026-03-30 09:00 CEST",
        "2026-04-06 09:00 CEST",
        "2026-04-13 09:00 CEST",
    ]
    dto = ctx.series.get(sid)
    assert dto.post_ids[0] == pid
    assert dto.description == "Every Monday at 09:00, 4 times"


def test_until_a_date_includes_that_day(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    rule = RecurrenceInput(frequency="weekly", weekdays=(0,), until=date(2026, 4, 13))
    _, _, sid = repeating(ctx, rule, start)
    assert len(ctx.series.get(sid).post_ids) == 4  # 23 Mar, 30 Mar, 6 Apr, 13 Apr


# --- daylight saving -------------------------------------------------------------------------


def test_madrid_spring_forward_keeps_nine_oclock(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 27), time(9), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily", count=4), start)
    assert local_times(ctx, sid, "Europe/Madrid") == [
        "2026-03-27 09:00 CET",
        "2026-03-28 09:00 CET",
        "2026-03-29 09:00 CEST",
        "2026-03-30 09:00 CEST",
    ]
    posts = ctx.series.get(sid).post_ids
    utc = [ctx.plan.get_post(p).scheduled_at for p in posts]
    assert [u.hour for u in utc if u is not None] == [8, 8, 7, 7]


def test_madrid_gap_moves_forward_by_the_size_of_the_gap(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 28), time(2, 30), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily", count=3), start)
    assert local_times(ctx, sid, "Europe/Madrid") == [
        "2026-03-28 02:30 CET",
        "2026-03-29 03:30 CEST",  # 02:30 does not exist that night (RFC 5545: one hour on)
        "2026-03-30 02:30 CEST",
    ]
    keys = [ctx.plan.get_post(p) for p in ctx.series.get(sid).post_ids]
    assert len(keys) == 3


def test_madrid_autumn_fold_takes_the_first_occurrence(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(datetime(2026, 10, 20, 12, tzinfo=UTC))
    start = at_wall_time(date(2026, 10, 24), time(2, 30), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily", count=3), start)
    assert local_times(ctx, sid, "Europe/Madrid") == [
        "2026-10-24 02:30 CEST",
        "2026-10-25 02:30 CEST",  # the first of the two 02:30s
        "2026-10-26 02:30 CET",
    ]


def test_new_york_both_changes_keep_the_wall_clock(ctx: AppContext, clock: FakeClock) -> None:
    tz = "America/New_York"
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    start = at_wall_time(date(2026, 3, 6), time(9), tz)
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="weekly", count=3), start, tz=tz)
    assert local_times(ctx, sid, tz) == [
        "2026-03-06 09:00 EST",
        "2026-03-13 09:00 EDT",
        "2026-03-20 09:00 EDT",
    ]
    clock.set(datetime(2026, 10, 20, 12, tzinfo=UTC))
    start = at_wall_time(date(2026, 10, 30), time(9), tz)
    wid = workspace(ctx, "Autumn", tz=tz)
    pid = post(ctx, wid, at=start)
    ctx.series.make_recurring(pid, RecurrenceInput(frequency="daily", count=4))
    dto = ctx.series.series_of(pid)
    assert dto is not None
    assert local_times(ctx, dto.id, tz) == [
        "2026-10-30 09:00 EDT",
        "2026-10-31 09:00 EDT",
        "2026-11-01 09:00 EST",
        "2026-11-02 09:00 EST",
    ]


def test_new_york_gap_at_two_thirty(ctx: AppContext, clock: FakeClock) -> None:
    tz = "America/New_York"
    clock.set(datetime(2026, 3, 1, 12, tzinfo=UTC))
    start = at_wall_time(date(2026, 3, 7), time(2, 30), tz)
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily", count=2), start, tz=tz)
    assert local_times(ctx, sid, tz) == ["2026-03-07 02:30 EST", "2026-03-08 03:30 EDT"]


# --- occurrences -----------------------------------------------------------------------------


def test_occurrences_copy_the_post_and_are_scheduled_like_it(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    pid = post(ctx, wid, text="Weekly tip", channels=(cid,), at=start, status=PostStatus.SCHEDULED)
    ctx.plan.set_variant(pid, cid, text="Weekly tip, for Mastodon")
    ctx.series.make_recurring(pid, RecurrenceInput(frequency="weekly", count=3))
    dto = ctx.series.series_of(pid)
    assert dto is not None
    for other in dto.post_ids[1:]:
        detail = ctx.plan.get_post(other)
        assert detail.text == "Weekly tip"
        assert detail.status == PostStatus.SCHEDULED
        assert detail.channel_ids == (cid,)
        assert detail.targets[0].state == TargetState.QUEUED
        assert [v.text for v in detail.variants] == ["Weekly tip, for Mastodon"]


def test_a_draft_without_channels_makes_draft_occurrences(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid"))
    ctx.series.make_recurring(pid, RecurrenceInput(frequency="daily", count=3))
    dto = ctx.series.series_of(pid)
    assert dto is not None
    assert {ctx.plan.get_post(p).status for p in dto.post_ids} == {PostStatus.DRAFT}


def test_horizon_extension_is_idempotent(ctx: AppContext, clock: FakeClock) -> None:
    start = at_wall_time(date(2026, 3, 20), time(12), "Europe/Madrid")  # in an hour
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    first = len(ctx.series.get(sid).post_ids)
    assert 85 <= first <= 92  # about 90 days ahead
    assert ctx.series.extend_horizons().empty
    clock.advance(timedelta(days=10))
    made = ctx.series.extend_horizons()
    assert len(made.ids("post", "created")) == 10
    assert ctx.series.extend_horizons().empty
    assert len(ctx.series.get(sid).post_ids) == first + 10


def test_a_removed_occurrence_never_comes_back(ctx: AppContext, clock: FakeClock) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    third = ctx.series.get(sid).post_ids[2]
    key = ctx.series.get(sid).post_ids
    cut = ctx.series.delete_occurrences(third, "this")
    assert cut.trashed == (third,)
    assert len(ctx.series.get(sid).exdates) == 1
    ctx.history.purge_trash(days=0)  # gone for good, its key with it
    clock.advance(timedelta(seconds=1))
    ctx.series.extend_horizons()
    assert third not in ctx.series.get(sid).post_ids
    assert len(ctx.series.get(sid).post_ids) == len(key) - 1


# --- editing ---------------------------------------------------------------------------------


def test_edit_one_then_all_following_leaves_the_one_edited_alone(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _pid, sid = repeating(ctx, RecurrenceInput(frequency="weekly", count=6), start)
    ids = ctx.series.get(sid).post_ids
    one = ctx.history.snapshot(ids[2])
    ctx.history.save_post(
        ids[2],
        PostInput(title="Special", text="Just this week", channel_ids=one.data.channel_ids),
        {},
    )
    snap = ctx.history.snapshot(ids[1])
    data = PostInput(title="New", text="New text", channel_ids=snap.data.channel_ids)
    with ctx.db.session() as s:
        from_key = s.get(Post, ids[1]).series_key  # type: ignore[union-attr]
    edit = ctx.series.update_series(sid, data, {}, from_key=from_key)
    assert [b.post_id for b in edit.before] == [ids[1], ids[3], ids[4], ids[5]]
    texts = [ctx.plan.get_post(i).text for i in ids]
    assert texts == [
        "Something is coming",
        "New text",
        "Just this week",
        "New text",
        "New text",
        "New text",
    ]
    ctx.series.apply_series_edit(edit.reversed())
    assert ctx.plan.get_post(ids[3]).text == "Something is coming"
    assert ctx.plan.get_post(ids[2]).text == "Just this week"


def test_all_future_occurrences_skip_past_and_published_ones(
    ctx: AppContext, clock: FakeClock
) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, pid, sid = repeating(ctx, RecurrenceInput(frequency="weekly", count=3), start)
    publish(ctx, pid, start)
    clock.advance(timedelta(days=5))  # the first one's time has passed
    channels = ctx.history.snapshot(pid).data.channel_ids
    edit = ctx.series.update_series(sid, PostInput(text="Later", channel_ids=channels), {})
    assert pid not in [b.post_id for b in edit.after]
    assert len(edit.after) == 2


def test_changing_the_rule_replans_future_occurrences(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, pid, sid = repeating(ctx, RecurrenceInput(frequency="weekly", weekdays=(0,), count=4), start)
    ids = ctx.series.get(sid).post_ids
    snap = ctx.history.snapshot(ids[2])
    ctx.history.save_post(ids[2], PostInput(text="Kept", channel_ids=snap.data.channel_ids), {})
    ctx.series.change_rule(sid, RecurrenceInput(frequency="weekly", weekdays=(2,), count=4))
    days = local_times(ctx, sid, "Europe/Madrid")
    assert days == [
        "2026-03-23 09:00 CET",  # the first post stays where it is
        "2026-03-25 09:00 CET",
        "2026-04-01 09:00 CEST",
        "2026-04-06 09:00 CEST",  # edited on its own: kept
        "2026-04-08 09:00 CEST",
    ]
    assert ctx.series.get(sid).description == "Every Wednesday at 09:00, 4 times"
    assert ids[1] in ctx.history.trashed_ids(ctx.plan.get_post(pid).workspace_id)


# --- deleting and stopping -------------------------------------------------------------------


def test_delete_this_and_following_ends_the_rule(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _pid, sid = repeating(ctx, RecurrenceInput(frequency="weekly", count=6), start)
    ids = ctx.series.get(sid).post_ids
    cut = ctx.series.delete_occurrences(ids[3], "following")
    assert cut.trashed == ids[3:]
    dto = ctx.series.get(sid)
    assert dto.post_ids == ids[:3]
    assert dto.rrule.endswith("UNTIL=20260413T085900")
    assert ctx.series.extend_horizons().empty
    # Undo: the rule and the posts come back.
    ctx.series.set_rule_state(sid, cut.rule_before, cut.active_before)
    ctx.history.restore(cut.trashed)
    assert ctx.series.get(sid).post_ids == ids
    assert ctx.series.extend_horizons().empty


def test_stop_repeating_keeps_this_post(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _pid, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    ids = ctx.series.get(sid).post_ids
    ctx.series.stop_repeating(ids[1])
    assert ctx.series.get(sid).post_ids == ids[:2]
    assert "until 24 Mar 2026" in ctx.series.get(sid).description


def test_delete_all_stops_the_series(ctx: AppContext) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _pid, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    ctx.series.delete_occurrences(ctx.series.get(sid).post_ids[4], "all")
    dto = ctx.series.get(sid)
    assert dto.post_ids == () and not dto.is_active
    assert dto.description.endswith("(stopped)")


def test_save_repeating_is_one_step_and_its_undo_removes_everything(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    result = ctx.series.save_repeating(
        wid,
        None,
        PostInput(title="Tip", text="Monday tip", channel_ids=(cid,)),
        {cid: VariantInput(cid, text="Tip for Mastodon")},
        placement=PlacementInput(SaveAs.SCHEDULED, start),
        repeat=RecurrenceInput(frequency="weekly", count=3),
    )
    assert len(result.created) == 2
    assert ctx.plan.get_post(result.created[0]).status == PostStatus.SCHEDULED
    ctx.series.undo_repeat(result)
    assert ctx.plan.list_posts(wid) == []
    assert ctx.series.list_series(wid) == []


def test_save_repeating_refuses_bad_input_and_writes_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    with pytest.raises(ValidationError):
        ctx.series.save_repeating(
            wid,
            None,
            PostInput(text="x"),
            {},
            placement=PlacementInput(SaveAs.KEEP, start),
            repeat=RecurrenceInput(rrule="FREQ=SOMETIMES"),
        )
    assert ctx.plan.list_posts(wid) == []


# --- evergreen -------------------------------------------------------------------------------


def publish(ctx: AppContext, post_id: int, when: datetime) -> None:
    """Mark a post as gone out at ``when`` (what the engine does after a delivery)."""
    with ctx.db.session(write=True) as s:
        p = s.get(Post, post_id)
        assert p is not None
        p.status = PostStatus.PUBLISHED.value
        p.published_at = when
        for t in p.targets:
            t.state = TargetState.PUBLISHED.value


def evergreen(ctx: AppContext) -> tuple[int, int, int]:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    start = at_wall_time(date(2026, 3, 21), time(9), "Europe/Madrid")
    pid = post(ctx, wid, text="Original", channels=(cid,), at=start, status=PostStatus.SCHEDULED)
    ctx.series.make_evergreen(pid, 30, ["Second take", "Third take"])
    dto = ctx.series.series_of(pid)
    assert dto is not None
    return wid, pid, dto.id


def test_evergreen_waits_for_the_days_then_rotates(ctx: AppContext, clock: FakeClock) -> None:
    _, pid, _sid = evergreen(ctx)
    assert ctx.series.evergreen_tick().empty  # not published yet
    went_out = datetime(2026, 3, 21, 8, tzinfo=UTC)
    publish(ctx, pid, went_out)
    clock.set(went_out + timedelta(days=29))
    assert ctx.series.evergreen_tick().empty  # 30 days have not passed
    texts = []
    for _ in range(4):
        clock.advance(timedelta(days=2))
        made = ctx.series.evergreen_tick().ids("post", "created")
        assert len(made) == 1
        run = ctx.plan.get_post(made.pop())
        assert run.status == PostStatus.SCHEDULED
        assert run.scheduled_at is not None and run.scheduled_at > clock.now()
        assert utc_to_local(run.scheduled_at, "Europe/Madrid").strftime("%H:%M") == "09:00"
        texts.append(run.text)
        assert ctx.series.evergreen_tick().empty  # never two runs waiting
        publish(ctx, run.id, run.scheduled_at)
        clock.set(run.scheduled_at + timedelta(days=29))
    assert texts == ["Second take", "Third take", "Original", "Second take"]


def test_evergreen_after_a_long_sleep_makes_one_run(ctx: AppContext, clock: FakeClock) -> None:
    _, pid, sid = evergreen(ctx)
    publish(ctx, pid, datetime(2026, 3, 21, 8, tzinfo=UTC))
    clock.set(datetime(2026, 6, 25, 12, tzinfo=UTC))  # three months later
    assert len(ctx.series.evergreen_tick().ids("post", "created")) == 1
    assert ctx.series.evergreen_tick().empty
    assert len(ctx.series.get(sid).post_ids) == 2


def test_evergreen_uses_the_next_free_queue_slot(ctx: AppContext, clock: FakeClock) -> None:
    _, pid, _sid = evergreen(ctx)
    publish(ctx, pid, datetime(2026, 3, 21, 8, tzinfo=UTC))
    clock.set(datetime(2026, 4, 25, 12, tzinfo=UTC))
    slot = datetime(2026, 4, 28, 15, 30, tzinfo=UTC)
    asked: list[list[int]] = []

    def finder(channel_ids: list[int], *, after: datetime) -> dict[int, datetime]:
        asked.append(list(channel_ids))
        assert after >= clock.now()
        return {channel_ids[0]: slot}

    ctx.series.slot_finder = finder
    made = ctx.series.evergreen_tick().ids("post", "created")
    assert ctx.plan.get_post(made.pop()).scheduled_at == slot
    assert asked


def test_evergreen_pause_and_bad_days(ctx: AppContext, clock: FakeClock) -> None:
    wid, pid, sid = evergreen(ctx)
    publish(ctx, pid, datetime(2026, 3, 21, 8, tzinfo=UTC))
    ctx.series.set_active(sid, False)
    clock.set(datetime(2026, 5, 1, tzinfo=UTC))
    assert ctx.series.evergreen_tick().empty
    other = post(ctx, wid)
    with pytest.raises(ValidationError, match="1 to 3650 days"):
        ctx.series.make_evergreen(other, 0, [])
    with pytest.raises(ValidationError, match="already repeats"):
        ctx.series.make_evergreen(pid, 10, [])


def test_save_repeating_evergreen(ctx: AppContext) -> None:
    wid = workspace(ctx)
    result = ctx.series.save_repeating(
        wid,
        None,
        PostInput(text="Evergreen guide"),
        {},
        placement=PlacementInput(SaveAs.KEEP, None),
        repeat=EvergreenInput(45, ("Guide, again",)),
    )
    dto = ctx.series.get(result.series_id)
    assert dto.kind == "evergreen" and dto.every_days == 45
    assert dto.variations == ("Evergreen guide", "Guide, again")


# --- upkeep ----------------------------------------------------------------------------------


def test_upkeep_through_a_real_housekeeper(ctx: AppContext, clock: FakeClock) -> None:
    start = at_wall_time(date(2026, 3, 20), time(12), "Europe/Madrid")  # in an hour
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    before = len(ctx.series.get(sid).post_ids)
    keeper = Housekeeper()
    register_upkeep(keeper, ctx)
    assert TASK in keeper.names
    assert ctx.series.slot_finder is not None
    clock.advance(timedelta(days=3))
    assert keeper.run_now(TASK)
    assert len(ctx.series.get(sid).post_ids) == before + 3


def test_recurring_after_a_long_sleep_makes_no_past_posts(
    ctx: AppContext, clock: FakeClock
) -> None:
    start = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="daily"), start)
    horizon = ctx.series.get(sid).horizon_until
    assert horizon is not None
    clock.set(horizon + timedelta(days=30))  # the machine was off for four months
    made = ctx.series.extend_horizons().ids("post", "created")
    times = [ctx.plan.get_post(p).scheduled_at for p in made]
    assert all(t is not None and t > clock.now() for t in times)
    assert 85 <= len(made) <= 92


def test_an_occurrence_deleted_the_ordinary_way_stays_deleted_after_the_purge(
    ctx: AppContext, clock: FakeClock
) -> None:
    start = at_wall_time(date(2026, 3, 20), time(12), "Europe/Madrid")
    _, _, sid = repeating(ctx, RecurrenceInput(frequency="weekly"), start)
    far = ctx.series.get(sid).post_ids[-1]  # about 12 weeks ahead
    far_key = ctx.series.occurrence_key(far)
    ctx.history.trash([far])  # the Delete key
    ctx.series.extend_horizons()
    clock.advance(timedelta(days=31))
    assert ctx.history.purge_trash() == 1
    ctx.series.extend_horizons()
    keys = [ctx.series.occurrence_key(p) for p in ctx.series.get(sid).post_ids]
    assert far_key is not None and far_key not in keys
    assert ctx.series.get(sid).exdates == (far_key,)


@settings(max_examples=60, deadline=None)
@given(
    zone_name=st.sampled_from(["Europe/Madrid", "America/New_York", "Australia/Sydney"]),
    day=st.dates(min_value=date(2026, 1, 1), max_value=date(2027, 12, 31)),
    hh=st.integers(0, 23),
    mm=st.sampled_from([0, 15, 30, 45]),
    freq=st.sampled_from(["DAILY", "WEEKLY", "MONTHLY"]),
)
def test_every_occurrence_keeps_the_wall_clock_unless_it_does_not_exist(
    zone_name: str, day: date, hh: int, mm: int, freq: str
) -> None:
    start = datetime.combine(day, time(hh, mm))
    rule = check_rrule(f"FREQ={freq};COUNT=40", start, zone_name)
    after = at_wall_time(day, time(0), zone_name) - timedelta(days=1)
    found = occurrences_between(rule, zone_name, after, after + timedelta(days=3700))
    assert len(found) == 40
    instants = [when for _, when in found]
    assert instants == sorted(instants) and len(set(instants)) == 40
    for key, when in found:
        local = utc_to_local(when, zone_name).replace(tzinfo=None)
        wanted = parse_key(key)
        if local != wanted:
            # Only inside a spring-forward gap: then the first valid minute after it.
            assert local > wanted and local - wanted <= timedelta(hours=1)
            gap_minute = wanted.replace(tzinfo=zone(zone_name))
            assert (
                gap_minute.astimezone(UTC).astimezone(zone(zone_name)).replace(tzinfo=None)
                != wanted
            )  # the wanted time really does not exist
