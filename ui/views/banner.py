"""An in-window banner for notifications when the desktop has no system tray to show them.

It sits at the top of the window, shows the newest notification with its title, message and an
Open button when there is a post to open, and says how many more are waiting. Dismissing shows
the next one; "Dismiss all" clears them. It hides itself when nothing is left. Colours are tints
over the palette, so it reads in the light and the dark theme alike.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.notifier import Notification, NotificationKind, Notifier

ICON_SIZE = 20

_ICONS = {
    NotificationKind.INFO: QStyle.StandardPixmap.SP_MessageBoxInformation,
    NotificationKind.WARNING: QStyle.StandardPixmap.SP_MessageBoxWarning,
    NotificationKind.ERROR: QStyle.StandardPixmap.SP_MessageBoxCritical,
}

_STYLE = """
#notificationBanner { border: none; border-bottom: 1px solid rgba(128, 128, 128, 0.35); }
#notificationBanner[kind="info"] { background: rgba(47, 111, 222, 0.12);
    border-left: 4px solid #2f6fde; }
#notificationBanner[kind="warning"] { background: rgba(232, 113, 10, 0.14);
    border-left: 4px solid #e8710a; }
#notificationBanner[kind="error"] { background: rgba(217, 48, 37, 0.13);
    border-left: 4px solid #d93025; }
#bannerTitle { font-weight: 600; }
#bannerMore { color: palette(placeholder-text); }
#bannerClose { border: none; padding: 2px 6px; font-size: 13pt; }
"""


class Banner(QFrame):
    """A dismissable strip showing notifications, newest first.

    Signals:
        open_requested(object): the person clicked Open on this ``Notification``.
        dismissed(object): the person dismissed this ``Notification``.
    """

    open_requested = Signal(object)
    dismissed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notificationBanner")
        self.setAccessibleName("Notification")
        self.setStyleSheet(_STYLE)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._pending: list[Notification] = []
        self.icon_label = QLabel()
        self.title_label = QLabel()
        self.title_label.setObjectName("bannerTitle")
        self.message_label = QLabel()
        self.message_label.setObjectName("bannerMessage")
        self.message_label.setWordWrap(True)
        # Post titles and network errors are data, never markup.
        for label in (self.title_label, self.message_label):
            label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more_label = QLabel()
        self.more_label.setObjectName("bannerMore")
        self.open_button = QPushButton("Open")
        self.open_button.setAccessibleName("Open what this notification is about")
        self.open_button.clicked.connect(self._open)
        self.dismiss_all_button = QPushButton("Dismiss all")
        self.dismiss_all_button.setAccessibleName("Dismiss all notifications")
        self.dismiss_all_button.clicked.connect(self.dismiss_all)
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss (Esc)")
        self.close_button.setAccessibleName("Dismiss this notification")
        self.close_button.clicked.connect(self.dismiss)
        self._layout()
        self.hide()

    def _layout(self) -> None:
        text = QVBoxLayout()
        text.setSpacing(1)
        text.addWidget(self.title_label)
        text.addWidget(self.message_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.setSpacing(10)
        row.addWidget(self.icon_label, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)
        row.addWidget(self.more_label)
        row.addWidget(self.open_button)
        row.addWidget(self.dismiss_all_button)
        row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)

    # --- public ------------------------------------------------------------------------------

    def attach(self, notifier: Notifier) -> None:
        """Show what ``notifier`` cannot put in a tray, and report Open clicks back to it."""
        notifier.banner_requested.connect(self.show_notification)
        self.open_requested.connect(notifier.activate)

    @property
    def current(self) -> Notification | None:
        """The notification shown now (the newest still waiting)."""
        return self._pending[-1] if self._pending else None

    @property
    def pending(self) -> tuple[Notification, ...]:
        return tuple(self._pending)

    def show_notification(self, note: Notification) -> None:
        self._pending.append(note)
        self._update()

    def dismiss(self) -> None:
        """Dismiss the notification shown; the next waiting one takes its place."""
        if self._pending:
            self.dismissed.emit(self._pending.pop())
        self._update()

    def dismiss_all(self) -> None:
        while self._pending:
            self.dismissed.emit(self._pending.pop())
        self._update()

    # --- internals ---------------------------------------------------------------------------

    def _open(self) -> None:
        note = self.current
        if note is not None:
            self.open_requested.emit(note)
            self.dismiss()

    def _update(self) -> None:
        note = self.current
        if note is None:
            self.hide()
            return
        self.setProperty("kind", note.kind.value)
        # A dynamic property is only read by the style sheet when the style is re-applied.
        self.style().unpolish(self)
        self.style().polish(self)
        icon = self.style().standardIcon(_ICONS[note.kind], None, self)
        self.icon_label.setPixmap(icon.pixmap(ICON_SIZE, ICON_SIZE))
        self.title_label.setText(note.title)
        self.message_label.setText(note.message)
        waiting = len(self._pending) - 1
        self.more_label.setText(f"{waiting} more" if waiting else "")
        self.more_label.setVisible(bool(waiting))
        self.dismiss_all_button.setVisible(bool(waiting))
        self.open_button.setVisible(
            note.post_id is not None or bool(note.inbox_item_ids) or note.channel_id is not None
        )
        self.setAccessibleDescription(f"{note.title}. {note.message}")
        self.show()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._pending:
            self.dismiss()
            event.accept()
            return
        super().keyPressEvent(event)
