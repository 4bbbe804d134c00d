"""The Backups section of Settings: the last backup, "Back up now", the list, and Restore.

Backups and restores run on the task runner (a big plan takes a moment to copy). Restore asks
first, saying what will happen: the chosen file replaces the plan, the current database is kept
aside in the backups folder, and cmdesk must start again. After a restore ``restored`` is emitted
and the window (the lead's wiring) quits; before it, ``before_restore`` (when set) runs on the
GUI thread, for the window to stop its scheduler and housekeeper, whose connections would
otherwise hold the database.

On PostgreSQL the section only says how to back up with ``pg_dump``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.services.backups import PG_MESSAGE, BackupInfo, RestoreResult
from ui.errors import show_error
from ui.tasks import TaskRunner

KINDS = {"automatic": "Automatic", "before-restore": "Kept before a restore", "other": "Other"}


def _ago(when: datetime, now: datetime) -> str:
    minutes = int((now - when).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} days ago"


def confirm_restore(parent: QWidget, source: Path, folder: Path) -> bool:
    """Ask before replacing the plan, saying what happens."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Restore a backup")
    box.setText(f"Replace the whole plan with the backup {source.name}?")
    box.setInformativeText(
        f"The current database is kept aside first, in {folder} as "
        "cmdesk-before-restore-DATE-TIME.sqlite3, so this can be undone by restoring that file. "
        "cmdesk then closes; start it again to work on the restored plan."
    )
    restore = box.addButton("Restore and close", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAccessibleName("Confirm restore")
    box.exec()
    return box.clickedButton() is restore


class BackupsBox(QGroupBox):
    """Backups in Settings.

    Signals:
        backed_up(object): a ``BackupInfo`` just written by "Back up now".
        restored(object): a ``RestoreResult``; the application must now quit and start again.
    """

    backed_up = Signal(object)
    restored = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        confirm: Callable[[QWidget, Path, Path], bool] = confirm_restore,
        choose_file: Callable[[QWidget, Path], Path | None] | None = None,
    ) -> None:
        super().__init__("Backups", parent)
        self.setAccessibleName("Backups")
        self.ctx = ctx
        self.runner = runner
        self._confirm = confirm
        self._choose_file = choose_file or self._ask_for_file
        #: Runs on the GUI thread right before a restore (stop the scheduler and housekeeper).
        self.before_restore: Callable[[], None] | None = None
        self._busy = False
        self._build()

    def _build(self) -> None:
        self.status = QLabel(self)
        self.status.setObjectName("backupStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton("Back up &now", self)
        self.backup_button.setAccessibleName("Back up now")
        self.backup_button.clicked.connect(self.backup_now)
        self.restore_button = QPushButton("&Restore selected…", self)
        self.restore_button.setAccessibleName("Restore the selected backup")
        self.restore_button.clicked.connect(self.restore_selected)
        self.file_button = QPushButton("Restore from &file…", self)
        self.file_button.setAccessibleName("Restore a backup from a file")
        self.file_button.clicked.connect(self.restore_from_file)
        self.folder_button = QPushButton("Open folder", self)
        self.folder_button.setAccessibleName("Open the backups folder")
        self.folder_button.clicked.connect(self._open_folder)
        self.table = QTableWidget(0, 3, self)
        self.table.setAccessibleName("Backups")
        self.table.setHorizontalHeaderLabels(["Made", "Kind", "Size"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(160)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        buttons = QHBoxLayout()
        for b in (self.backup_button, self.restore_button, self.file_button, self.folder_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        layout.addWidget(self.table)

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        backups = self.ctx.backups
        if not backups.supported():
            self.status.setText(PG_MESSAGE)
            for w in (self.backup_button, self.restore_button, self.file_button, self.table):
                w.setEnabled(False)
            self.folder_button.setEnabled(False)
            return
        found = backups.list_backups()
        last = next((b for b in found if b.kind == "automatic"), None)
        now = self.ctx.clock.now()
        keep = self.ctx.settings.get("backup_keep")
        when = (
            f"{last.created_at.astimezone():%a %d %b %Y %H:%M} ({_ago(last.created_at, now)})"
            if last
            else "never"
        )
        self.status.setText(
            f"Last backup: {when}. A backup is made each day cmdesk runs and the plan changed; "
            f"the newest {keep} are kept in {backups.folder}."
        )
        self.table.setRowCount(len(found))
        for row, info in enumerate(found):
            self._set_row(row, info)
        self._update_buttons()

    def _set_row(self, row: int, info: BackupInfo) -> None:
        made = QTableWidgetItem(f"{info.created_at.astimezone():%Y-%m-%d %H:%M:%S}")
        made.setData(Qt.ItemDataRole.UserRole, str(info.path))
        made.setToolTip(str(info.path))
        size = QTableWidgetItem(f"{info.size / 1_048_576:.1f} MB")
        size.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.table.setItem(row, 0, made)
        self.table.setItem(row, 1, QTableWidgetItem(KINDS.get(info.kind, info.kind)))
        self.table.setItem(row, 2, size)

    def _update_buttons(self) -> None:
        supported = self.ctx.backups.supported()
        self.backup_button.setEnabled(supported and not self._busy)
        self.file_button.setEnabled(supported and not self._busy)
        self.restore_button.setEnabled(
            supported and not self._busy and self.selected_path() is not None
        )

    def selected_path(self) -> Path | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        item = self.table.item(rows[0].row(), 0)
        return Path(str(item.data(Qt.ItemDataRole.UserRole))) if item else None

    # --- actions -----------------------------------------------------------------------------

    def backup_now(self) -> None:
        self._set_busy(True, "Backing up…")
        self.runner.run(
            self.ctx.backups.backup_now,
            self._backed_up,
            self._failed,
            name="backup",
        )

    def _backed_up(self, info: BackupInfo) -> None:
        self._set_busy(False)
        self.reload()
        self.backed_up.emit(info)

    def restore_selected(self) -> None:
        path = self.selected_path()
        if path is not None:
            self.restore(path)

    def restore_from_file(self) -> None:
        path = self._choose_file(self, self.ctx.backups.folder)
        if path is not None:
            self.restore(path)

    def restore(self, path: Path) -> None:
        """Check ``path``, ask, then restore it on the runner."""
        try:
            self.ctx.backups.check_backup(path)
        except Exception as exc:
            show_error(self, exc)
            return
        if not self._confirm(self, path, self.ctx.backups.folder):
            return
        if self.before_restore is not None:
            self.before_restore()
        self._set_busy(True, "Restoring…")
        self.runner.run(
            lambda: self.ctx.backups.restore(path), self._restored, self._failed, name="restore"
        )

    def _restored(self, result: RestoreResult) -> None:
        self._set_busy(False)
        self.status.setText(
            f"Restored {result.restored_from.name}. The previous plan is kept at "
            f"{result.kept_aside}. Start cmdesk again to use the restored plan."
        )
        self.restored.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        self.reload()
        show_error(self, exc)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if busy:
            self.status.setText(text)
        self._update_buttons()

    def _ask_for_file(self, parent: QWidget, folder: Path) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            parent,
            "Restore a backup",
            str(folder),
            "cmdesk backups (*.sqlite3 *.db);;All files (*)",
        )
        return Path(name) if name else None

    def _open_folder(self) -> None:
        folder = self.ctx.backups.folder
        folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
