"""Sync now: ask the channels for new replies and mentions at once, on the task runner.

Polling is a network call, so it never runs on the GUI thread; while it runs the button is
disabled and says so, and its outcome ("3 new", "Nothing new", or the reason it failed) stays
next to it. A failure that is a ``UserError`` (offline, sign-in revoked) is said there, not in a
dialog: the inbox is still usable and the next poll may well work.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from cmdesk.errors import UserError
from ui.errors import show_error
from ui.tasks import TaskRunner

#: What to poll: one channel id or None for all, and the channel ids whose new items count.
Scope = Callable[[], tuple[int | None, Collection[int]]]


class SyncControl(QWidget):
    """The Sync now button, its F5 action and its message.

    Signals:
        synced(): a poll finished and may have brought new items (reload the list).
    """

    synced = Signal()

    def __init__(
        self,
        runner: TaskRunner,
        sync: Callable[[int | None], dict[int, int]],
        scope: Scope,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self._sync = sync
        self._scope = scope
        self.running = False
        self.action = QAction("Sync now", self)
        self.action.setShortcut(QKeySequence("F5"))
        self.action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.action.setToolTip("Ask the channels for new replies and mentions now (F5)")
        self.action.triggered.connect(self.start)
        self.message = QLabel(self)
        self.message.setObjectName("inboxSyncMessage")
        self.button = QPushButton("Sync now", self)
        self.button.setAccessibleName("Sync the inbox now")
        self.button.setToolTip(self.action.toolTip())
        self.button.clicked.connect(self.start)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.message)
        row.addWidget(self.button)

    def start(self) -> None:
        """Poll the channels in scope (unless a poll is already running)."""
        if self.running:
            return
        channel_id, counted = self._scope()
        self.running = True
        self._show("Syncing…")
        self.runner.run(
            lambda: self._sync(channel_id),
            lambda found: self._done(found, counted),
            self._failed,
            name="inbox sync",
        )

    def _done(self, found: dict[int, int], counted: Collection[int]) -> None:
        self.running = False
        total = sum(n for cid, n in found.items() if cid in counted)
        self._show(f"{total} new" if total else "Nothing new")
        self.synced.emit()

    def _failed(self, exc: BaseException) -> None:
        self.running = False
        if isinstance(exc, UserError):
            self._show(exc.message, error=True)
            return
        self._show("")
        show_error(self, exc)

    def _show(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #d93025;" if error else "")
        self.message.setToolTip(text)
        self.button.setEnabled(not self.running)
        self.action.setEnabled(not self.running)
