"""Where the person is in the inbox list, kept across reloads, and finding items to show.

A reload (after a sync, a mark, a change elsewhere) reads the list again; :func:`capture` notes
the selection, the current item and the row at the top before it, and :func:`restore` puts them
back after it, so new items arriving above do not move what the person is reading. If the
current item left the list (marked done under a filter that hides done items), the one after it
becomes current. :func:`load_rows` reads further pages until wanted items are loaded (a
notification's click), within a bound: new items are the newest, near the top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QItemSelectionModel

from ui.models.inbox import PAGE_SIZE, InboxModel
from ui.views.inbox_list import InboxListView

#: A notification's items are looked for in at most this many pages.
MAX_PAGES_TO_FIND = 10


@dataclass(frozen=True, slots=True)
class ListPlace:
    """Where the person was in the list before a reload: selection, current item, top row."""

    chosen: set[int]
    current_id: int | None
    current_row: int
    top_id: int | None
    top_offset: int


def capture(view: InboxListView, model: InboxModel) -> ListPlace:
    row_px = view.verticalHeader().defaultSectionSize()
    scroll = view.verticalScrollBar().value()
    top = model.row_item(scroll // row_px) if row_px > 0 else None
    index = view.currentIndex()
    current = model.row_item(index.row()) if index.isValid() else None
    rows = sorted(i.row() for i in view.selectionModel().selectedRows())
    return ListPlace(
        chosen={i.id for i in model.items(rows)},
        current_id=current.id if current is not None else None,
        current_row=index.row(),
        top_id=top.id if top is not None else None,
        top_offset=scroll % row_px if row_px > 0 else 0,
    )


def restore(view: InboxListView, model: InboxModel, place: ListPlace) -> None:
    rows = model.rows_by_id()
    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    for item_id in place.chosen & rows.keys():
        selection.select(model.index(rows[item_id]), flags.Select | flags.Rows)
    target = rows.get(place.current_id) if place.current_id is not None else None
    if target is None and place.current_id is not None and model.rowCount():
        # The current item left the list (marked done): go on with the one after it.
        target = min(max(place.current_row, 0), model.rowCount() - 1)
        selection.select(model.index(target), flags.Select | flags.Rows)
    if target is not None:
        selection.setCurrentIndex(model.index(target), flags.NoUpdate)
    # The row that was at the top stays there, even when new items arrived above it.
    top = rows.get(place.top_id) if place.top_id is not None else None
    if top is not None:
        row_px = view.verticalHeader().defaultSectionSize()
        view.verticalScrollBar().setValue(top * row_px + place.top_offset)


def load_rows(model: InboxModel, wanted: Sequence[int]) -> list[int]:
    """The rows of ``wanted`` items, in their order, reading further pages (at once) if needed."""
    rows = model.rows_by_id()
    while model.canFetchMore() and any(i not in rows for i in wanted):
        if len(rows) >= MAX_PAGES_TO_FIND * PAGE_SIZE:
            break  # new items are the newest: no point reading the whole inbox for them
        model.fetch_more_now()
        rows = model.rows_by_id()
    return [rows[i] for i in wanted if i in rows]
