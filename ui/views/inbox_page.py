"""The Inbox page: replies, mentions and messages from every channel of the workspace.

Collecting them is the inbox's own piece of work; until a channel delivers any, the page says
what will appear here rather than showing an empty table.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.views.page import PlanPage


class InboxPage(PlanPage):
    """The inbox's place in the window, with its empty state."""

    title = "Inbox"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Inbox")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        heading = QLabel("Inbox")
        heading.setObjectName("pageTitle")
        self.empty_label = QLabel(
            "Replies, mentions and direct messages from this workspace's channels gather here, "
            "so that none of them waits unanswered.\n\nNothing has arrived yet."
        )
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        layout.addWidget(heading)
        layout.addWidget(self.empty_label, 1)
