"""The "Ideas bin" tab beside the calendar: new ideas, dragged onto a day or a slot.

A drop makes the idea a draft there (:mod:`ui.models.idea_drops`, through the calendar's cells).
The list shows the workspace's new ideas, newest first, as compact cards; the Ideas page is where
they are written, filtered and read in full.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.planning.ideas_dto import IdeaFilter
from ui.delegates.idea_card import IdeaCardDelegate
from ui.models.ideas import IdeasModel
from ui.views.ideas_layout import IdeasList

LIMIT = 100
HINT = "Drag an idea onto a day or a time to make it a draft there."
EMPTY = "The ideas bin is empty: add ideas or feeds on the Ideas page."


class IdeasSide(QWidget):
    """New ideas of the workspace, to drag onto the calendar.

    Signals: none of its own.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ideasSide")
        self.setAccessibleName("Ideas bin")
        self.ctx = ctx
        self.workspace: WorkspaceDTO | None = None
        self.model = IdeasModel(self)
        self.list = IdeasList(self.model, self)
        self.list.setObjectName("ideasSideList")
        self.list.setAccessibleName("Ideas bin: drag an idea onto the calendar")
        self.list.setItemDelegate(IdeaCardDelegate(self.list, compact=True))
        self.hint = QLabel(HINT)
        self.hint.setWordWrap(True)
        self.hint.setObjectName("ideasSideHint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        """Show ``workspace``'s new ideas (read now: one short query)."""
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            self.model.set_ideas(0, [])
        else:
            page = self.ctx.ideas.list_ideas(ws.id, IdeaFilter(), limit=LIMIT)
            self.model.set_ideas(ws.id, page.items, timezone=ws.timezone, total=page.total)
        empty = self.model.rowCount() == 0
        self.hint.setText(EMPTY if empty else HINT)
        self.list.setAccessibleDescription(f"{self.model.total} new ideas" if not empty else EMPTY)
