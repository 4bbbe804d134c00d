"""The CSV import dialog, the export dialogs and the calendar subscription settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, WorkspaceDTO
from ui.actions import PlanActions
from ui.models.exchange import ImportPreviewModel, ImportProblemsModel, ImportRole
from ui.tasks import TaskRunner
from ui.views.csv_import_dialog import CsvImportDialog
from ui.views.export_dialog import ExportDialog
from ui.views.settings_calendar_feed import CalendarFeedSettings

GOOD = (
    "date,time,channels,text,status\n"
    "2026-03-30,09:00,Masto,Spring menu is here,\n"
    ",,,An idea for later,idea\n"
)
BAD = "date,time,channels,text\n2026-03-29,02:30,Masto,gap\n2026-04-01,10:00,Nobody,who\n"


def _setup(ctx: AppContext) -> WorkspaceDTO:
    wid = ctx.workspaces.create("Brand", "Europe/Madrid").subject
    assert wid is not None
    ctx.channels.add(wid, "mastodon", "Masto", handle="@brand@example.social")
    return ctx.workspaces.get(wid)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    made = TaskRunner()
    yield made
    made.shutdown()


def _dialog(
    qtbot: QtBot, ctx: AppContext, runner: TaskRunner
) -> tuple[CsvImportDialog, PlanActions, TaskRunner]:
    actions = PlanActions(ctx)
    actions.show_errors = False
    dialog = CsvImportDialog(ctx, _setup(ctx), runner, actions)
    qtbot.addWidget(dialog)
    return dialog, actions, runner


def _check(qtbot: QtBot, dialog: CsvImportDialog, runner: TaskRunner, path: Path) -> None:
    dialog.set_path(str(path))
    qtbot.waitUntil(runner.is_idle)
    assert dialog.plan is not None


def test_models_pass_the_model_tester(
    qtmodeltester: ModelTester, empty_ctx: AppContext, tmp_path: Path
) -> None:
    ws = _setup(empty_ctx)
    preview, problems = ImportPreviewModel(), ImportProblemsModel()
    qtmodeltester.check(preview)
    qtmodeltester.check(problems)
    preview.set_plan(empty_ctx.exchange.check_csv(ws.id, GOOD))
    problems.set_plan(empty_ctx.exchange.check_csv(ws.id, BAD))
    qtmodeltester.check(preview)
    qtmodeltester.check(problems)
    assert preview.rowCount() == 2 and problems.rowCount() == 2
    assert preview.index(0, 1).data() == "2026-03-30 09:00 Europe/Madrid"
    assert preview.index(1, 2).data() == "No channel"
    assert problems.index(0, 1).data() == "2 (time)"
    assert problems.index(1, 0).data(ImportRole.LINE) == 3


def test_problems_are_shown_and_import_stays_off(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    dialog, _actions, runner = _dialog(qtbot, empty_ctx, runner)
    path = tmp_path / "bad.csv"
    path.write_text(BAD, encoding="utf-8")
    _check(qtbot, dialog, runner, path)
    assert not dialog.import_button.isEnabled()
    assert dialog.tabs.currentWidget() is dialog.problems_view
    assert dialog.problems.rowCount() == 2
    assert "2 problems found" in dialog.status.text()
    assert "does not exist" in dialog.problems.index(0, 2).data()


def test_a_good_file_imports_as_one_undo_step(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    dialog, actions, runner = _dialog(qtbot, empty_ctx, runner)
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    _check(qtbot, dialog, runner, path)
    assert dialog.import_button.isEnabled()
    assert dialog.status.text() == "2 posts to import."
    with qtbot.waitSignal(dialog.imported) as done:
        dialog.import_button.click()
    assert done.args == ["Imported 2 posts."]
    wid = dialog.workspace.id
    assert len(empty_ctx.plan.list_posts(wid)) == 2
    assert actions.undo_stack.undoText() == "Import of 2 posts"
    actions.undo_stack.undo()
    assert empty_ctx.plan.list_posts(wid) == []
    actions.undo_stack.redo()
    assert len(empty_ctx.plan.list_posts(wid)) == 2


def test_reimport_has_nothing_new(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    dialog, _actions, runner = _dialog(qtbot, empty_ctx, runner)
    empty_ctx.exchange.import_csv(dialog.workspace.id, GOOD)
    path = tmp_path / "again.csv"
    empty_ctx.exchange.export_csv(dialog.workspace.id, path)
    _check(qtbot, dialog, runner, path)
    assert not dialog.import_button.isEnabled()
    assert dialog.status.text() == "Nothing new to import: every row is already in the plan."
    assert "Already in the plan" in dialog.preview.index(0, 5).data()


def test_export_dialogs_write_the_chosen_range(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    ws = _setup(empty_ctx)
    empty_ctx.exchange.import_csv(
        ws.id, GOOD + "2026-04-10,09:00,Masto,April post,\n2026-03-25,09:00,Masto,Soon,\n"
    )
    dialog = ExportDialog(empty_ctx, ws, runner, "ics", PostFilter(text="soon"))
    qtbot.addWidget(dialog)
    dialog.this_month.setChecked(True)
    assert dialog.selected_range() == (date(2026, 3, 1), date(2026, 3, 31))
    assert dialog.use_filter.isChecked()
    dialog.path_edit.setText(str(tmp_path / "march"))
    with qtbot.waitSignal(dialog.exported) as done:
        dialog.export_button.click()
    assert done.args == [f"Wrote 1 event to {tmp_path / 'march.ics'}."]
    events = Calendar.from_ical((tmp_path / "march.ics").read_bytes()).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Soon"]

    csv_dialog = ExportDialog(empty_ctx, ws, runner, "csv")
    qtbot.addWidget(csv_dialog)
    assert not csv_dialog.use_filter.isEnabled()
    csv_dialog.path_edit.setText(str(tmp_path / "all.csv"))
    with qtbot.waitSignal(csv_dialog.exported):
        csv_dialog.export_button.click()
    assert (tmp_path / "all.csv").read_bytes().count(b"\r\n") == 5


def test_calendar_settings_choose_write_and_copy(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path
) -> None:
    _setup(empty_ctx)
    box = CalendarFeedSettings(empty_ctx)
    qtbot.addWidget(box)
    assert box.folder_edit.text() == "" and not box.turn_off.isEnabled()
    assert not box.copy.isEnabled()
    box.set_folder(str(tmp_path))
    assert (tmp_path / "Brand.ics").is_file()
    assert box.files.item(0).text() == str(tmp_path / "Brand.ics")
    box.copy_path()
    from PySide6.QtGui import QGuiApplication

    assert QGuiApplication.clipboard().text() == str(tmp_path / "Brand.ics")
    box.set_folder("")
    assert empty_ctx.settings.get("ics_folder") == "" and not box.files.isVisible()


def test_closing_during_a_check_drops_its_result(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    dialog, _actions, _runner = _dialog(qtbot, empty_ctx, runner)
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    dialog.set_path(str(path))
    dialog.reject()
    qtbot.waitUntil(runner.is_idle)
    assert dialog.plan is None and dialog.result() == 0


def test_the_dialog_stays_open_while_importing(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, runner: TaskRunner
) -> None:
    dialog, _actions, _runner = _dialog(qtbot, empty_ctx, runner)
    path = tmp_path / "good.csv"
    path.write_text(GOOD, encoding="utf-8")
    _check(qtbot, dialog, runner, path)
    dialog.show()
    with qtbot.waitSignal(dialog.imported):
        dialog.do_import()
        dialog.reject()  # refused: the import is being written
        assert dialog.isVisible()
    assert not dialog.isVisible()
