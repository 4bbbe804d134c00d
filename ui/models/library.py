"""The list model of the library dialog: hashtag groups or templates, in their saved order.

One row per entry: the display text is its name and one line of what it inserts; roles give the
id, the name and the full text. The model holds plain values (:class:`LibraryEntry`) and never
touches a service: the dialog loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractListModel, QByteArray, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QWidget

LINE_CHARS = 60
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """A hashtag group or a template as the list shows it."""

    id: int
    name: str
    body: str


class LibraryRole(IntEnum):
    """Data roles of :class:`LibraryModel`."""

    ENTRY_ID = Qt.ItemDataRole.UserRole + 1
    NAME = Qt.ItemDataRole.UserRole + 2
    BODY = Qt.ItemDataRole.UserRole + 3


def _line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= LINE_CHARS else flat[: LINE_CHARS - 1] + "…"


class LibraryModel(QAbstractListModel):
    """Entries for a list view (no signals of its own beyond the model's)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[LibraryEntry] = []

    def set_entries(self, entries: Sequence[LibraryEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def entry(self, row: int) -> LibraryEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def ids(self) -> list[int]:
        return [e.id for e in self._entries]

    def row_of(self, entry_id: int) -> int:
        """The row of ``entry_id``, or -1."""
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{entry.name}  ·  {_line(entry.body)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return entry.body
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{entry.name}: {_line(entry.body)}"
        by_role = {
            LibraryRole.ENTRY_ID: entry.id,
            LibraryRole.NAME: entry.name,
            LibraryRole.BODY: entry.body,
        }
        return by_role.get(LibraryRole(role)) if role in _ROLES else None

    def roleNames(self) -> dict[int, QByteArray]:
        names = super().roleNames()
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in LibraryRole})
        return names


_ROLES = {int(r) for r in LibraryRole}
