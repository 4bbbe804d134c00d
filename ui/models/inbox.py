"""The inbox as a list model: items of every channel, newest first, loaded a page at a time.

A busy brand gathers tens of thousands of items, so the model never asks for all of them: it
loads one page (keyset paging on ``(received_at, id)``, the service's ``before=``) and tells the
view through ``canFetchMore``/``fetchMore`` that there is more, so the next page is read only when
the list is scrolled near its end. What a row shows (author, snippet, local time, kind) is worked
out once when its page arrives, not at every paint. With a task runner, further pages are read on
its threads, so the GUI thread never waits on the database while the list scrolls.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import IntEnum
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractListModel,
    QByteArray,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from cmdesk.dto import ChannelDTO, InboxFilter, InboxItemDTO
from cmdesk.status import InboxState
from cmdesk.timeutil import utc_to_local
from ui.models.chips import ChannelGlyph
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

_Index = QModelIndex | QPersistentModelIndex

#: Items read per page: a few screens' worth, so the first paint waits for little.
PAGE_SIZE = 200
#: A snippet longer than this is cut before any painting work (a row shows one line of it).
SNIPPET_CHARS = 280

KIND_LABELS = {"mention": "Mention", "reply": "Reply", "quote": "Quote", "dm": "Direct message"}
KIND_SHORT = {"mention": "Mention", "reply": "Reply", "quote": "Quote", "dm": "DM"}
STATE_LABELS = {
    InboxState.NEW: "New",
    InboxState.READ: "Read",
    InboxState.REPLIED: "Replied",
    InboxState.DONE: "Done",
}

# Control characters (C0 and C1, but not ordinary whitespace) and bidi overrides: a hostile
# author name must not garble the row or flip the text after it.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


class InboxSource(Protocol):
    """What the model reads: the inbox service's listing (``ctx.inbox``)."""

    def list_items(
        self,
        workspace_id: int,
        f: InboxFilter = ...,
        *,
        limit: int = ...,
        before: tuple[datetime, int] | None = ...,
    ) -> list[InboxItemDTO]: ...


class InboxRole(IntEnum):
    """Data roles of :class:`InboxModel`, beyond Qt's own."""

    ITEM = Qt.ItemDataRole.UserRole + 1  # the InboxItemDTO
    ITEM_ID = Qt.ItemDataRole.UserRole + 2  # int
    STATE = Qt.ItemDataRole.UserRole + 3  # InboxState value (str)
    IS_NEW = Qt.ItemDataRole.UserRole + 4  # bool
    AUTHOR = Qt.ItemDataRole.UserRole + 5  # display name, cleaned
    HANDLE = Qt.ItemDataRole.UserRole + 6  # @handle, cleaned
    SNIPPET = Qt.ItemDataRole.UserRole + 7  # one line of the text
    LOCAL_TIME = Qt.ItemDataRole.UserRole + 8  # "14:05", "12 Mar" or "12 Mar 2025"
    KIND_LABEL = Qt.ItemDataRole.UserRole + 9  # "Mention", "Reply", "Quote", "DM"
    GLYPH = Qt.ItemDataRole.UserRole + 10  # ChannelGlyph of the item's channel


