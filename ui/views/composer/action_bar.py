"""The composer's bottom row: when the post goes out, and what to do with it.

The time picker (with its zone) sits on the left; on the right Close stands apart from the actions
that save: Save draft, Add to queue (``queue_button.QueueButton`` enables it), Schedule and, last
and coloured as the one primary action, Publish now.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from ui.views.composer.saving import SaveKind

#: The primary action takes the theme's highlight colour, so it suits light and dark alike.
PRIMARY_STYLE = """
QPushButton { background: palette(highlight); color: palette(highlighted-text);
    border: 1px solid palette(highlight); border-radius: 4px; padding: 4px 14px;
    font-weight: 600; }
QPushButton:hover { background: #1a56c4; border-color: #1a56c4; }
QPushButton:focus { border: 1px solid palette(text); }
"""


class ActionBar(QWidget):
    """The time picker and the buttons of the composer.

    Signals:
        save_requested(str): a saving button was pressed; the value is a :class:`SaveKind`.
        close_requested(): Close was pressed.
    """

    save_requested = Signal(str)
    close_requested = Signal()

    def __init__(self, picker: QWidget, *, new_post: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(picker, 1)
        row.addSpacing(12)
        self.close_button = QPushButton("Close")
        self.draft_button = QPushButton("Save draft" if new_post else "Save")
        self.draft_button.setToolTip("Save as a draft (Ctrl+S)")
        self.queue_button = QPushButton("Add to queue")
        self.queue_button.setEnabled(False)
        self.schedule_button = QPushButton("Schedule")
        self.publish_button = QPushButton("Publish now")
        self.publish_button.setObjectName("publishNow")
        self.publish_button.setStyleSheet(PRIMARY_STYLE)
        for button, kind in (
            (self.draft_button, SaveKind.DRAFT),
            (self.schedule_button, SaveKind.SCHEDULE),
            (self.publish_button, SaveKind.PUBLISH),
        ):
            button.clicked.connect(lambda _=False, kind=kind: self.save_requested.emit(kind))
        self.close_button.clicked.connect(self.close_requested)
        for button in self.buttons():
            button.setAccessibleName(button.text())
            row.addWidget(button)
            if button is self.close_button:
                row.addSpacing(12)

    def buttons(self) -> list[QPushButton]:
        """The buttons, left to right."""
        return [
            self.close_button,
            self.draft_button,
            self.queue_button,
            self.schedule_button,
            self.publish_button,
        ]
