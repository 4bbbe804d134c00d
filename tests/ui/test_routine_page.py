"""The Routine page: checklists, keyboard, task dialogs, action buttons and the history grid."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.planning.routine_dto import CellState, RoutineTaskInput
from cmdesk.planning.routine_templates import DEFAULT_KEYS
from cmdesk.timeutil import at_wall_time
from tests.core.helpers import workspace
from ui.views.routine_dialogs import RoutineTaskDialog, TemplatePickerDialog
from ui.views.routine_models import ChecklistModel, HistoryModel, RoutineRole
from ui.views.routine_page import RoutinePage

MONDAY = at_wall_time(date(2026, 11, 23), time(9, 0), "Europe/Madrid")


@pytest.fixture
def page(qtbot: QtBot, empty_ctx: AppContext, fake_clock: FakeClock) -> RoutinePage:
    fake_clock.set(MONDAY)
    wid = workspace(empty_ctx, "Espiga")
    view = RoutinePage(empty_ctx)
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.set_workspace(empty_ctx.workspaces.get(wid))
    view.show()
    qtbot.waitExposed(view)
    return view


def test_a_new_workspace_shows_the_default_routine(
    page: RoutinePage, empty_ctx: AppContext
) -> None:
    assert page.workspace is not None
    assert len(empty_ctx.routine.tasks(page.workspace.id)) == len(DEFAULT_KEYS)
    today = page.panels["today"].model
    titles = [today.data(today.index(r, 0)) for r in range(today.rowCount())]
    assert "Answer replies and mentions" in titles
    assert "Report the week's KPIs" in titles  # due on Mondays
    assert "Plan next week's topics" not in titles  # a Thursday task
    assert page.progress_label.text() == f"0 of {len(titles)} done today"
    assert page.day_label.text().startswith("Monday 23 November")


def test_models_pass_the_model_tester(qtmodeltester: Any, page: RoutinePage) -> None:
    for panel in page.panels.values():
        qtmodeltester.check(panel.model)
    page.tabs.setCurrentWidget(page.history)
    qtmodeltester.check(page.history.model)
    qtmodeltester.check(ChecklistModel())
    qtmodeltester.check(HistoryModel())


def test_space_toggles_the_current_task(qtbot: QtBot, page: RoutinePage) -> None:
    panel = page.panels["today"]
    panel.list.setFocus()
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    first = panel.current_task_id()
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    index = panel.model.index(panel.model.row_of(first or -1), 0)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert index.data(RoutineRole.DONE) is True
    assert page.progress.value() == 1
    qtbot.keyClick(panel.list, Qt.Key.Key_Space)
    assert panel.model.index(0, 0).data(RoutineRole.DONE) is False
    assert page.progress.value() == 0


def test_clicking_the_check_box_checks_off(qtbot: QtBot, page: RoutinePage) -> None:
    panel = page.panels["today"]
    rect = panel.list.visualRect(panel.model.index(1, 0))
    delegate = panel.list.itemDelegate()
    box = delegate.check_rect(rect)  # type: ignore[attr-defined]
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=box.center())
    assert panel.model.index(1, 0).data(RoutineRole.DONE) is True


def test_a_note_is_kept_with_the_check_off(page: RoutinePage, empty_ctx: AppContext) -> None:
    panel = page.panels["today"]
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    panel.note.setText("14 replies answered")
    panel.done_button.click()
    item = panel.current_item()
    assert item is not None and item.done and item.note == "14 replies answered"
    assert panel.done_button.text() == "Mark not done"


def test_the_action_button_asks_for_its_place(qtbot: QtBot, page: RoutinePage) -> None:
    panel = page.panels["today"]
    row = next(
        r
        for r in range(panel.model.rowCount())
        if panel.model.item(r).task.action == "inbox"  # type: ignore[union-attr]
    )
    panel.list.setCurrentIndex(panel.model.index(row, 0))
    assert panel.action_button.isVisible() and panel.action_button.text() == "Open the inbox"
    with qtbot.waitSignal(page.action_requested) as blocker:
        panel.action_button.click()
    assert blocker.args == ["inbox"]


def test_ctrl_return_adds_a_task_and_bad_input_keeps_the_dialog_open(
    qtbot: QtBot, page: RoutinePage, empty_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcomes: list[bool] = []

    def fake_exec(dialog: RoutineTaskDialog) -> int:
        dialog.title.setText("   ")
        dialog.accept()
        outcomes.append(dialog.error.isVisibleTo(dialog))
        assert dialog.result() != QDialog.DialogCode.Accepted
        dialog.title.setText("Thank new followers")
        dialog.remind.setChecked(True)
        dialog.action.setCurrentIndex(dialog.action.findData("inbox"))
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(RoutineTaskDialog, "exec", fake_exec)
    page.panels["today"].list.setFocus()
    qtbot.keyClick(
        page.panels["today"].list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
    )
    assert outcomes == [True]
    assert page.workspace is not None
    added = [
        t for t in empty_ctx.routine.tasks(page.workspace.id) if t.title == "Thank new followers"
    ]
    assert len(added) == 1 and added[0].action == "inbox" and added[0].remind_at == "10:00"
    today = page.panels["today"].model
    assert any(today.item(r).task.id == added[0].id for r in range(today.rowCount()))  # type: ignore[union-attr]


def test_editing_a_task_from_the_week_tab(
    page: RoutinePage, empty_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = page.panels["week"]
    page.tabs.setCurrentWidget(panel)
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    tid = panel.current_task_id()
    assert tid is not None

    def fake_exec(dialog: RoutineTaskDialog) -> int:
        assert dialog.title.text() == empty_ctx.routine.get(tid).title
        dialog.weekday.setCurrentIndex(2)
        dialog.accept()
        return dialog.result()

    monkeypatch.setattr(RoutineTaskDialog, "exec", fake_exec)
    panel.edit_button.click()
    assert empty_ctx.routine.get(tid).weekday == 2


def test_remove_asks_first(
    page: RoutinePage, empty_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel = page.panels["month"]
    panel.list.setCurrentIndex(panel.model.index(0, 0))
    tid = panel.current_task_id()
    answers = iter([QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes])
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: next(answers))
    panel.remove_button.click()
    assert tid in {t.id for t in empty_ctx.routine.tasks(page.workspace.id)}  # type: ignore[union-attr]
    panel.remove_button.click()
    assert tid not in {t.id for t in empty_ctx.routine.tasks(page.workspace.id)}  # type: ignore[union-attr]


def test_templates_add_the_chosen_tasks(
    page: RoutinePage, empty_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fake_exec(dialog: TemplatePickerDialog) -> int:
        for i in range(dialog.list.count()):
            item = dialog.list.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == "weekly.follow_ads":
                item.setCheckState(Qt.CheckState.Checked)
        return 1

    monkeypatch.setattr(TemplatePickerDialog, "exec", fake_exec)
    page.templates_button.click()
    keys = {t.template_key for t in empty_ctx.routine.tasks(page.workspace.id)}  # type: ignore[union-attr]
    assert "weekly.follow_ads" in keys


def test_history_shows_missed_days(
    page: RoutinePage, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    assert page.workspace is not None
    wid = page.workspace.id
    tid = empty_ctx.routine.add_task(wid, RoutineTaskInput("Replies")).subject
    assert tid
    empty_ctx.routine.set_done(tid)
    fake_clock.set(MONDAY + timedelta(days=2))
    page.refresh()
    page.history.span.setCurrentIndex(0)  # last 14 days
    model = page.history.model
    row = next(r for r in range(model.rowCount()) if model.history.rows[r].task.id == tid)
    states = [model.cell(row, c).state for c in range(model.columnCount())]  # type: ignore[union-attr]
    assert states[-3:] == [CellState.DONE, CellState.MISSED, CellState.OPEN]
    assert states[0] is CellState.BEFORE
    missed = model.index(row, model.columnCount() - 2)
    assert missed.data() == "✗"
    assert "missed" in missed.data(Qt.ItemDataRole.ToolTipRole)
    assert "missed" in page.history.summary.text()


def test_every_control_has_an_accessible_name(page: RoutinePage) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit

    for kind in (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit):
        for widget in page.findChildren(kind):  # type: ignore[type-var]
            if widget.isVisibleTo(page) and not widget.inherits("QTabBar"):
                assert widget.accessibleName() or widget.text(), widget  # type: ignore[attr-defined]


def test_no_workspace_disables_the_page(qtbot: QtBot, empty_ctx: AppContext) -> None:
    view = RoutinePage(empty_ctx)
    qtbot.addWidget(view)
    view.set_workspace(None)
    view.show()
    assert not view.new_button.isEnabled()
    assert "workspace" in view.day_label.text()


def test_the_reminder_time_is_fixed_in_the_workspace_zone(
    page: RoutinePage, empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    fake_clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=UTC))  # 00:30 on Tuesday in Madrid
    page.refresh()
    assert page.day_label.text().startswith("Tuesday 24 November")
