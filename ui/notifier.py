"""The one path for notifications: the system tray's balloon when there is a tray, else a banner.

With no system tray (a bare X server, the offscreen platform, some Wayland desktops)
``QSystemTrayIcon.showMessage`` shows nothing and raises nothing, while ``supportsMessages()``
still answers True (DESIGN.md, "Facts about the stack"). So the decision is taken here, once,
from ``QSystemTrayIcon.isSystemTrayAvailable()`` and whether our icon is really shown; every
notification is also emitted as a value, so tests (and a history, later) can observe it without
reading the screen.

Quiet hours (Settings) are kept here too, for every kind of notification at once: during them a
notification is held instead of shown, unless it is urgent and the person lets failures through;
when they end, everything held becomes one summary.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QSystemTrayIcon

from cmdesk.clock import Clock
from cmdesk.services.alerts import QuietHours

log = logging.getLogger(__name__)

#: How long a tray balloon stays up (the desktop may cap it).
TRAY_MESSAGE_MS = 10_000
#: While notifications are held, how often to look whether quiet hours are over.
QUIET_CHECK_MS = 30_000
#: A summary of held notifications names this many of them.
SUMMARY_NAMES = 3


class NotificationKind(StrEnum):
    """How serious a notification is; decides its icon and colour."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class Surface(StrEnum):
    """Where a notification was shown."""

    TRAY = "tray"
    BANNER = "banner"
    HELD = "held"  #: kept back during quiet hours, to be summarised when they end


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing cmdesk told the person.

    ``post_id`` (and ``workspace_id``) say what to open when the person clicks it; None when
    there is nothing to open. ``inbox_item_ids``: the inbox items to show instead;
    ``channel_id``: the channel to show.
    """

    title: str
    message: str
    kind: NotificationKind = NotificationKind.INFO
    post_id: int | None = None
    workspace_id: int | None = None
    shown_in: Surface = Surface.BANNER
    at: datetime = field(default_factory=lambda: datetime.now(UTC))
    inbox_item_ids: tuple[int, ...] = ()
    #: A channel that needs the person (signing in again): open the Channels page at it.
    channel_id: int | None = None


_TRAY_ICONS = {
    NotificationKind.INFO: QSystemTrayIcon.MessageIcon.Information,
    NotificationKind.WARNING: QSystemTrayIcon.MessageIcon.Warning,
    NotificationKind.ERROR: QSystemTrayIcon.MessageIcon.Critical,
}


_SEVERITY = (NotificationKind.INFO, NotificationKind.WARNING, NotificationKind.ERROR)


def summarize_held(held: Sequence[Notification]) -> tuple[str, str, NotificationKind]:
    """One title, message and kind for what was held during quiet hours."""
    kind = max((n.kind for n in held), key=_SEVERITY.index)
    named = "; ".join(n.title for n in held[:SUMMARY_NAMES])
    more = len(held) - SUMMARY_NAMES
    message = f"{named}; and {more} more." if more > 0 else f"{named}."
    return f"While quiet hours were on: {len(held)} notifications", message, kind


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
            Open button); the ``Notification`` says which post (or inbox items) to open, if any.
        held_back(object): a ``Notification`` kept back because quiet hours are on.
        quiet_ended(): quiet hours ended (after the held notifications were summarised).
    """

    notified = Signal(object)
    banner_requested = Signal(object)
    activated = Signal(object)
    held_back = Signal(object)
    quiet_ended = Signal()

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
        self.held: list[Notification] = []
        self._quiet_hours: Callable[[], QuietHours] | None = None
        self._clock: Clock | None = None
        self._zone: tzinfo | None = None
        self._was_quiet = False
        self._quiet_timer = QTimer(self)
        self._quiet_timer.setInterval(QUIET_CHECK_MS)
        self._quiet_timer.timeout.connect(self.check_quiet_hours)

    def set_quiet_hours(
        self, read: Callable[[], QuietHours], clock: Clock, *, zone: tzinfo | None = None
    ) -> None:
        """Hold notifications during the quiet hours that ``read`` returns (read at each use).

        ``zone`` is where the wall clock is read (default: the computer's own zone).
        """
        self._quiet_hours = read
        self._clock = clock
        self._zone = zone
        self._quiet_timer.start()
        self._was_quiet = self.is_quiet()

    def quiet_hours(self) -> QuietHours:
        if self._quiet_hours is None:
            return QuietHours()
        try:
            return self._quiet_hours()
        except Exception:
            # Unreadable settings must not swallow notifications: tell rather than hold.
            log.exception("could not read the quiet hours")
            return QuietHours()

    def is_quiet(self, hours: QuietHours | None = None) -> bool:
        """Whether quiet hours are on right now."""
        if self._clock is None:
            return False
        return (hours or self.quiet_hours()).active(self._clock.now(), self._zone)

    def check_quiet_hours(self) -> Notification | None:
        """If quiet hours are over, show the summary of what was held; returns it."""
        quiet = self.is_quiet()
        ended, self._was_quiet = self._was_quiet and not quiet, quiet
        note = None
        if not quiet and self.held:
            held, self.held = self.held, []
            note = self._show_summary(held)
        if ended:
            self.quiet_ended.emit()
        return note

    def _show_summary(self, held: Sequence[Notification]) -> Notification:
        if len(held) == 1:
            one = held[0]
            return self.notify(
                one.title,
                one.message,
                one.kind,
                post_id=one.post_id,
                workspace_id=one.workspace_id,
                inbox_item_ids=one.inbox_item_ids,
                channel_id=one.channel_id,
            )
        title, message, kind = summarize_held(held)
        ids = tuple(dict.fromkeys(i for n in held for i in n.inbox_item_ids))
        return self.notify(title, message, kind, inbox_item_ids=ids)

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
        inbox_item_ids: Sequence[int] = (),
        channel_id: int | None = None,
        urgent: bool = False,
        critical: bool = False,
    ) -> Notification:
        """Tell the person something; returns what was shown, and where.

        During quiet hours it is held instead (``shown_in`` is ``HELD``), unless ``urgent`` and
        the person lets failures through, or ``critical`` (an alert word: a possible crisis is
        never held until morning).
        """
        kind = NotificationKind(kind)
        ids = tuple(inbox_item_ids)
        hours = self.quiet_hours()
        held = not critical and not (urgent and hours.failures_through)
        if held and self.is_quiet(hours):
            note = Notification(
                title,
                message,
                kind,
                post_id,
                workspace_id,
                Surface.HELD,
                inbox_item_ids=ids,
                channel_id=channel_id,
            )
            self.held.append(note)
            self._was_quiet = True
            self.held_back.emit(note)
            return note
        where = Surface.TRAY if self.uses_tray() else Surface.BANNER
        note = Notification(
            title,
            message,
            kind,
            post_id,
            workspace_id,
            where,
            inbox_item_ids=ids,
            channel_id=channel_id,
        )
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
