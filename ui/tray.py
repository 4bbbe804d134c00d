"""The tray icon: cmdesk keeps publishing after its window is closed.

Closing the window with the window manager (its close button, Alt+F4) hides it to the tray when
the ``close_to_tray`` setting is on and the desktop has a tray; the first time, a notification
says so (the ``tray_hint_shown`` setting remembers that it was said). Closing it from the
program (the Quit shortcut) still quits. The tray menu opens the window, pauses or resumes
publishing (the ``publishing_paused`` setting, which the engine reads) and quits.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from ui.bridge import EventBridge
from ui.errors import show_error
from ui.notifier import NotificationKind, Notifier, tray_available

HINT_TITLE = "cmdesk is still running"
HINT_MESSAGE = (
    "Scheduled posts still go out while the window is closed. Open cmdesk or quit it "
    "from its icon in the tray."
)
ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "cmdesk.svg"
#: Change sets come in bursts while posts go out: the tooltip is refreshed once per burst.
TOOLTIP_DELAY_MS = 500


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


def tray_state_text(paused: bool, waiting_for_network: bool) -> str:
    """The tooltip's short state line."""
    if paused:
        return "cmdesk — publishing paused"
    if waiting_for_network:
        return "cmdesk — waiting for the network"
    return "cmdesk — publishing on time"


class TrayIcon(QObject):
    """The tray icon, its menu and the close-to-tray behaviour of one window.

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
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._notifier = notifier
        self._tray_check = tray_check
        self._window: QWidget | None = None
        self._quitting = False
        self.icon = QSystemTrayIcon(icon or app_icon(), self)
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
        self.refresh()

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
        text = tray_state_text(paused, self._ctx.publishing.waiting_for_network())
        self.icon.setToolTip(text)

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
