"""Empty posting slots in the week and day views: light dashed outlines at their time.

Each free slot of the workspace's channels (``QueueService.open_slots``: one call per calendar
reload) is outlined in its day's column at its wall-clock time, labelled "09:00 · @bakery".
Outlines are painted under the chips, so a post is never hidden; slots of several channels at the
same time share the column's width. Double-clicking an outline opens a new post at that slot's
exact time (not the quarter hour the cell starts at).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette, QPen

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.planning.queues import OpenSlot
from cmdesk.timeutil import utc_to_local
from ui.delegates.chip import chip_font, chip_height, mix
from ui.models.week import SLOT_MINUTES

if TYPE_CHECKING:
    from ui.views.week_view import TimeGrid

#: Rows of the grid an outline covers (as a chip: 30 minutes).
OUTLINE_SLOTS = 2


@dataclass(frozen=True, slots=True)
class PlacedSlot:
    """Open slots at one instant of one day (one per channel) and their outline's rectangle."""

    slots: tuple[OpenSlot, ...]
    rect: QRect

    @property
    def at(self) -> datetime:
        return self.slots[0].at

    def label(self, zone: str) -> str:
        """The time and every channel free then, as "09:00 · @bakery, @cafe"."""
        names = ", ".join(s.channel_name for s in self.slots)
        return f"{utc_to_local(self.at, zone):%H:%M} · {names}"


class OpenSlotsLayer:
    """The open slots a time grid shows, where they are, and how they are painted."""

    def __init__(self, grid: TimeGrid) -> None:
        self.grid = grid
        self.slots: tuple[OpenSlot, ...] = ()

    def set_slots(self, slots: Iterable[OpenSlot]) -> None:
        self.slots = tuple(slots)
        self.grid.viewport().update()

    def placed(self) -> list[PlacedSlot]:
        """The outlines of the shown days: one per instant, instants of one row side by side."""
        grid = self.grid
        zone = grid.source().period.time_zone
        row_height = grid.rowHeight(0) or 12
        height = max(OUTLINE_SLOTS * row_height, chip_height(QFontMetrics(chip_font(grid.font()))))
        cells: dict[tuple[int, int], dict[datetime, list[OpenSlot]]] = {}
        for slot in self.slots:
            local = utc_to_local(slot.at, zone)
            column = grid.column_of_day(local.date())
            if column >= 0:
                row = (local.hour * 60 + local.minute) // SLOT_MINUTES
                cells.setdefault((column, row), {}).setdefault(slot.at, []).append(slot)
        out: list[PlacedSlot] = []
        for (column, row), instants in cells.items():
            left = grid.columnViewportPosition(column) + 2
            width = (grid.columnWidth(column) - 5) // len(instants)
            top = grid.rowViewportPosition(row) + 1
            for i, at in enumerate(sorted(instants)):
                same = tuple(sorted(instants[at], key=lambda s: s.channel_name))
                out.append(PlacedSlot(same, QRect(left + i * width, top, width - 2, height - 2)))
        return out

    def slot_at(self, pos: QPoint) -> PlacedSlot | None:
        return next((p for p in self.placed() if p.rect.contains(pos)), None)

    def paint(self, painter: QPainter) -> None:
        """Dashed outlines with the time and the channels, under the chips."""
        if not self.slots:
            return
        pal = self.grid.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        line = mix(base, text, 0.32)
        label = QColor(pal.color(QPalette.ColorRole.PlaceholderText))
        zone = self.grid.source().period.time_zone
        painter.save()
        painter.setFont(chip_font(self.grid.font()))
        metrics = painter.fontMetrics()
        for placed in self.placed():
            rect = placed.rect
            if rect.bottom() < 0 or rect.top() > self.grid.viewport().height():
                continue
            painter.setPen(QPen(line, 1, Qt.PenStyle.DashLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect.adjusted(0, 0, -1, -1), 4, 4)
            painter.setPen(label)
            inner = rect.adjusted(6, 0, -4, 0)
            words = metrics.elidedText(
                placed.label(zone), Qt.TextElideMode.ElideRight, inner.width()
            )
            painter.drawText(
                inner, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, words
            )
        painter.restore()


def show_open_slots(
    ctx: AppContext,
    workspace: WorkspaceDTO | None,
    grids: Sequence[TimeGrid],
    start: datetime,
    end: datetime,
) -> None:
    """Give the time grids the workspace's open slots of ``[start, end)`` (one service call)."""
    slots = ctx.queues.open_slots(workspace.id, start, end) if workspace is not None else []
    for grid in grids:
        grid.open_slots.set_slots(slots)
