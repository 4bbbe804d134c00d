"""Routine reminders in the window: batched per workspace, once, held in quiet hours, clickable."""

from __future__ import annotations

from datetime import date, time, timedelta

from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.planning.routine_dto import RoutineTaskInput
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import workspace
from ui.inbox_alerts import install_quiet_hours
from ui.notifier import Notification, Notifier, Surface
from ui.routine_reminders import RoutineReminders


def _setup(
    ctx: AppContext, clock: FakeClock
) -> tuple[int, Notifier, RoutineReminders, list[Notification]]:
    clock.set(at_wall_time(date(2026, 11, 24), time(9, 0), "Europe/Madrid"))
    wid = workspace(ctx, "Espiga")
    ctx.routine.add_task(wid, RoutineTaskInput("Answer replies", remind_at="10:00"))
    ctx.routine.add_task(wid, RoutineTaskInput("Check yesterday's posts", remind_at="10:00"))
    ctx.routine.add_task(wid, RoutineTaskInput("Later", remind_at="18:00"))
    notifier = Notifier(tray_check=lambda: False)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    reminders = RoutineReminders(ctx, notifier, poll_ms=50, soon_ms=10)
    return wid, notifier, reminders, seen


def test_due_tasks_are_one_notification_given_once(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    wid, _notifier, reminders, seen = _setup(empty_ctx, fake_clock)
    reminders.start()
    qtbot.wait(120)
    assert seen == []  # 09:00 in Madrid: not yet
    fake_clock.advance(timedelta(hours=1))
    qtbot.waitUntil(lambda: len(seen) == 1)
    qtbot.wait(150)  # later looks find nothing new
    assert len(seen) == 1
    note = seen[0]
    assert note.title == "Routine: 2 tasks waiting"
    assert note.message == "Answer replies, Check yesterday's posts (Espiga)."
    assert note.workspace_id == wid and note.shown_in is Surface.BANNER
    reminders.close()


def test_clicking_the_reminder_asks_for_the_routine_page(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    wid, notifier, reminders, _seen = _setup(empty_ctx, fake_clock)
    fake_clock.advance(timedelta(hours=1))
    shown = reminders.check()
    assert len(shown) == 1
    other = notifier.notify("Something else", "not ours")
    with qtbot.assertNotEmitted(reminders.open_requested, wait=10):
        notifier.activate(other)
    with qtbot.waitSignal(reminders.open_requested) as blocker:
        notifier.activate(shown[0])
    assert blocker.args == [wid]
    reminders.close()


def test_quiet_hours_hold_reminders_until_they_end(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    _wid, notifier, reminders, seen = _setup(empty_ctx, fake_clock)
    fake_clock.advance(timedelta(hours=1))
    wall = fake_clock.now().astimezone()
    empty_ctx.settings.set("quiet_hours_enabled", True)
    empty_ctx.settings.set("quiet_hours_start", (wall - timedelta(hours=1)).strftime("%H:%M"))
    empty_ctx.settings.set("quiet_hours_end", (wall + timedelta(minutes=30)).strftime("%H:%M"))
    install_quiet_hours(notifier, empty_ctx)
    assert reminders.check() == []
    assert seen == [] and notifier.held == []  # not claimed: nothing lost if the app quits
    fake_clock.advance(timedelta(minutes=45))
    notifier.check_quiet_hours()  # quiet hours end: the watcher looks at once
    qtbot.waitUntil(lambda: len(seen) == 1)
    assert seen[0].title == "Routine: 2 tasks waiting"
    reminders.close()


def test_a_task_checked_off_before_its_time_is_not_reminded(
    qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    wid, _notifier, reminders, _seen = _setup(empty_ctx, fake_clock)
    first = empty_ctx.routine.tasks(wid)[0]
    empty_ctx.routine.set_done(first.id)
    fake_clock.advance(timedelta(hours=1))
    shown = reminders.check()
    assert [n.message for n in shown] == ["Check yesterday's posts (Espiga)."]
    assert shown[0].title == "Routine: 1 task waiting"
    reminders.close()
