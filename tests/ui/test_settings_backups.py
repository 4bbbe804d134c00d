"""The Backups section of Settings: back up now, the list, and a confirmed restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.services.backups import RestoreResult
from tests.core.helpers import workspace
from ui.tasks import TaskRunner
from ui.views.settings_backups import BackupsBox


def _box(qtbot: QtBot, ctx: AppContext, **kw: Any) -> tuple[BackupsBox, TaskRunner]:
    runner = TaskRunner()
    box = BackupsBox(ctx, runner, **kw)
    qtbot.addWidget(box)
    box.reload()
    box.show()
    return box, runner


def test_back_up_now_lists_the_new_backup(qtbot: QtBot, empty_ctx: AppContext) -> None:
    box, runner = _box(qtbot, empty_ctx)
    assert "Last backup: never" in box.status.text()
    assert not box.restore_button.isEnabled()
    with qtbot.waitSignal(box.backed_up, timeout=10_000) as blocker:
        box.backup_now()
    assert blocker.args[0].path.exists()
    assert box.table.rowCount() == 1
    assert box.table.item(0, 1).text() == "Automatic"
    assert "just now" in box.status.text()
    box.table.selectRow(0)
    assert box.restore_button.isEnabled()
    runner.shutdown()


def test_restore_asks_and_keeps_the_current_file_aside(qtbot: QtBot, empty_ctx: AppContext) -> None:
    workspace(empty_ctx, "Kept")
    backup = empty_ctx.backups.backup_now()
    workspace(empty_ctx, "Added later")
    asked: list[tuple[Path, Path]] = []
    answers = iter([False, True])

    def confirm(_parent: QWidget, source: Path, folder: Path) -> bool:
        asked.append((source, folder))
        return next(answers)

    box, runner = _box(qtbot, empty_ctx, confirm=confirm)
    stopped: list[bool] = []
    box.before_restore = lambda: stopped.append(True)
    box.table.selectRow(0)
    box.restore_button.click()
    assert asked == [(backup.path, empty_ctx.backups.folder)] and not stopped
    with qtbot.waitSignal(box.restored, timeout=10_000) as blocker:
        box.restore_button.click()
    result: RestoreResult = blocker.args[0]
    assert stopped == [True]
    assert result.kept_aside.exists() and result.kept_aside.parent == empty_ctx.backups.folder
    assert str(result.kept_aside) in box.status.text()
    assert [w.name for w in empty_ctx.workspaces.list()] == ["Kept"]
    runner.shutdown()


def test_a_bad_file_is_refused_before_asking(
    qtbot: QtBot, empty_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace(empty_ctx, "Mine")
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("not a database")
    errors: list[str] = []
    monkeypatch.setattr(
        "ui.views.settings_backups.show_error", lambda _p, exc: errors.append(str(exc))
    )
    asked: list[Path] = []
    box, runner = _box(
        qtbot,
        empty_ctx,
        confirm=lambda _p, source, _f: asked.append(source) is None,
        choose_file=lambda _p, _folder: junk,
    )
    box.file_button.click()
    assert asked == [] and errors and "not a SQLite database" in errors[0]
    assert [w.name for w in empty_ctx.workspaces.list()] == ["Mine"]
    runner.shutdown()


def test_the_confirmation_says_what_happens(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.views import settings_backups

    seen: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append(box.text() + " " + box.informativeText())
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    parent = QWidget()
    qtbot.addWidget(parent)
    assert not settings_backups.confirm_restore(parent, tmp_path / "b.sqlite3", tmp_path)
    assert (
        "b.sqlite3" in seen[0] and str(tmp_path) in seen[0] and "cmdesk-before-restore" in seen[0]
    )
