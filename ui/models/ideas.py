"""The ideas bin's model: one row per idea, newest first; rows drag onto the calendar.

Rows are :class:`~cmdesk.planning.ideas_dto.IdeaDTO` values from ``ctx.ideas.list_ideas``. A
drag carries the ideas' ids in the vendor MIME type of :mod:`ui.models.mime`; where they are
dropped on the calendar each becomes a draft (:mod:`ui.models.idea_drops`). The model takes no
drops itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from cmdesk.planning.ideas_dto import IdeaDTO, IdeaState
from ui.models.mime import IDEA_MIME_TYPE, encode_ideas

_Index = QModelIndex | QPersistentModelIndex
SNIPPET_CHARS = 160


class IdeaRole(IntEnum):
    """Data roles of the ideas model."""

    IDEA = Qt.ItemDataRole.UserRole + 1  # IdeaDTO
    IDEA_ID = Qt.ItemDataRole.UserRole + 2  # int
    SOURCE = Qt.ItemDataRole.UserRole + 3  # str: the feed's name, or "Typed in"
    DATE_TEXT = Qt.ItemDataRole.UserRole + 4  # str: the entry's date in the workspace zone
    SNIPPET = Qt.ItemDataRole.UserRole + 5  # str: the start of the text, on one line
    LINK = Qt.ItemDataRole.UserRole + 6  # str
    STATE = Qt.ItemDataRole.UserRole + 7  # IdeaState


def snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class IdeasModel(QAbstractListModel):
    """The ideas shown, with their workspace's zone for dates.

    Signals: only those of ``QAbstractItemModel``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ideas: list[IdeaDTO] = []
        self._workspace_id = 0
        self._zone = ZoneInfo("UTC")
        self.total = 0

    def set_ideas(
        self, workspace_id: int, ideas: Iterable[IdeaDTO], *, timezone: str = "UTC", total: int = -1
    ) -> None:
        new = list(ideas)
        self.total = total if total >= 0 else len(new)
        zone = ZoneInfo(timezone)
        if workspace_id == self._workspace_id and new == self._ideas and zone == self._zone:
            return  # nothing changed: the selection stays
        self.beginResetModel()
        self._workspace_id = workspace_id
        self._ideas = new
        self._zone = zone
        self.endResetModel()

    @property
    def workspace_id(self) -> int:
        return self._workspace_id

    def ideas(self) -> Sequence[IdeaDTO]:
        return tuple(self._ideas)

    def row_of(self, idea_id: int) -> int:
        return next((i for i, idea in enumerate(self._ideas) if idea.id == idea_id), -1)

    def idea_at(self, index: _Index) -> IdeaDTO | None:
        if not index.isValid() or index.model() is not self or index.parent().isValid():
            return None
        return self._ideas[index.row()] if 0 <= index.row() < len(self._ideas) else None

    def date_text(self, when: datetime) -> str:
        return when.astimezone(self._zone).strftime("%d %b %Y")

    # --- QAbstractItemModel ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._ideas)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if self.idea_at(index) is None:
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        idea = self.idea_at(index)
        if idea is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return idea.title
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(idea)
        return self._role_data(idea, role)

    def _role_data(self, idea: IdeaDTO, role: int) -> Any:
        values: dict[int, Any] = {
            IdeaRole.IDEA: idea,
            IdeaRole.IDEA_ID: idea.id,
            IdeaRole.SOURCE: idea.feed_title or "Typed in",
            IdeaRole.DATE_TEXT: self.date_text(idea.date),
            IdeaRole.SNIPPET: snippet(idea.text),
            IdeaRole.LINK: idea.link,
            IdeaRole.STATE: idea.state,
        }
        return values.get(role)

    def _describe(self, idea: IdeaDTO) -> str:
        source = idea.feed_title or "typed in"
        state = "" if idea.state is IdeaState.NEW else f" ({idea.state.label.lower()})"
        return (
            f"{idea.title}{state}. From {source}, {self.date_text(idea.date)}. "
            "Drag it onto the calendar to make a draft on that day."
        )

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in IdeaRole})
        return names

    # --- drag ---------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [IDEA_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [i.id for i in (self.idea_at(x) for x in indexes) if i is not None]
        return encode_ideas(self._workspace_id, ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.IgnoreAction
