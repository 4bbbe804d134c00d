"""The base of every page of the main window (Calendar, Board, List, Channels, Settings, ...).

A page shows one workspace. Change sets arrive for every page, but only the visible one reloads
at once; a hidden page only notes that it is stale and reloads when it is shown, so a burst of
publications does not reload five views nobody is looking at.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget

from cmdesk.dto import WorkspaceDTO
from cmdesk.events import ChangeSet
from ui.bridge import EventBridge


class PlanPage(QWidget):
    """A page of the main window.

    Signals:
        edit_requested(int): open the composer on this post id.
        new_post_requested(object): open the composer on a new post, at this aware ``datetime``
            (or ``None`` for no time yet).
    """

    edit_requested = Signal(int)
    new_post_requested = Signal(object)

    #: The title in the navigation list.
    title = ""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workspace: WorkspaceDTO | None = None
        self._stale = True
        #: The window's bridge, when the page is in one: lets it skip change sets its last
        #: reload already saw.
        self.bridge: EventBridge | None = None
        self._fresh_as_of = -1

    @property
    def workspace(self) -> WorkspaceDTO | None:
        return self._workspace

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        """Show ``workspace`` (None: no workspace yet); reloads now if visible."""
        self._workspace = workspace
        self.mark_stale()

    def on_changes(self, changes: ChangeSet) -> None:
        """The plan changed: reload now if visible, else when next shown."""
        if self.bridge is not None and self.bridge.delivering <= self._fresh_as_of:
            # Made before the last reload started, so that reload already read it: a drop
            # reloads at once (through ``performed``) and need not reload again when its own
            # change set arrives a moment later.
            return
        if self.relevant(changes):
            self.mark_stale()

    def relevant(self, changes: ChangeSet) -> bool:
        """Whether ``changes`` may alter what this page shows (pages narrow this down)."""
        return True

    def mark_stale(self) -> None:
        self._stale = True
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Reload from the services now."""
        self._stale = False
        self._fresh_as_of = self.bridge.emitted if self.bridge is not None else -1
        self.reload()

    def reload(self) -> None:
        """Load what the page shows for :attr:`workspace` (pages implement this)."""

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def new_post_at(self, when: datetime | None) -> None:
        self.new_post_requested.emit(when)
