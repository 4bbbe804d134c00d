"""The list model of the Listening tab: posts the saved searches found, newest first.

One row per :class:`~cmdesk.listening.dto.ListenedPostDTO`; the display text is the author, the
search that found it and one line of the post. Roles expose the DTO and its parts to views and
tests. The model holds plain DTOs and never touches a service: the panel gives it a reader.

Paging is keyset, like the inbox's: :meth:`ListeningModel.load` reads the first :data:`PAGE` at
once; while a page came full, ``canFetchMore`` tells the view there may be more, and
``fetchMore`` (the view calls it when the list is scrolled to its end; the panel's Show more
button too) reads the posts before the last row's ``(created_at, id)`` on the task runner, so the
GUI thread never waits for the database. A reload makes pages still on their way stale.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QWidget

from cmdesk.listening.dto import ListenedPostDTO
from cmdesk.timeutil import utc_to_local
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

SNIPPET = 140
#: Posts read at a time (the first page at once, later ones on the task runner).
PAGE = 200
_Index = QModelIndex | QPersistentModelIndex
#: Reads ``limit`` posts newest first, before ``(created_at, id)`` when given.
Reader = Callable[[int, tuple[datetime, int] | None], list[ListenedPostDTO]]


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
    """Listened posts for a list view, read a page at a time.

    Signals:
        paging_changed(): a page started or finished loading, or whether there may be more
            changed (the panel shows or hides its Show more button).
    """

    paging_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._posts: list[ListenedPostDTO] = []
        self._zone = "UTC"
        self._read: Reader | None = None
        self._runner: TaskRunner | None = None
        self._more = False
        self._fetching = False
        self._generation = 0  # a load makes pages still on their way stale

    def set_posts(self, posts: Sequence[ListenedPostDTO], zone: str = "UTC") -> None:
        """Show exactly these posts (no paging)."""
        self._generation += 1
        self.beginResetModel()
        self._posts = list(posts)
        self._zone = zone
        self._read, self._more, self._fetching = None, False, False
        self.endResetModel()
        self.paging_changed.emit()

    def load(self, read: Reader, zone: str, runner: TaskRunner | None = None) -> None:
        """Show the newest page from ``read`` now; later pages come from it on ``runner``."""
        first = read(PAGE, None)
        self.set_posts(first, zone)
        self._read, self._runner = read, runner
        self._more = len(first) >= PAGE
        self.paging_changed.emit()

    @property
    def fetching(self) -> bool:
        return self._fetching

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more and not self._fetching

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        """Read the page after the last row: on the runner (rows come later), or at once."""
        read = self._read
        if parent.isValid() or read is None or not self._more or self._fetching or not self._posts:
            return
        last = self._posts[-1]
        before = (last.created_at, last.id)
        generation = self._generation
        self._fetching = True
        self.paging_changed.emit()
        if self._runner is None:
            self._append(generation, read(PAGE, before))
            return
        self._runner.run(
            lambda: read(PAGE, before),
            lambda posts: self._append(generation, posts),
            lambda exc: self._fetch_failed(generation, exc),
            name="listening page",
        )

    def _append(self, generation: int, posts: list[ListenedPostDTO]) -> None:
        if generation != self._generation:
            return  # the list was loaded again meanwhile
        self._fetching = False
        known = {p.id for p in self._posts}
        fresh = [p for p in posts if p.id not in known]
        if fresh:
            start = len(self._posts)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._posts.extend(fresh)
            self.endInsertRows()
        self._more = len(posts) >= PAGE and bool(fresh)
        self.paging_changed.emit()

    def _fetch_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        # Not fatal: the rows shown stay; Show more (or scrolling) tries again.
        log.warning("could not read more listened posts: %s", exc)
        self._fetching = False
        self.paging_changed.emit()

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
