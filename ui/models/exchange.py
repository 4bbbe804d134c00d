"""Table models of the CSV import dialog: the posts a file would create, and its problems.

Both are flat, read-only tables filled from an ``ImportPlan`` (a frozen result of
``ctx.exchange.check_csv``); ``set_plan`` replaces everything at once.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from cmdesk.exchange.csv_format import ImportProblem
from cmdesk.exchange.csv_import import ImportPlan, PlannedPost
from ui.models.flat_table import FlatTableModel

_Index = QModelIndex | QPersistentModelIndex
_Display = Qt.ItemDataRole.DisplayRole


class ImportRole(IntEnum):
    """Data roles of the import tables, beyond Qt's own."""

    LINE = Qt.ItemDataRole.UserRole + 1  # int: the row's line in the file
    ITEM = Qt.ItemDataRole.UserRole + 2  # PlannedPost or ImportProblem


class _PlanTable(FlatTableModel):
    """A read-only table of one kind of item (rows of a file), with fixed headers."""

    def data(self, index: _Index, role: int = _Display) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == ImportRole.ITEM:
            return item
        if role == ImportRole.LINE:
            return item.line
        if role in (_Display, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._cell(item, index.column(), tooltip=role != _Display)
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _set(self, items: list[Any]) -> None:
        self.replace_rows(items)

    def _cell(self, item: Any, column: int, *, tooltip: bool) -> str:
        raise NotImplementedError


class ImportPreviewModel(_PlanTable):
    """The posts an import would create (and those already in the plan, which it skips)."""

    HEADERS = ("Line", "Date and time", "Channels", "Status", "Text", "Note")

    def set_plan(self, plan: ImportPlan | None) -> None:
        self._set(list(plan.posts) if plan is not None else [])

    def _cell(self, item: Any, column: int, *, tooltip: bool) -> str:
        post: PlannedPost = item
        if column == 0:
            return str(post.line)
        if column == 1:
            return post.when_local or "No date"
        if column == 2:
            return ", ".join(post.channel_names) or "No channel"
        if column == 3:
            return post.status.label
        if column == 4:
            return (post.title + "\n\n" + post.text).strip() if tooltip else post.snippet
        if column == 5:
            if post.existing_id is not None:
                return f"Already in the plan (post {post.existing_id}): skipped"
            return f"{len(post.media)} media" if post.media else ""
        return ""


class ImportProblemsModel(_PlanTable):
    """Every problem of a file: line, column and what to do."""

    HEADERS = ("Line", "Column", "Problem")

    def set_plan(self, plan: ImportPlan | None) -> None:
        self._set(list(plan.problems) if plan is not None else [])

    def _cell(self, item: Any, column: int, *, tooltip: bool) -> str:
        problem: ImportProblem = item
        if column == 0:
            return str(problem.line) if problem.line else ""
        if column == 1:
            if not problem.column:
                return ""
            name = f" ({problem.column_name})" if problem.column_name else ""
            return f"{problem.column}{name}"
        if column == 2:
            return problem.message
        return ""
