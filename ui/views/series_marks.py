"""Calendar chips of recurring (↻) and evergreen (♻) occurrences: their marks and rules.

:func:`load_series_marks` reads them once per load of the calendar, before the posts are set, so
that each chip is built with its mark and its tooltip names the rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from ui.models.calendar_grid import CalendarGridModel


def load_series_marks(
    ctx: AppContext, workspace: WorkspaceDTO | None, models: Iterable[CalendarGridModel[Any, Any]]
) -> None:
    """Give the calendar models the workspace's series marks (none without a workspace)."""
    marks = ctx.series.marks(workspace.id) if workspace is not None else {}
    for model in models:
        model.set_series_marks(marks)