def clean_line(text: str, limit: int = SNIPPET_CHARS) -> str:
    """``text`` as one safe line: no control characters, whitespace collapsed, at most ``limit``."""
    line = _SPACES.sub(" ", _UNSAFE.sub("", text[: limit * 4])).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def short_time(when: datetime, zone: str, today: date) -> str:
    """A list's time: the hour today, the day this year, the full date before."""
    local = utc_to_local(when, zone)
    if local.date() == today:
        return f"{local:%H:%M}"
    if local.year == today.year:
        return f"{local.day} {local:%b}"
    return f"{local.day} {local:%b %Y}"


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One item with what its row shows, worked out once."""

    item: InboxItemDTO
    author: str
    handle: str
    snippet: str
    local_time: str
    glyph: ChannelGlyph

    @property
    def accessible_text(self) -> str:
        kind = KIND_LABELS.get(self.item.kind, self.item.kind).lower()
        state = "New " if self.item.state == InboxState.NEW else ""
        channel = self.glyph.name or self.item.network
        return f"{state}{kind} from {self.author} on {channel}, {self.local_time}: {self.snippet}"


class InboxModel(QAbstractListModel):
    """One row per inbox item, newest first, loaded page by page from an :class:`InboxSource`.

    Signals:
        loaded(): a reload finished (rows were replaced).
    """

    loaded = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source: InboxSource | None = None
        self._workspace_id: int | None = None
        self._filter = InboxFilter()
        self._zone = "UTC"
        self._today = date.today()
        self._glyphs: dict[int, ChannelGlyph] = {}
        self._rows: list[InboxRow] = []
        self._more = False
        self._runner: TaskRunner | None = None
        self._fetching = False
        self._generation = 0  # a reload makes pages still on their way stale

    # --- data in ---

    def set_source(self, source: InboxSource) -> None:
        self._source = source

    def set_runner(self, runner: TaskRunner | None) -> None:
        """Read further pages on ``runner``'s threads (None: at once, on this thread)."""
        self._runner = runner

    @property
    def fetching(self) -> bool:
        """A further page is on its way."""
        return self._fetching

    def set_context(
        self, workspace_id: int | None, zone: str, today: date, channels: Iterable[ChannelDTO]
    ) -> None:
        """Which workspace to list, its zone, today there, and its channels (for the glyphs)."""
        self._workspace_id = workspace_id
        self._zone = zone
        self._today = today
        self._glyphs = {c.id: ChannelGlyph.of(c) for c in channels}

    @property
    def filter(self) -> InboxFilter:
        return self._filter

    def set_filter(self, f: InboxFilter) -> None:
        """List what ``f`` lets through from the next :meth:`reload` on."""
        self._filter = f

    def reload(self, *, keep: int = 0) -> None:
        """Read again from the newest item: at least one page, or ``keep`` rows (a refresh)."""
        limit = max(PAGE_SIZE, keep)
        items = self._read(limit, None)
        self._generation += 1
        self._fetching = False
        self.beginResetModel()
        self._rows = [self._row(i) for i in items]
        self._more = len(items) == limit
        self.endResetModel()
        self.loaded.emit()

    def clear(self) -> None:
        self._generation += 1
        self._fetching = False
        self.beginResetModel()
        self._rows = []
        self._more = False
        self.endResetModel()

    def _read(self, limit: int, before: tuple[datetime, int] | None) -> list[InboxItemDTO]:
        return self._reader(limit, before)()

    def _reader(
        self, limit: int, before: tuple[datetime, int] | None
    ) -> Callable[[], list[InboxItemDTO]]:
        """The read as a callable bound to today's workspace and filter (safe on a thread)."""
        source, ws, f = self._source, self._workspace_id, self._filter
        if source is None or ws is None:
            return list
        return lambda: source.list_items(ws, f, limit=limit, before=before)

    def _row(self, item: InboxItemDTO) -> InboxRow:
        glyph = self._glyphs.get(item.channel_id) or ChannelGlyph(item.network, "#6b7785", "")
        author = clean_line(item.author_name, 80) or clean_line(item.author_handle, 80) or "?"
        handle = clean_line(item.author_handle, 80)
        return InboxRow(
            item=item,
            author=author,
            handle=f"@{handle}" if handle and not handle.startswith("@") else handle,
            snippet=clean_line(item.text),
            local_time=short_time(item.received_at, self._zone, self._today),
            glyph=glyph,
        )

    # --- reading rows ---

    def row_item(self, row: int) -> InboxItemDTO | None:
        return self._rows[row].item if 0 <= row < len(self._rows) else None

    def rows_by_id(self) -> dict[int, int]:
        return {r.item.id: row for row, r in enumerate(self._rows)}

    def row_of(self, item_id: int) -> int | None:
        return next((i for i, r in enumerate(self._rows) if r.item.id == item_id), None)

    def items(self, rows: Sequence[int]) -> list[InboxItemDTO]:
        return [self._rows[r].item for r in rows if 0 <= r < len(self._rows)]

    def replace_items(self, items: Mapping[int, InboxItemDTO]) -> None:
        """Show fresh copies of some loaded items (a state change) without reloading."""
        for row, old in enumerate(self._rows):
            new = items.get(old.item.id)
            if new is not None:
                self._rows[row] = self._row(new)
                index = self.index(row)
                self.dataChanged.emit(index, index)

    # --- Qt model API ---

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        """Read the page after the last row: at once, or on the runner (rows come later)."""
        if parent.isValid() or not self._more or not self._rows or self._fetching:
            return
        last = self._rows[-1].item
        read = self._reader(PAGE_SIZE, (last.received_at, last.id))
        if self._runner is None:
            self._append(self._generation, read())
            return
        self._fetching = True
        generation = self._generation
        self._runner.run(
            read,
            lambda items: self._append(generation, items),
            lambda exc: self._fetch_failed(generation, exc),
            name="inbox page",
        )

    def fetch_more_now(self) -> None:
        """Read the next page at once on this thread (a page on its way is dropped)."""
        if self._fetching:
            self._generation += 1
            self._fetching = False
        runner, self._runner = self._runner, None
        try:
            self.fetchMore()
        finally:
            self._runner = runner

    def _append(self, generation: int, items: list[InboxItemDTO]) -> None:
        if generation != self._generation:
            return  # read for a list that was reloaded meanwhile
        self._fetching = False
        self._more = len(items) == PAGE_SIZE
        if not items:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(items) - 1)
        self._rows.extend(self._row(i) for i in items)
        self.endInsertRows()

    def _fetch_failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._fetching = False
        # What is listed stays; scrolling to the end again tries once more.
        log.warning("reading more inbox items failed: %s", exc)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() or index.column() != 0:
            return None
        if not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.author}: {row.snippet}"
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return row.accessible_text
        return self._role_data(row, role)

    @staticmethod
    def _role_data(row: InboxRow, role: int) -> Any:
        item = row.item
        if role == InboxRole.ITEM:
            return item
        if role == InboxRole.ITEM_ID:
            return item.id
        if role == InboxRole.STATE:
            return str(item.state)
        if role == InboxRole.IS_NEW:
            return item.state == InboxState.NEW
        if role == InboxRole.AUTHOR:
            return row.author
        if role == InboxRole.HANDLE:
            return row.handle
        if role == InboxRole.SNIPPET:
            return row.snippet
        if role == InboxRole.LOCAL_TIME:
            return row.local_time
        if role == InboxRole.KIND_LABEL:
            return KIND_SHORT.get(item.kind, item.kind.title())
        if role == InboxRole.GLYPH:
            return row.glyph
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in InboxRole})
        return names
