"""The one path for notifications: the system tray's balloon when there is a tray, else a banner.

With no system tray (a bare X server, the offscreen platform, some Wayland desktops)
``QSystemTrayIcon.showMessage`` shows nothing and raises nothing, while ``supportsMessages()``
still answers True (DESIGN.md, "Facts about the stack"). So the decision is taken here, once,
from ``QSystemTrayIcon.isSystemTrayAvailable()`` and whether our icon is really shown; every
notification is also emitted as a value, so tests (and a history, later) can observe it without
reading the screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QSystemTrayIcon

#: How long a tray balloon stays up (the desktop may cap it).
TRAY_MESSAGE_MS = 10_000


class NotificationKind(StrEnum):
    """How serious a notification is; decides its icon and colour."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Surface(StrEnum):
    """Where a notification was shown."""

    TRAY = "tray"
    BANNER = "banner"


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing cmdesk told the person.

    ``post_id`` (and ``workspace_id``) say what to open when the person clicks it; None when
    there is nothing to open.
    """

    title: str
    message: str
    kind: NotificationKind = NotificationKind.INFO
    post_id: int | None = None
    workspace_id: int | None = None
    shown_in: Surface = Surface.BANNER
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


_TRAY_ICONS = {
    NotificationKind.INFO: QSystemTrayIcon.MessageIcon.Information,
    NotificationKind.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    NotificationKind.ERROR: QSystemTrayIcon.MessageIcon.Critical,
}


def tray_available() -> bool:
    """Whether the desktop has a system tray that can show our icon and its messages."""
    return QSystemTrayIcon.isSystemTrayAvailable()


class Notifier(QObject):
    """Shows notifications in the tray when there is one, else asks for an in-window banner.

    Signals:
        notified(object): every ``Notification``, after it was shown (tray) or requested (banner).
        banner_requested(object): a ``Notification`` to show in the window's banner, because no
            tray can show it.
        activated(object): the person clicked a notification (the tray balloon or the banner's
            Open button); the ``Notification`` says which post to open, if any.
    """

    notified = Signal(object)
    banner_requested = Signal(object)
    activated = Signal(object)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        tray_check: Callable[[], bool] = tray_available,
    ) -> None:
        super().__init__(parent)
        self._tray: QSystemTrayIcon | None = None
        self._tray_check = tray_check
        # The balloon's click signal carries nothing: remember what the last balloon was about.
        self._last_tray: Notification | None = None
        self.history: list[Notification] = []

    def set_tray(self, tray: QSystemTrayIcon | None) -> None:
        """Use ``tray`` for messages while it is visible (None: banners only)."""
        if self._tray is not None:
            self._tray.messageClicked.disconnect(self._tray_clicked)
        self._tray = tray
        if tray is not None:
            tray.messageClicked.connect(self._tray_clicked)

    def uses_tray(self) -> bool:
        """Whether the next notification goes to the tray (else to the banner)."""
        return self._tray is not None and self._tray.isVisible() and self._tray_check()

    def notify(
        self,
        title: str,
        message: str,
        kind: NotificationKind | str = NotificationKind.INFO,
        *,
        post_id: int | None = None,
        workspace_id: int | None = None,
    ) -> Notification:
        """Tell the person something; returns what was shown, and where."""
        kind = NotificationKind(kind)
        where = Surface.TRAY if self.uses_tray() else Surface.BANNER
        note = Notification(title, message, kind, post_id, workspace_id, where)
        if where is Surface.TRAY and self._tray is not None:
            self._last_tray = note
            self._tray.showMessage(title, message, _TRAY_ICONS[kind], TRAY_MESSAGE_MS)
        else:
            self.banner_requested.emit(note)
        self.history.append(note)
        del self.history[:-100]  # the last hundred are plenty for a session
        self.notified.emit(note)
        return note

    def activate(self, note: Notification) -> None:
        """The person clicked ``note`` (called by the banner)."""
        self.activated.emit(note)

    def _tray_clicked(self) -> None:
        if self._last_tray is not None:
            self.activated.emit(self._last_tray)
