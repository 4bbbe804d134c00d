"""Item models of the Routine page: a checklist (one period's tasks) and the history grid.

``ChecklistModel`` holds :class:`~cmdesk.planning.routine_dto.ChecklistItem` rows; a check box
per row shows whether the task is done this period. The model never calls a service: a click or
Space on the check box becomes ``toggle_requested(task_id, done)`` and the page does the change
and reloads. ``HistoryModel`` is the grid of tasks (rows) against periods (columns), each cell
done, missed, open, not due, or before the task existed, coloured and with a tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from cmdesk.planning.routine_dto import CellState, ChecklistItem, History, HistoryCell
from cmdesk.timeutil import utc_to_local

_Index = QModelIndex | QPersistentModelIndex


class RoutineRole(IntEnum):
    """Data roles of :class:`ChecklistModel`."""

    ITEM = Qt.ItemDataRole.UserRole + 1
    TASK_ID = Qt.ItemDataRole.UserRole + 2
    DONE = Qt.ItemDataRole.UserRole + 3
    META = Qt.ItemDataRole.UserRole + 4  #: the line under the title ("Mondays · due today")
    OVERDUE = Qt.ItemDataRole.UserRole + 5


def _day(d: date) -> str:
    return f"{d:%a} {d.day} {d:%b}"


def due_text(item: ChecklistItem, today: date) -> str:
    """When the task is due, said for a person: "due today", "due Thu 26 Nov", "was due Mon"."""
    if item.due_on is None:
        since = item.task.since
        if since is not None and since > item.period_start:
            unit = {"weekly": "week", "monthly": "month"}.get(item.task.cadence, "time")
            return f"added this {unit}: first due next {unit}"
        return "not due this period"
    if item.due_on == today:
        return "due today"
    if item.due_on < today:
        return f"was due {_day(item.due_on)}"
    return f"due {_day(item.due_on)}"


def meta_text(item: ChecklistItem, today: date, zone: str) -> str:
    parts = [item.task.schedule.capitalize()]
    if item.done and item.done_at is not None:
        parts.append(f"done {utc_to_local(item.done_at, zone):%a %H:%M}")
    else:
        parts.append(due_text(item, today))
    if item.task.remind_at:
        parts.append(f"reminder {item.task.remind_at}")
    return " · ".join(parts)


class ChecklistModel(QAbstractListModel):
    """One view's tasks with check boxes.

    Signals:
        toggle_requested(int, bool): the person checked (True) or un-checked a task.
    """

    toggle_requested = Signal(int, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[ChecklistItem] = []
        self._today = date.today()
        self._zone = "UTC"

    def set_items(self, items: Sequence[ChecklistItem], today: date, zone: str) -> None:
        self.beginResetModel()
        self._items = list(items)
        self._today = today
        self._zone = zone
        self.endResetModel()

    def item(self, row: int) -> ChecklistItem | None:
        return self._items[row] if 0 <= row < len(self._items) else None

    def row_of(self, task_id: int) -> int:
        return next((i for i, it in enumerate(self._items) if it.task.id == task_id), -1)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsUserCheckable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        item = self.item(index.row())
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return item.task.title
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if item.done else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.task.description or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = "done" if item.done else "not done"
            return f"{item.task.title}, {state}, {meta_text(item, self._today, self._zone)}"
        return self._custom(item, role)

    def _custom(self, item: ChecklistItem, role: int) -> Any:
        if role == RoutineRole.ITEM:
            return item
        if role == RoutineRole.TASK_ID:
            return item.task.id
        if role == RoutineRole.DONE:
            return item.done
        if role == RoutineRole.META:
            return meta_text(item, self._today, self._zone)
        if role == RoutineRole.OVERDUE:
            return item.overdue
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """A check box change is a request: the page does it and reloads the model."""
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid():
            return False
        item = self.item(index.row())
        if item is None:
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2, True)
        if checked != item.done:
            self.toggle_requested.emit(item.task.id, checked)
        return False

    def roleNames(self) -> dict[int, Any]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in RoutineRole})
        return names


# --- history -----------------------------------------------------------------------------------

CELL_MARKS = {
    CellState.DONE: "✓",
    CellState.MISSED: "✗",
    CellState.OPEN: "…",
    CellState.NOT_DUE: "–",
    CellState.BEFORE: "",
}
CELL_WORDS = {
    CellState.DONE: "done",
    CellState.MISSED: "missed",
    CellState.OPEN: "still open",
    CellState.NOT_DUE: "not due",
    CellState.BEFORE: "before the task was added",
}
CELL_COLORS = {
    CellState.DONE: "#2e9d5b",
    CellState.MISSED: "#d0463b",
    CellState.OPEN: "#3b82d6",
}


class HistoryRole(IntEnum):
    """Data roles of :class:`HistoryModel`."""

    CELL = Qt.ItemDataRole.UserRole + 1
    STATE = Qt.ItemDataRole.UserRole + 2


def period_label(cadence: str, key: str, start: date) -> str:
    if cadence == "daily":
        return f"{start:%a}\n{start.day}"
    if cadence == "weekly":
        return f"{key[-3:]}\n{start.day} {start:%b}"
    return f"{start:%b}\n{start:%Y}"


class HistoryModel(QAbstractTableModel):
    """Tasks (rows) against periods (columns), oldest period first (no signals of its own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._history = History("daily", (), ())
        self._zone = "UTC"

    def set_history(self, history: History, zone: str) -> None:
        self.beginResetModel()
        self._history = history
        self._zone = zone
        self.endResetModel()

    @property
    def history(self) -> History:
        return self._history

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._history.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._history.periods)

    def cell(self, row: int, column: int) -> HistoryCell | None:
        rows = self._history.rows
        if 0 <= row < len(rows) and 0 <= column < len(rows[row].cells):
            return rows[row].cells[column]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.model() is not self:
            return None
        cell = self.cell(index.row(), index.column())
        if cell is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return CELL_MARKS[cell.state]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.BackgroundRole:
            color = CELL_COLORS.get(cell.state)
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#ffffff") if cell.state in CELL_COLORS else None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(index.row(), cell)
        if role == HistoryRole.CELL:
            return cell
        if role == HistoryRole.STATE:
            return cell.state.value
        return None

    def _describe(self, row: int, cell: HistoryCell) -> str:
        task = self._history.rows[row].task.title
        text = f"{task}, {cell.period}: {CELL_WORDS[cell.state]}"
        if cell.done_at is not None:
            text += f" ({utc_to_local(cell.done_at, self._zone):%a %d %b %H:%M})"
        if cell.note:
            text += f"\nNote: {cell.note}"
        return text

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            rows = self._history.rows
            return rows[section].task.title if 0 <= section < len(rows) else None
        periods = self._history.periods
        if not 0 <= section < len(periods):
            return None
        if role == Qt.ItemDataRole.ToolTipRole or not self._history.rows:
            return periods[section]
        start = self._history.rows[0].cells[section].start
        return period_label(self._history.cadence, periods[section], start)

    def summary(self) -> str:
        """What the grid says in one line: how many were done and missed."""
        cells = [c for r in self._history.rows for c in r.cells]
        done = sum(1 for c in cells if c.state is CellState.DONE)
        missed = sum(1 for c in cells if c.state is CellState.MISSED)
        if not cells:
            return "No tasks of this cadence yet."
        due = done + missed
        rate = f" — {round(100 * done / due)} % kept" if due else ""
        return f"{done} done, {missed} missed{rate}"
