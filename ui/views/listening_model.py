"""The list model of the Listening tab: posts the saved searches found, newest first.

One row per :class:`~cmdesk.listening.dto.ListenedPostDTO`; the display text is the author, the
search that found it and one line of the post. Roles expose the DTO and its parts to views and
tests. The model holds plain DTOs and never touches a service: the panel loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

from cmdesk.listening.dto import ListenedPostDTO
from cmdesk.timeutil import utc_to_local

SNIPPET = 140
_Index = QModelIndex | QPersistentModelIndex


class ListeningRole(IntEnum):
    """Data roles of :class:`ListeningModel`."""

    POST = Qt.ItemDataRole.UserRole + 1
    POST_ID = Qt.ItemDataRole.UserRole + 2
    AUTHOR = Qt.ItemDataRole.UserRole + 3
    SEARCH = Qt.ItemDataRole.UserRole + 4
    URL = Qt.ItemDataRole.UserRole + 5


def _line(text: str) -> str:
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= SNIPPET else flat[: SNIPPET - 1] + "…"


class ListeningModel(QAbstractListModel):
    """Listened posts for a list view (no signals of its own beyond the model's)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._posts: list[ListenedPostDTO] = []
        self._zone = "UTC"

    def set_posts(self, posts: Sequence[ListenedPostDTO], zone: str = "UTC") -> None:
        self.beginResetModel()
        self._posts = list(posts)
        self._zone = zone
        self.endResetModel()

    def post(self, row: int) -> ListenedPostDTO | None:
        return self._posts[row] if 0 <= row < len(self._posts) else None

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._posts)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        post = self.post(index.row())
        if post is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            who = post.author_name or post.author_handle or "someone"
            when = utc_to_local(post.created_at, self._zone)
            return f"{who} · {post.search_label} · {when:%d %b %H:%M}\n{_line(post.text)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{post.author_handle} on {post.channel_name}"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{post.author_name or post.author_handle}: {_line(post.text)}"
        by_role = {
            ListeningRole.POST: post,
            ListeningRole.POST_ID: post.id,
            ListeningRole.AUTHOR: post.author_handle,
            ListeningRole.SEARCH: post.search_id,
            ListeningRole.URL: post.remote_url,
        }
        return by_role.get(ListeningRole(role)) if role in _ROLES else None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in ListeningRole})
        return names


_ROLES = {int(r) for r in ListeningRole}
