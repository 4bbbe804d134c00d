"""The week and day views: a time grid with hours down and days across, chips placed by time.

Each cell is a 15-minute slot; a chip starts at its post's slot and is two slots tall (a post has
no duration, so the height is only room for its text). Posts that would overlap share the
column's width side by side. Dropping a chip on a slot gives the post that slot's wall-clock time
in the workspace's zone; finer changes than a slot are made with the keyboard (Alt+Shift+Up/Down
nudges by 15 minutes, Alt+Up/Down by an hour). There is no edge to drag: a post is an instant, not
an interval, so resizing a chip would mean nothing.

The week view shows a :class:`~ui.models.week.TimeGridModel` as it is; the day view the same
model through a :class:`~ui.models.week.DayColumnProxy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from cmdesk.timeutil import utc_to_local
from ui.delegates.chip import chip_font, chip_height, mix, paint_chip
from ui.delegates.day_cell import TODAY_COLOR
from ui.models.month import CalendarRole, PostChip
from ui.models.week import SLOT_MINUTES, DayColumnProxy, TimeGridModel
from ui.views.campaign_bands import BandHeader
from ui.views.open_slots import OpenSlotsLayer
from ui.views.post_grid import PostGrid

_Index = QModelIndex | QPersistentModelIndex

#: The hour the grid scrolls to when a week is first shown.
FIRST_HOUR_SHOWN = 8
#: Slots a chip covers (30 minutes of the grid).
CHIP_SLOTS = 2


@dataclass(frozen=True, slots=True)
class PlacedChip:
    """A chip with its place in the viewport."""

    chip: PostChip
    rect: QRect


def place_lanes(tops: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Side-by-side lanes for vertical extents ``(top, bottom)`` given in top order.

    Returns ``(lane, lanes in its cluster)`` for each: extents that overlap go to separate lanes,
    and every extent of a cluster of overlapping ones gets the cluster's lane count, so they
    share the width equally.
    """
    result: list[tuple[int, int]] = []
    cluster: list[int] = []  # indexes into result of the current cluster
    lane_ends: list[int] = []
    cluster_end = -1
    for top, bottom in tops:
        if cluster and top >= cluster_end:
            for i in cluster:
                result[i] = (result[i][0], len(lane_ends))
            cluster, lane_ends, cluster_end = [], [], -1
        lane = next((n for n, end in enumerate(lane_ends) if end <= top), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(bottom)
        else:
            lane_ends[lane] = bottom
        cluster.append(len(result))
        result.append((lane, 0))
        cluster_end = max(cluster_end, bottom)
    for i in cluster:
        result[i] = (result[i][0], len(lane_ends))
    return result


class HourHeader(QHeaderView):
    """The time column: an hour label at the top of each hour, no box around every quarter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setHighlightSections(False)
        self.setSectionsClickable(False)

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        hint.setWidth(self.fontMetrics().horizontalAdvance("00:00") + 14)
        return hint

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:
        pal = self.palette()
        painter.fillRect(rect, pal.color(QPalette.ColorRole.Window))
        painter.setPen(
            mix(pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.Text), 0.14)
        )
        painter.drawLine(rect.topRight(), rect.bottomRight())
        if logical_index % 4 == 0:
            text = (
                self.model().headerData(logical_index, Qt.Orientation.Vertical)
                if self.model()
                else ""
            )
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(
                rect.adjusted(0, 0, -6, 0),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                str(text or ""),
            )


class SlotDelegate(QStyledItemDelegate):
    """Paints a slot: nothing but a light tint for the current one (the chips are painted above).

    The grid selects nothing (a selected cell would get the style's solid row background); the
    keyboard's place is the current slot, which has the focus state.
    """

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        if option.state & QStyle.StateFlag.State_HasFocus:
            tint = QColor(option.palette.color(QPalette.ColorRole.Highlight))
            tint.setAlphaF(0.18)
            painter.fillRect(option.rect, tint)


class TimeGrid(PostGrid):
    """Quarter-hour rows by day columns, with the posts painted over the cells as chips.

    Signals: those of :class:`PostGrid`; ``slot_activated`` carries the slot's aware ``datetime``
    (UTC).
    """

    def __init__(
        self, model: TimeGridModel | DayColumnProxy, name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name.lower().replace(" ", "_"))
        self.setAccessibleName(name)
        # Before the model: the header shows the campaigns' bands under the day names.
        self.setHorizontalHeader(BandHeader(self))
        self.setModel(model)
        self.now: datetime | None = None
        self.setShowGrid(False)  # hours and half hours are painted; quarters stay implicit
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        self.setVerticalHeader(HourHeader(self))
        self.setItemDelegate(SlotDelegate(self))
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self._pending_hour: int | None = FIRST_HOUR_SHOWN
        self._fit_rows()
        self.open_slots = OpenSlotsLayer(self)  # free posting slots, outlined under the chips

    def _fit_rows(self) -> None:
        # A slot is as tall as a line of the hour labels, so "09:00" is never clipped.
        height = max(12, QFontMetrics(self.font()).height() + 2)
        self.verticalHeader().setMinimumSectionSize(height)
        self.verticalHeader().setDefaultSectionSize(height)

    def source(self) -> TimeGridModel:
        model = self.model()
        if isinstance(model, DayColumnProxy):
            model = model.sourceModel()
        assert isinstance(model, TimeGridModel)
        return model

    def day_of_column(self, column: int) -> date | None:
        day = self.model().headerData(column, Qt.Orientation.Horizontal, CalendarRole.DATE)
        return day if isinstance(day, date) else None

    def column_of_day(self, day: date) -> int:
        return next(
            (c for c in range(self.model().columnCount()) if self.day_of_column(c) == day), -1
        )

    def scroll_to_hour(self, hour: int = FIRST_HOUR_SHOWN) -> None:
        """Put ``hour`` at the top (once the grid has its size, if it is not shown yet)."""
        if not self.isVisible():
            self._pending_hour = hour
            return
        self._pending_hour = None
        row = hour * 60 // SLOT_MINUTES
        self.verticalScrollBar().setValue(self.rowViewportPosition(row) + self.verticalOffset())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._pending_hour is not None:
            self.updateGeometries()
            self.scroll_to_hour(self._pending_hour)

    # --- PostGrid ---------------------------------------------------------------------------

    def slot_value(self, index: QModelIndex) -> object:
        day = index.data(CalendarRole.DATE)
        if not isinstance(day, date):
            return None
        return self.source().slot_start(
            self.source().index(index.row(), self.source().column_of(day))
        )

    def placed_chips(self) -> list[PlacedChip]:
        """Every chip of the shown days with its rectangle, in time order per day."""
        placed: list[PlacedChip] = []
        row_height = self.rowHeight(0) or 12
        height = max(CHIP_SLOTS * row_height, chip_height(QFontMetrics(chip_font(self.font()))))
        for column in range(self.model().columnCount()):
            day = self.day_of_column(column)
            if day is None:
                continue
            chips = self.source().chips_of_day(day)
            left = self.columnViewportPosition(column) + 2
            width = self.columnWidth(column) - 5
            tops = [self.rowViewportPosition(row) for row, _ in chips]
            lanes = place_lanes([(top, top + height) for top in tops])
            for (_row, chip), (lane, count), top in zip(chips, lanes, tops, strict=True):
                lane_width = width // max(1, count)
                rect = QRect(left + lane * lane_width, top + 1, lane_width - 2, height - 2)
                placed.append(PlacedChip(chip, rect))
        return placed

    def chip_rects(self) -> list[tuple[int, QRect]]:
        placed = self.placed_chips()
        placed.sort(key=lambda p: (p.chip.post.scheduled_at, p.chip.post.id))
        return [(p.chip.post.id, p.rect) for p in placed]

    def cell_of_post(self, post_id: int) -> QModelIndex:
        found = self.source().position_of_post(post_id)
        if found is None:
            return QModelIndex()
        column = self.column_of_day(found[0])
        return self.model().index(found[1], column) if column >= 0 else QModelIndex()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        slot = self.open_slots.slot_at(pos) if self.chip_at(pos) is None else None
        if slot is None:
            super().mouseDoubleClickEvent(event)
            return
        self.slot_activated.emit(slot.at)  # the slot's own time, not its quarter hour's
        event.accept()

    def drop_rect(self) -> QRect:
        rect = self.visualRect(self.drop_target)
        rect.setHeight(max(rect.height(), CHIP_SLOTS * self.rowHeight(0)))
        return rect

    def paint_drop_indicator(self, painter: QPainter) -> None:
        """The target slot, labelled with the time the post will get (and "copy" with Ctrl)."""
        super().paint_drop_indicator(painter)
        if not self.drop_target.isValid():
            return
        when = self.slot_value(self.drop_target)
        if isinstance(when, datetime):
            local = utc_to_local(when, self.source().period.time_zone)
            text = f"{local:%H:%M}" + (" · copy" if self.drop_is_copy else "")
            painter.setPen(self.palette().color(QPalette.ColorRole.Highlight))
            painter.setFont(chip_font(self.font()))
            rect = self.drop_rect().adjusted(8, 0, -4, 0)
            painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, text)

    # --- painting ----------------------------------------------------------------------------

    def paint_overlay(self, painter: QPainter) -> None:
        pal = self.palette()
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        self._paint_today(painter)
        width = self.viewport().width()
        for row in range(0, self.model().rowCount(), 2):
            y = self.rowViewportPosition(row)
            if -1 <= y <= self.viewport().height():
                hour = row % 4 == 0
                painter.setPen(QPen(mix(base, text, 0.14 if hour else 0.06), 1))
                painter.drawLine(0, y, width, y)
        painter.setPen(QPen(mix(base, text, 0.14), 1))
        for column in range(1, self.model().columnCount()):
            x = self.columnViewportPosition(column)
            painter.drawLine(x, 0, x, self.viewport().height())
        self._paint_now(painter)
        self.open_slots.paint(painter)
        painter.setFont(chip_font(self.font()))
        for placed in self.placed_chips():
            selected = placed.chip.post.id == self.selected_post
            paint_chip(painter, pal, placed.rect, placed.chip, selected=selected)

    def _paint_today(self, painter: QPainter) -> None:
        today = self.source().today
        column = self.column_of_day(today) if today is not None else -1
        if column >= 0:
            tint = QColor(TODAY_COLOR)
            tint.setAlphaF(0.05)
            x = self.columnViewportPosition(column)
            painter.fillRect(QRect(x, 0, self.columnWidth(column), self.viewport().height()), tint)

    def _paint_now(self, painter: QPainter) -> None:
        """A line across today's column at the current time."""
        if self.now is None:
            return
        local = utc_to_local(self.now, self.source().period.time_zone)
        column = self.column_of_day(local.date())
        if column < 0:
            return
        minutes = local.hour * 60 + local.minute
        row, within = divmod(minutes, SLOT_MINUTES)
        y = self.rowViewportPosition(row) + self.rowHeight(row) * within // SLOT_MINUTES
        x = self.columnViewportPosition(column)
        painter.setPen(QPen(QColor("#d93025"), 2))
        painter.drawLine(x, y, x + self.columnWidth(column), y)
