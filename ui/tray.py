"""The tray icon: cmdesk keeps publishing after its window is closed.

Closing the window with the window manager (its close button, Alt+F4) hides it to the tray when
the ``close_to_tray`` setting is on and the desktop has a tray; the first time, a notification
says so (the ``tray_hint_shown`` setting remembers that it was said). Closing it from the
program (the Quit shortcut) still quits. The tray menu opens the window, pauses or resumes
publishing (the ``publishing_paused`` setting, which the engine reads) and quits.

The icon carries a badge with the number of inbox items waiting unread in every workspace
(``ui/inbox_alerts.py: InboxBadge``), painted at each of the icon's sizes so it stays sharp on
high-DPI screens, and the tooltip says it in words: "3 replies waiting · publishing on time".
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QGuiApplication, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from ui.bridge import EventBridge
from ui.errors import show_error
from ui.inbox_alerts import InboxBadge
from ui.notifier import NotificationKind, Notifier, tray_available

HINT_TITLE = "cmdesk is still running"
HINT_MESSAGE = (
    "Scheduled posts still go out while the window is closed. Open cmdesk or quit it "
    "from its icon in the tray."
)
ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "cmdesk.svg"
#: Change sets come in bursts while posts go out: the tooltip is refreshed once per burst.
TOOLTIP_DELAY_MS = 500
#: Device-pixel sizes the badged icon is painted at; the tray picks the nearest, unscaled.
BADGE_SIZES = (16, 20, 22, 24, 32, 40, 44, 48, 64, 96, 128, 256)
BADGE_COLOR = "#d93025"
#: Icons smaller than this get a dot for two or more digits.
SMALL_ICON = 20


def app_icon() -> QIcon:
    """The application's icon; the packaged SVG when the application has none set."""
    icon = QGuiApplication.windowIcon()
    return icon if not icon.isNull() else QIcon(str(ICON_PATH))


def close_to_tray_decision(
    ctx: AppContext, *, tray_check: Callable[[], bool] = tray_available
) -> bool:
    """Whether closing the window should keep cmdesk running in the tray.

    Only when the person wants it (``close_to_tray``) and the desktop has a tray to come back
    from: without one a hidden window could not be opened again.
    """
    return bool(ctx.settings.get("close_to_tray")) and tray_check()


def tray_state_text(paused: bool, waiting_for_network: bool, replies: int = 0) -> str:
    """The tooltip's short state line, with the inbox items waiting when there are any."""
    if paused:
        state = "publishing paused"
    elif waiting_for_network:
        state = "waiting for the network"
    else:
        state = "publishing on time"
    if replies <= 0:
        return f"cmdesk — {state}"
    word = "reply" if replies == 1 else "replies"
    return f"cmdesk — {replies} {word} waiting · {state}"


def badge_text(count: int) -> str:
    return str(count) if count < 100 else "99+"


