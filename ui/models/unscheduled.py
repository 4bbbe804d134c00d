"""The side list's model: drafts and ideas without a time, dragged onto the calendar to plan them.

Rows are the workspace's unscheduled posts (``PlanService.list_unscheduled``). Dragging a row
carries its post in the vendor MIME type; dropping a calendar chip on the list unschedules that
post through the :class:`~ui.models.drops.PostDropHandler`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from cmdesk.dto import PostSummary
from cmdesk.status import PostStatus
from ui.delegates.chip import STATUS_COLORS
from ui.models.drops import PostDropHandler
from ui.models.mime import POST_MIME_TYPE, decode_posts, encode_posts

_Index = QModelIndex | QPersistentModelIndex
_DOTS: dict[PostStatus, QIcon] = {}


def status_dot(status: PostStatus) -> QIcon:
    """A small round swatch of the status colour (made once per status)."""
    if status not in _DOTS:
        # Drawn at twice the size: sharp on high-DPI screens, scaled down cleanly elsewhere.
        pixmap = QPixmap(24, 24)
        pixmap.setDevicePixelRatio(2.0)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STATUS_COLORS[status]))
        painter.drawEllipse(2, 2, 8, 8)
        painter.end()
        _DOTS[status] = QIcon(pixmap)
    return _DOTS[status]


class UnscheduledRole(IntEnum):
    """Data roles of the side list."""

    POST = Qt.ItemDataRole.UserRole + 1  # PostSummary
    POST_ID = Qt.ItemDataRole.UserRole + 2  # int
    STATUS = Qt.ItemDataRole.UserRole + 3  # PostStatus


class UnscheduledModel(QAbstractListModel):
    """One row per unscheduled post, ideas and drafts alike; rows drag, the list takes drops.

    Signals: only those of ``QAbstractItemModel``.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posts: list[PostSummary] = []
        self._workspace_id = 0
        self._drops: PostDropHandler | None = None

    def set_posts(self, workspace_id: int, posts: Iterable[PostSummary]) -> None:
        new = list(posts)
        if workspace_id == self._workspace_id and new == self._posts:
            return  # a reload that changed nothing here keeps the selection and costs nothing
        self.beginResetModel()
        self._workspace_id = workspace_id
        self._posts = new
        self.endResetModel()

    def set_drop_handler(self, handler: PostDropHandler | None) -> None:
        self._drops = handler

    def posts(self) -> Sequence[PostSummary]:
        return tuple(self._posts)

    def row_of(self, post_id: int) -> int:
        return next((i for i, p in enumerate(self._posts) if p.id == post_id), -1)

    def post_at(self, index: _Index) -> PostSummary | None:
        if not index.isValid() or index.model() is not self or index.parent().isValid():
            return None
        return self._posts[index.row()] if 0 <= index.row() < len(self._posts) else None

    # --- QAbstractItemModel ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._posts)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if self.post_at(index) is None:
            # The list itself (between rows, or empty) takes drops: that unschedules.
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        post = self.post_at(index)
        if post is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return post.label or f"Post {post.id}"
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return (
                f"{post.status.label}: {post.label}. Drag it onto the calendar to give it a time."
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return status_dot(post.status)
        if role == UnscheduledRole.POST:
            return post
        if role == UnscheduledRole.POST_ID:
            return post.id
        if role == UnscheduledRole.STATUS:
            return post.status
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in UnscheduledRole})
        return names

    # --- drag and drop -----------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [POST_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [p.id for p in (self.post_at(i) for i in indexes) if p is not None]
        return encode_posts(self._workspace_id, ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        dragged = decode_posts(data)
        if dragged is None or self._drops is None or not self._drops.can_accept(dragged):
            return False
        # Rows of this list are already unscheduled: dropping them back here is no change.
        return not set(dragged.post_ids) <= {p.id for p in self._posts}

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """Unschedule the dragged calendar posts (those already in the list are left alone)."""
        dragged = decode_posts(data)
        if dragged is None or self._drops is None:
            return False
        here = {p.id for p in self._posts}
        rest = tuple(i for i in dragged.post_ids if i not in here)
        if not rest:
            return False
        return self._drops.unschedule(type(dragged)(dragged.workspace_id, rest))
