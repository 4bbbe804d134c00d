"""The CM routine: periods per zone and week start, DST days, templates, history, due today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.planning import routine_periods as rp
from cmdesk.planning.routine_dto import CellState, RoutineTaskInput
from cmdesk.planning.routine_store import describe_reminders
from cmdesk.planning.routine_templates import DEFAULT_KEYS, TEMPLATES, action_of
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import workspace


def _at(day: date, hh: int, mm: int, tz: str) -> datetime:
    return at_wall_time(day, time(hh, mm), tz)


# --- periods -----------------------------------------------------------------------------------


def test_period_keys_follow_iso_weeks_and_the_week_start() -> None:
    assert rp.period_of("daily", date(2026, 11, 24)).key == "2026-11-24"
    assert rp.period_of("monthly", date(2026, 11, 24)).key == "2026-11"
    monday = rp.period_of("weekly", date(2026, 11, 24), 0)
    assert (monday.key, monday.start, monday.end) == (
        "2026-W48",
        date(2026, 11, 23),
        date(2026, 11, 30),
    )
    sunday = rp.period_of("weekly", date(2026, 11, 22), 6)  # a Sunday opens its own week
    assert (sunday.key, sunday.start) == ("2026-W48", date(2026, 11, 22))
    assert rp.period_of("weekly", date(2026, 11, 22), 0).key == "2026-W47"
    # Around New Year: 2026 has an ISO week 53; 1 Jan 2027 (a Friday) still belongs to it.
    assert rp.period_of("weekly", date(2027, 1, 1), 0).key == "2026-W53"
    assert rp.period_of("weekly", date(2027, 1, 3), 6).key == "2027-W01"
    assert rp.period_of("monthly", date(2026, 2, 14)).end == date(2026, 3, 1)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)),
    st.integers(min_value=0, max_value=6),
)
def test_weeks_hold_their_days_and_neighbours_never_share_a_name(day: date, start: int) -> None:
    week = rp.period_of("weekly", day, start)
    assert week.start <= day < week.end and week.start.weekday() == start
    assert all(rp.period_of("weekly", d, start).key == week.key for d in _days(week))
    assert rp.period_of("weekly", week.end, start).key != week.key
    assert rp.period_of("weekly", week.start - timedelta(days=1), start).key != week.key


def _days(p: rp.Period) -> list[date]:
    return [p.start + timedelta(days=i) for i in range((p.end - p.start).days)]


def test_rules_give_the_due_day_of_a_period_and_month_ends_clamp() -> None:
    rule = rp.build_rule("monthly", month_day=31)
    assert rp.due_days(rule, rp.period_of("monthly", date(2026, 11, 5))) == [date(2026, 11, 30)]
    assert rp.due_days(rule, rp.period_of("monthly", date(2026, 2, 5))) == [date(2026, 2, 28)]
    assert rp.due_days(rule, rp.period_of("monthly", date(2026, 12, 5))) == [date(2026, 12, 31)]
    weekly = rp.build_rule("weekly", weekday=4)
    assert rp.due_days(weekly, rp.period_of("weekly", date(2026, 11, 24), 6)) == [
        date(2026, 11, 27)
    ]
    weekdays = rp.build_rule("daily", weekdays=(0, 1, 2, 3, 4))
    assert rp.due_days(weekdays, rp.period_of("daily", date(2026, 11, 28))) == []
    assert rp.describe_rule("daily", weekdays) == "on weekdays"
    assert rp.describe_rule("weekly", weekly) == "Fridays"
    with pytest.raises(ValidationError):
        rp.build_rule("weekly")
    with pytest.raises(ValidationError):
        rp.build_rule("monthly", month_day=32)


# --- templates ---------------------------------------------------------------------------------


def test_templates_cover_the_profession_and_say_how_to_do_it() -> None:
    keys = {t.key for t in TEMPLATES}
    for wanted in (
        "daily.answer_replies",
        "daily.check_published",
        "daily.listen",
        "weekly.plan_topics",
        "weekly.schedule_week",
        "weekly.report_kpis",
        "monthly.content_agenda",
        "monthly.review_campaigns",
        "monthly.study_competitors",
    ):
        assert wanted in keys
    assert set(DEFAULT_KEYS) <= keys
    assert all(t.description.strip() and t.rule for t in TEMPLATES)
    assert action_of("daily.answer_replies") == "inbox"
    assert action_of("custom.report") == "report"
    assert action_of("custom.nowhere") is None


def test_a_workspace_gets_the_defaults_once(ctx: AppContext) -> None:
    wid = workspace(ctx)
    created = ctx.routine.ensure_defaults(wid)
    assert len(created.ids("routine_task", "created")) == len(DEFAULT_KEYS)
    for task in ctx.routine.tasks(wid):
        ctx.routine.remove_task(task.id)
    assert ctx.routine.ensure_defaults(wid).empty
    assert ctx.routine.tasks(wid) == []
    other = workspace(ctx, "Other")
    ctx.routine.ensure_defaults(other)
    assert len(ctx.routine.tasks(other)) == len(DEFAULT_KEYS)


def test_templates_are_added_once_and_unknown_ones_refused(ctx: AppContext) -> None:
    wid = workspace(ctx)
    ctx.routine.add_templates(wid, ["weekly.follow_ads", "monthly.audit_profiles"])
    with pytest.raises(ValidationError, match="already"):
        ctx.routine.add_templates(wid, ["weekly.follow_ads"])
    with pytest.raises(ValidationError, match="Unknown"):
        ctx.routine.add_templates(wid, ["weekly.nap"])
    assert [t.template_key for t in ctx.routine.tasks(wid)] == [
        "weekly.follow_ads",
        "monthly.audit_profiles",
    ]


def test_the_demo_workspaces_get_the_routine(ctx: AppContext) -> None:
    ctx.demo.create_demo()
    for ws in ctx.workspaces.list():
        ctx.routine.ensure_defaults(ws.id)
        assert ctx.routine.checklist(ws.id, "today").items


# --- own tasks ---------------------------------------------------------------------------------


def test_own_tasks_are_added_edited_reordered_and_removed(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = ctx.routine.add_task(
        wid, RoutineTaskInput("Send newsletter", cadence="weekly", weekday=1)
    ).subject
    b = ctx.routine.add_task(
        wid, RoutineTaskInput("Thank new followers", remind_at="18:00", action="inbox")
    ).subject
    c = ctx.routine.add_task(
        wid, RoutineTaskInput("Tidy media", cadence="weekly", weekday=4)
    ).subject
    assert a and b and c
    titles = [t.title for t in ctx.routine.tasks(wid)]
    assert titles == ["Thank new followers", "Send newsletter", "Tidy media"]  # daily first
    ctx.routine.move_task(c, -1)
    assert [t.title for t in ctx.routine.tasks(wid)][1:] == ["Tidy media", "Send newsletter"]
    ctx.routine.update_task(
        a,
        RoutineTaskInput(
            "Send the newsletter", "Mailchimp", "monthly", month_day=3, action="report"
        ),
    )
    edited = ctx.routine.get(a)
    assert (edited.title, edited.cadence, edited.month_day, edited.action) == (
        "Send the newsletter",
        "monthly",
        3,
        "report",
    )
    assert ctx.routine.get(b).action == "inbox" and ctx.routine.get(b).remind_at == "18:00"
    ctx.routine.remove_task(c)
    with pytest.raises(NotFoundError):
        ctx.routine.get(c)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (RoutineTaskInput("   "), "title"),
        (RoutineTaskInput("x" * 201), "title"),
        (RoutineTaskInput("Ok", remind_at="25:00"), "remind_at"),
        (RoutineTaskInput("Ok", remind_at="9:00"), "remind_at"),
        (RoutineTaskInput("Ok", action="elsewhere"), "action"),
        (RoutineTaskInput("Ok", cadence="weekly"), None),
        (RoutineTaskInput("Ok", cadence="hourly"), None),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    ctx: AppContext, data: RoutineTaskInput, field: str | None
) -> None:
    wid = workspace(ctx)
    kept = ctx.routine.add_task(wid, RoutineTaskInput("Keep me")).subject
    assert kept
    with pytest.raises(ValidationError) as info:
        ctx.routine.add_task(wid, data)
    assert info.value.field == field
    with pytest.raises(ValidationError):
        ctx.routine.update_task(kept, data)
    assert [t.title for t in ctx.routine.tasks(wid)] == ["Keep me"]


# --- checking off, due today, history ----------------------------------------------------------


def test_check_off_counts_for_the_day_in_the_workspace_zone(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx, tz="America/New_York")
    tid = ctx.routine.add_task(wid, RoutineTaskInput("Answer")).subject
    assert tid
    clock.set(datetime(2026, 11, 25, 2, 0, tzinfo=UTC))  # 21:00 on the 24th in New York
    ctx.routine.set_done(tid, note="all answered")
    item = ctx.routine.checklist(wid, "today").items[0]
    assert (item.period, item.done, item.note) == ("2026-11-24", True, "all answered")
    clock.set(datetime(2026, 11, 25, 6, 0, tzinfo=UTC))  # 01:00 on the 25th: a new day
    assert not ctx.routine.checklist(wid, "today").items[0].done
    ctx.routine.set_done(tid, day=date(2026, 11, 24), done=False)
    history = ctx.routine.history(wid, "daily", count=2)
    assert [c.state for c in history.rows[0].cells] == [CellState.MISSED, CellState.OPEN]


def test_today_lists_daily_tasks_and_overdue_weekly_ones(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(_at(date(2026, 11, 23), 8, 0, "Europe/Madrid"))  # Monday
    wid = workspace(ctx)
    daily = ctx.routine.add_task(wid, RoutineTaskInput("Replies")).subject
    monday = ctx.routine.add_task(
        wid, RoutineTaskInput("KPIs", cadence="weekly", weekday=0)
    ).subject
    friday = ctx.routine.add_task(
        wid, RoutineTaskInput("Week", cadence="weekly", weekday=4)
    ).subject
    weekend = ctx.routine.add_task(wid, RoutineTaskInput("Weekdays", weekdays=(5, 6))).subject
    today = ctx.routine.checklist(wid, "today")
    assert {i.task.id for i in today.items} == {daily, monday}
    clock.set(_at(date(2026, 11, 25), 8, 0, "Europe/Madrid"))  # Wednesday: KPIs still open
    items = {i.task.id: i for i in ctx.routine.checklist(wid, "today").items}
    assert set(items) == {daily, monday} and items[monday].overdue
    ctx.routine.set_done(monday)
    assert {i.task.id for i in ctx.routine.checklist(wid, "today").items} == {daily}
    week = ctx.routine.checklist(wid, "week")
    assert [(i.task.id, i.done) for i in week.items] == [(monday, True), (friday, False)]
    assert (week.done_count, week.total) == (1, 2)
    assert weekend not in {i.task.id for i in ctx.routine.checklist(wid, "today").items}


def test_history_shows_done_missed_open_and_before(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(_at(date(2026, 11, 4), 9, 0, "Europe/Madrid"))  # Wednesday of W45
    wid = workspace(ctx)
    tid = ctx.routine.add_task(wid, RoutineTaskInput("Plan", cadence="weekly", weekday=3)).subject
    assert tid
    ctx.routine.set_done(tid, note="done early")
    clock.set(_at(date(2026, 11, 25), 9, 0, "Europe/Madrid"))  # three weeks later (W48)
    ctx.routine.set_done(tid, day=date(2026, 11, 19))  # caught up on W47
    history = ctx.routine.history(wid, "weekly", count=5)
    assert history.periods == ("2026-W44", "2026-W45", "2026-W46", "2026-W47", "2026-W48")
    states = [c.state for c in history.rows[0].cells]
    assert states == [
        CellState.BEFORE,
        CellState.DONE,
        CellState.MISSED,
        CellState.DONE,
        CellState.OPEN,
    ]
    assert history.rows[0].cells[1].note == "done early"


def test_week_start_decides_which_week_a_check_off_counts_for(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = ctx.workspaces.create("Sunday brand", "America/New_York", week_start=6).subject
    assert wid
    clock.set(_at(date(2026, 11, 22), 10, 0, "America/New_York"))  # Sunday
    tid = ctx.routine.add_task(wid, RoutineTaskInput("Plan", cadence="weekly", weekday=6)).subject
    assert tid
    ctx.routine.set_done(tid)
    assert ctx.routine.checklist(wid, "week").items[0].period == "2026-W48"
    clock.set(_at(date(2026, 11, 23), 10, 0, "America/New_York"))  # Monday: same week
    assert ctx.routine.checklist(wid, "week").items[0].done


# --- reminders ---------------------------------------------------------------------------------


def test_a_reminder_is_given_once_at_its_time_and_not_when_done(
    ctx: AppContext, clock: FakeClock
) -> None:
    clock.set(_at(date(2026, 11, 24), 9, 59, "Europe/Madrid"))
    wid = workspace(ctx)
    a = ctx.routine.add_task(wid, RoutineTaskInput("Answer replies", remind_at="10:00")).subject
    b = ctx.routine.add_task(wid, RoutineTaskInput("Check posts", remind_at="10:00")).subject
    ctx.routine.add_task(wid, RoutineTaskInput("No reminder"))
    done = ctx.routine.add_task(wid, RoutineTaskInput("Done already", remind_at="09:00")).subject
    assert a and b and done
    ctx.routine.set_done(done)
    assert ctx.routine.claim_reminders() == []
    clock.advance(timedelta(minutes=1))
    due = ctx.routine.claim_reminders()
    assert [d.task_id for d in due] == [a, b]
    assert describe_reminders(due) == (
        "Routine: 2 tasks waiting",
        "Answer replies, Check posts (Brand).",
    )
    assert ctx.routine.claim_reminders() == []
    ctx.routine.release_reminders(due[:1])
    assert [d.task_id for d in ctx.routine.claim_reminders()] == [a]
    clock.set(_at(date(2026, 11, 25), 10, 5, "Europe/Madrid"))  # next day: a new period
    assert {d.task_id for d in ctx.routine.claim_reminders()} == {a, b, done}


def test_the_window_and_the_daemon_never_both_remind(db_url: str, clock: FakeClock) -> None:
    first = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    second = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    try:
        clock.set(_at(date(2026, 11, 24), 11, 0, "Europe/Madrid"))
        wid = workspace(first)
        first.routine.add_task(wid, RoutineTaskInput("Answer", remind_at="10:00"))
        got = first.routine.claim_reminders() + second.routine.claim_reminders()
        assert len(got) == 1
    finally:
        first.close()
        second.close()


def test_a_weekly_reminder_waits_for_its_day_then_holds_for_the_week(
    ctx: AppContext, clock: FakeClock
) -> None:
    clock.set(_at(date(2026, 11, 23), 12, 0, "Europe/Madrid"))  # Monday
    wid = workspace(ctx)
    tid = ctx.routine.add_task(
        wid, RoutineTaskInput("Plan", cadence="weekly", weekday=3, remind_at="10:00")
    ).subject
    assert ctx.routine.claim_reminders() == []
    clock.set(_at(date(2026, 11, 28), 9, 0, "Europe/Madrid"))  # Saturday, app opened late
    assert [d.task_id for d in ctx.routine.claim_reminders()] == [tid]
    clock.advance(timedelta(days=1))
    assert ctx.routine.claim_reminders() == []


@pytest.mark.parametrize(
    ("tz", "day", "wall", "before_utc", "at_utc"),
    [
        # 02:30 does not exist on spring-forward days: the reminder comes at 03:30 local.
        (
            "Europe/Madrid",
            date(2026, 3, 29),
            "02:30",
            datetime(2026, 3, 29, 1, 29, tzinfo=UTC),
            datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
        ),
        # 02:30 happens twice when summer time ends: the first one counts.
        (
            "Europe/Madrid",
            date(2026, 10, 25),
            "02:30",
            datetime(2026, 10, 25, 0, 29, tzinfo=UTC),
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
        (
            "America/New_York",
            date(2026, 3, 8),
            "02:30",
            datetime(2026, 3, 8, 7, 29, tzinfo=UTC),
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        ),
        (
            "America/New_York",
            date(2026, 11, 1),
            "01:30",
            datetime(2026, 11, 1, 5, 29, tzinfo=UTC),
            datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        ),
        # A plain wall-clock time keeps its place on the day the clocks change.
        (
            "Europe/Madrid",
            date(2026, 3, 29),
            "09:00",
            datetime(2026, 3, 29, 6, 59, tzinfo=UTC),
            datetime(2026, 3, 29, 7, 0, tzinfo=UTC),
        ),
        (
            "America/New_York",
            date(2026, 11, 1),
            "09:00",
            datetime(2026, 11, 1, 13, 59, tzinfo=UTC),
            datetime(2026, 11, 1, 14, 0, tzinfo=UTC),
        ),
    ],
)
def test_reminders_on_daylight_saving_days(
    ctx: AppContext,
    clock: FakeClock,
    tz: str,
    day: date,
    wall: str,
    before_utc: datetime,
    at_utc: datetime,
) -> None:
    clock.set(_at(day, 0, 5, tz))
    wid = workspace(ctx, tz=tz)
    ctx.routine.add_task(wid, RoutineTaskInput("Answer", remind_at=wall))
    clock.set(before_utc)
    assert ctx.routine.claim_reminders() == []
    clock.set(at_utc)
    due = ctx.routine.claim_reminders()
    assert [d.period for d in due] == [day.isoformat()]


def test_a_check_off_late_on_a_dst_day_counts_for_that_local_day(
    ctx: AppContext, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 3, 29, 21, 30, tzinfo=UTC))  # 23:30 CEST on the 23-hour day
    wid = workspace(ctx)
    tid = ctx.routine.add_task(wid, RoutineTaskInput("Answer")).subject
    assert tid
    ctx.routine.set_done(tid)
    assert ctx.routine.checklist(wid, "today").items[0].period == "2026-03-29"
    clock.set(datetime(2026, 10, 25, 22, 30, tzinfo=UTC))  # 23:30 CET on the 25-hour day
    ctx.routine.set_done(tid)
    assert ctx.routine.checklist(wid, "today").items[0].period == "2026-10-25"