def paint_badge(painter: QPainter, size: int, text: str) -> None:
    """A red pill with ``text`` in the bottom-right corner of a ``size`` square.

    Below ``SMALL_ICON`` pixels two digits cannot be read: the pill is then a plain dot, and the
    tooltip says the number.
    """
    small = size < SMALL_ICON
    if small and len(text) > 1:
        text = ""
    height = max(9.0, size * (0.62 if small else 0.56))
    width = max(height, height * (0.3 + 0.42 * len(text)))
    width = min(width, float(size))
    rect = QRectF(size - width, size - height, width, height)
    if small:
        painter.setPen(Qt.PenStyle.NoPen)  # an outline would eat the little room there is
    else:
        painter.setPen(QPen(QColor("white"), max(1.0, size / 24)))
    painter.setBrush(QColor(BADGE_COLOR))
    painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), height / 2, height / 2)
    if not text:
        return
    font = QFont()
    font.setBold(True)
    font.setPixelSize(max(7, round(height * (0.78 if len(text) == 1 else 0.66))))
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def badged_icon(base: QIcon, count: int) -> QIcon:
    """``base`` with ``count`` painted on it at every size (``base`` itself for 0)."""
    if count <= 0:
        return base
    icon = QIcon()
    for size in BADGE_SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        base.paint(painter, QRect(0, 0, size, size))
        paint_badge(painter, size, badge_text(count))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class TrayIcon(QObject):
    """The tray icon, its menu and the close-to-tray behaviour of one window.

    ``badge`` (made here unless given) counts the inbox items waiting; the window may follow
    its ``count_changed`` too.

    Signals:
        open_requested(): the person asked to see the window (menu or a click on the icon).
        quit_requested(): the person chose Quit; the application quits right after.
        paused_changed(bool): publishing was paused (True) or resumed (False) from the menu.
    """

    open_requested = Signal()
    quit_requested = Signal()
    paused_changed = Signal(bool)

    def __init__(
        self,
        ctx: AppContext,
        notifier: Notifier,
        parent: QObject | None = None,
        *,
        icon: QIcon | None = None,
        tray_check: Callable[[], bool] = tray_available,
        badge: InboxBadge | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._notifier = notifier
        self._tray_check = tray_check
        self._window: QWidget | None = None
        self._quitting = False
        self.base_icon = icon or app_icon()
        self.icon = QSystemTrayIcon(self.base_icon, self)
        self.menu = QMenu()
        self.menu.setAccessibleName("cmdesk tray menu")
        self.open_action = self._action("&Open cmdesk", self.open_window)
        self.pause_action = self._action("&Pause publishing", self._pause_toggled, checkable=True)
        self.menu.addSeparator()
        self.quit_action = self._action("&Quit cmdesk", self.quit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)
        self._tooltip_timer = QTimer(self)
        self._tooltip_timer.setSingleShot(True)
        self._tooltip_timer.setInterval(TOOLTIP_DELAY_MS)
        self._tooltip_timer.timeout.connect(self.refresh)
        self.bridge = EventBridge(ctx.hub, self)
        self.bridge.changed.connect(self._on_changes)
        self.destroyed.connect(self.menu.deleteLater)
        self.badge = badge or InboxBadge(ctx, self)
        self.badge.count_changed.connect(self._count_changed)
        self.refresh()
        self.badge.refresh()

    def _action(
        self,
        text: str,
        slot: Callable[[bool], None] | Callable[[], None],
        *,
        checkable: bool = False,
    ) -> QAction:
        action = QAction(text, self.menu)
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        self.menu.addAction(action)
        return action

    # --- showing -----------------------------------------------------------------------------

    def show(self) -> bool:
        """Show the icon if the desktop has a tray; notifications then go there. Returns shown."""
        if not self._tray_check():
            return False
        self.icon.show()
        self._notifier.set_tray(self.icon)
        return True

    def is_shown(self) -> bool:
        return self.icon.isVisible()

    def refresh(self) -> None:
        """Read the paused state and the network state again for the menu and the tooltip."""
        paused = bool(self._ctx.settings.get("publishing_paused"))
        self.pause_action.blockSignals(True)
        self.pause_action.setChecked(paused)
        self.pause_action.blockSignals(False)
        waiting = self._ctx.publishing.waiting_for_network()
        text = tray_state_text(paused, waiting, self.badge.count or 0)
        self.icon.setToolTip(text)

    def _count_changed(self, count: int) -> None:
        self.icon.setIcon(badged_icon(self.base_icon, count))
        self.refresh()

    def _on_changes(self, changes: ChangeSet) -> None:
        if changes.ids("setting"):
            self.refresh()  # a pause from elsewhere shows at once
        elif changes.ids("target"):
            self._tooltip_timer.start()

    # --- the window --------------------------------------------------------------------------

    def watch(self, window: QWidget) -> None:
        """Give ``window`` the close-to-tray behaviour; Open shows it again."""
        self._window = window
        window.installEventFilter(self)
        # With the window hidden, closing any dialog would otherwise end the application.
        QGuiApplication.setQuitOnLastWindowClosed(False)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close and not self._quitting:
            # Only the window manager's close (button, Alt+F4) hides: a close asked for by the
            # program itself (the Quit shortcut) means quit.
            if event.spontaneous() and self.hide_to_tray():
                event.ignore()
                return True
            QTimer.singleShot(0, self, self._quit_if_closed)
        return super().eventFilter(watched, event)

    def hide_to_tray(self) -> bool:
        """Hide the watched window if cmdesk should keep running in the tray; returns hidden."""
        window = self._window
        if window is None or not self.is_shown():
            return False
        if not close_to_tray_decision(self._ctx, tray_check=self._tray_check):
            return False
        window.hide()
        self._say_once()
        return True

    def _say_once(self) -> None:
        try:
            if self._ctx.settings.get("tray_hint_shown"):
                return
            self._ctx.settings.set("tray_hint_shown", True)
        except Exception as exc:
            show_error(None, exc)
            return
        self._notifier.notify(HINT_TITLE, HINT_MESSAGE, NotificationKind.INFO)

    def open_window(self) -> None:
        window = self._window
        if window is not None:
            window.showNormal()
            window.raise_()
            window.activateWindow()
        self.open_requested.emit()

    def quit(self) -> None:
        """Quit cmdesk: the window really closes, then the application's event loop ends."""
        self._quitting = True
        self.quit_requested.emit()
        if self._window is not None:
            self._window.close()
        self.icon.hide()
        QCoreApplication.quit()

    def _quit_if_closed(self) -> None:
        # The window's own closeEvent may have refused (unsaved work): quit only if it closed.
        window = self._window
        if window is not None and not window.isVisible() and not self._quitting:
            self.quit()

    # --- menu --------------------------------------------------------------------------------

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.open_window()

    def _pause_toggled(self, paused: bool) -> None:
        try:
            self._ctx.settings.set("publishing_paused", paused)
        except Exception as exc:
            show_error(None, exc)
            self.refresh()
            return
        self.paused_changed.emit(paused)
        self.refresh()
