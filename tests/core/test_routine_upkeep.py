"""Routine reminders from the daemon: after the window's head start, once, quiet hours held."""

from __future__ import annotations

from datetime import date, time, timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.housekeeping import Housekeeper
from cmdesk.planning.routine_dto import RoutineTaskInput
from cmdesk.planning.routine_upkeep import DAEMON_DELAY, register_upkeep, remind_tick
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import workspace


def _due_at_ten(ctx: AppContext, clock: FakeClock) -> None:
    clock.set(at_wall_time(date(2026, 11, 24), time(8, 0), "Europe/Madrid"))
    wid = workspace(ctx)
    ctx.routine.add_task(wid, RoutineTaskInput("Answer replies", remind_at="10:00"))
    clock.set(at_wall_time(date(2026, 11, 24), time(10, 0), "Europe/Madrid"))


def test_the_daemon_leaves_the_window_a_head_start_then_reminds_once(
    ctx: AppContext, clock: FakeClock
) -> None:
    _due_at_ten(ctx, clock)
    shown: list[tuple[str, str]] = []

    def show(title: str, message: str) -> bool:
        shown.append((title, message))
        return True

    assert remind_tick(ctx, show) == 0
    clock.advance(DAEMON_DELAY)
    assert remind_tick(ctx, show) == 1
    assert remind_tick(ctx, show) == 0
    assert shown == [("Routine: 1 task waiting", "Answer replies (Brand).")]


def test_a_reminder_that_could_not_be_shown_is_handed_back(
    ctx: AppContext, clock: FakeClock
) -> None:
    _due_at_ten(ctx, clock)
    clock.advance(DAEMON_DELAY)
    assert remind_tick(ctx, lambda _t, _m: False) == 0
    assert len(ctx.routine.claim_reminders()) == 1  # still there for the window


def test_quiet_hours_hold_the_daemon(ctx: AppContext, clock: FakeClock) -> None:
    _due_at_ten(ctx, clock)
    clock.advance(DAEMON_DELAY)
    wall = clock.now().astimezone()
    ctx.settings.set("quiet_hours_enabled", True)
    ctx.settings.set("quiet_hours_start", (wall - timedelta(hours=1)).strftime("%H:%M"))
    ctx.settings.set("quiet_hours_end", (wall + timedelta(hours=1)).strftime("%H:%M"))
    assert remind_tick(ctx, lambda _t, _m: True) == 0
    clock.advance(timedelta(hours=2))
    assert remind_tick(ctx, lambda _t, _m: True) == 1


def test_through_a_real_housekeeper(ctx: AppContext, clock: FakeClock) -> None:
    _due_at_ten(ctx, clock)
    clock.advance(DAEMON_DELAY)
    shown: list[str] = []
    keeper = Housekeeper()
    register_upkeep(keeper, ctx, show=lambda title, _m: shown.append(title) is None)
    assert keeper.names == ["routine-reminders"]
    assert keeper.run_now("routine-reminders")
    assert shown == ["Routine: 1 task waiting"]
