"""Settings › Calendar subscription: the folder where each workspace's ``.ics`` file is kept.

A calendar application (Thunderbird, GNOME Calendar, Outlook...) subscribed to that file shows the
plan and follows its changes: cmdesk rewrites it a moment after the plan changes and every 15
minutes (``cmdesk.exchange.upkeep``). Choosing a folder writes the files at once.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError
from cmdesk.exchange.upkeep import subscription_path, write_subscriptions
from ui.errors import show_error

log = logging.getLogger(__name__)


class CalendarFeedSettings(QGroupBox):
    """Choose (or turn off) the folder of the subscribed ``.ics`` files; copy a file's path."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Calendar subscription", parent)
        self.ctx = ctx
        self.setAccessibleName("Calendar subscription")
        self.folder_edit = QLineEdit()
        self.folder_edit.setReadOnly(True)
        self.folder_edit.setPlaceholderText("Off: choose a folder to keep .ics files in")
        self.folder_edit.setAccessibleName("Calendar folder")
        self.choose = QPushButton("&Choose folder…")
        self.choose.setAccessibleName("Choose the calendar folder")
        self.choose.clicked.connect(self._choose)
        self.turn_off = QPushButton("Turn o&ff")
        self.turn_off.setAccessibleName("Stop keeping calendar files")
        self.turn_off.clicked.connect(lambda: self.set_folder(""))
        row = QHBoxLayout()
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.choose)
        row.addWidget(self.turn_off)
        self.files = QListWidget()
        self.files.setAccessibleName("Calendar files to subscribe to")
        self.files.setMaximumHeight(90)
        self.copy = QPushButton("Copy &path")
        self.copy.setAccessibleName("Copy the selected file's path")
        self.copy.clicked.connect(self.copy_path)
        hint = QLabel(
            "Subscribe to a file from your calendar application (as a local or network "
            "calendar): it shows the scheduled and published posts of the last 90 days and "
            "everything ahead, and follows every change."
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(hint)
        layout.addWidget(self.files)
        layout.addWidget(self.copy)
        self.reload()

    def reload(self) -> None:
        folder = str(self.ctx.settings.get("ics_folder") or "")
        self.folder_edit.setText(folder)
        self.turn_off.setEnabled(bool(folder))
        self.files.clear()
        if folder:
            for ws in self.ctx.workspaces.list():
                self.files.addItem(str(subscription_path(folder, ws.name)))
            self.files.setCurrentRow(0)
        self.files.setVisible(bool(folder))
        self.copy.setEnabled(bool(folder) and self.files.count() > 0)

    def _choose(self) -> None:
        start = self.folder_edit.text() or str(Path.home())
        folder = QFileDialog.getExistingDirectory(self, "Folder for calendar files", start)
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str) -> None:
        """Store the folder ("" turns the files off) and write the files at once."""
        try:
            self.ctx.settings.set("ics_folder", folder)
            if folder:
                write_subscriptions(self.ctx)
        except UserError as exc:
            show_error(self, exc)
        self.reload()

    def copy_path(self) -> None:
        item = self.files.currentItem() or self.files.item(0)
        if item is not None:
            QGuiApplication.clipboard().setText(item.text())
