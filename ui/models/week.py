"""The time grid of the week and day views: quarter-hour slots down, days across.

One source model, :class:`TimeGridModel`, holds a whole week (96 slots x 7 days); the week view
shows it as it is and the day view through :class:`DayColumnProxy`, which keeps one column. Every
cell is a 15-minute slot of a local day in the workspace's zone; posts are kept per day and the
view paints them as chips placed by their time (a chip is wider than a slot is tall, so the
view, not a delegate, lays them out).

A drop on a slot gives the dragged posts that slot's wall-clock time. Slot times are turned into
instants with :func:`cmdesk.timeutil.local_to_utc`: 02:15 on the spring-forward night does not
exist and becomes 03:15, and 02:15 on the autumn night means its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import (
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from cmdesk.dto import PostSummary
from cmdesk.timeutil import local_day_bounds, local_to_utc, utc_to_local
from ui.delegates.day_cell import TODAY_COLOR
from ui.models.calendar_grid import CalendarGridModel, CalendarRole
from ui.models.chips import PostChip
from ui.models.drops import PostDropHandler
from ui.models.mime import DraggedPosts
from ui.models.month import group_by_local_day

SLOT_MINUTES = 15
SLOTS = 24 * 60 // SLOT_MINUTES
WEEK_DAYS = 7

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class WeekPeriod:
    """The week shown in a workspace: its first day (on the workspace's week start) and zone."""

    start: date
    time_zone: str
    week_start: int = 0

    @classmethod
    def containing(cls, day: date, time_zone: str, week_start: int = 0) -> WeekPeriod:
        lead = (day.weekday() - week_start) % 7
        return cls(day - timedelta(days=lead), time_zone, week_start)

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(WEEK_DAYS)]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=WEEK_DAYS)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def shifted(self, weeks: int) -> WeekPeriod:
        return replace(self, start=self.start + timedelta(days=7 * weeks))

    def utc_window(self) -> tuple[datetime, datetime]:
        """The UTC instants ``[start, end)`` of the week in the workspace's zone."""
        return (
            local_day_bounds(self.start, self.time_zone)[0],
            local_day_bounds(self.end, self.time_zone)[0],
        )


def slot_of(local: datetime) -> int:
    """The row of a local wall-clock time."""
    return (local.hour * 60 + local.minute) // SLOT_MINUTES


def slot_wall_time(row: int) -> time:
    minutes = row * SLOT_MINUTES
    return time(minutes // 60, minutes % 60)


class TimeGridModel(CalendarGridModel[WeekPeriod, datetime]):
    """96 quarter-hour rows by the 7 days of a week; each slot accepts dropped posts.

    Signals: only those of ``QAbstractItemModel``. A new week resets the model; new posts emit
    ``dataChanged`` only for the slots whose chips changed.
    """

    ROWS = SLOTS
    COLUMNS = WEEK_DAYS

    def __init__(self, period: WeekPeriod, parent: QObject | None = None) -> None:
        super().__init__(period, parent)
        self._chips: dict[tuple[date, int], tuple[PostChip, ...]] = {}
        self._posts: list[PostSummary] = []

    # --- state -------------------------------------------------------------------------------

    def _clear_posts(self) -> None:
        self._chips = {}
        self._posts = []

    def set_posts(self, posts: Iterable[PostSummary]) -> None:
        """Replace the posts shown; those outside the week are ignored."""
        self._posts = list(posts)
        self._rebuild_chips()

    def set_today(self, today: date) -> None:
        if today != self._today:
            previous, self._today = self._today, today
            for day in (previous, today):
                if day in self._days:
                    column = self._days.index(day)
                    self.headerDataChanged.emit(Qt.Orientation.Horizontal, column, column)
                    self.dataChanged.emit(self.index(0, column), self.index(SLOTS - 1, column))

    def _rebuild_chips(self) -> None:
        before = self._chips
        shown = set(self._days)
        grouped = group_by_local_day(self._posts, self._period.time_zone)
        chips: dict[tuple[date, int], list[PostChip]] = {}
        for day, items in grouped.items():
            if day not in shown:
                continue
            for post in items:
                assert post.scheduled_at is not None
                row = slot_of(utc_to_local(post.scheduled_at, self._period.time_zone))
                chips.setdefault((day, row), []).append(self._maker.chip(post))
        self._chips = {key: tuple(value) for key, value in chips.items()}
        for key in set(before) | set(self._chips):
            if before.get(key) != self._chips.get(key):
                cell = self.index(key[1], self._days.index(key[0]))
                self.dataChanged.emit(cell, cell)

    # --- lookups -----------------------------------------------------------------------------

    def date_at(self, index: _Index) -> date | None:
        return self._days[index.column()] if self._valid(index) else None

    def column_of(self, day: date) -> int:
        return self._days.index(day) if day in self._days else -1

    def slot_start(self, index: _Index) -> datetime | None:
        """The UTC instant of a slot's wall-clock time (gaps and folds resolved as documented)."""
        day = self.date_at(index)
        if day is None:
            return None
        return local_to_utc(
            datetime.combine(day, slot_wall_time(index.row())), self._period.time_zone
        )

    def chips_of_day(self, day: date) -> list[tuple[int, PostChip]]:
        """The chips of a day with their rows, in time order."""
        column = [(row, chips) for (d, row), chips in self._chips.items() if d == day]
        return [
            (row, chip) for row, chips in sorted(column, key=lambda rc: rc[0]) for chip in chips
        ]

    def position_of_post(self, post_id: int) -> tuple[date, int] | None:
        for (day, row), chips in self._chips.items():
            if any(c.post.id == post_id for c in chips):
                return day, row
        return None

    def post_count(self) -> int:
        return sum(len(c) for c in self._chips.values())

    # --- QAbstractItemModel ------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        day = self.date_at(index)
        if day is None:
            return None
        chips = self._chips.get((day, index.row()), ())
        if role == Qt.ItemDataRole.DisplayRole:
            return None
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(day, index.row(), chips)
        if role == CalendarRole.DATE:
            return day
        if role in (CalendarRole.CHIPS, CalendarRole.POSTS):
            return chips if role == CalendarRole.CHIPS else tuple(c.post for c in chips)
        if role == CalendarRole.IS_TODAY:
            return day == self._today
        if role == CalendarRole.IN_MONTH:
            return True
        if role == CalendarRole.POST_COUNT:
            return len(chips)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < WEEK_DAYS:
            day = self._days[section]
            qday = QDate(day.year, day.month, day.day)
            if role == Qt.ItemDataRole.DisplayRole:
                name = QLocale().dayName(day.isoweekday(), QLocale.FormatType.ShortFormat)
                return f"{name} {day.day}"
            if role == Qt.ItemDataRole.ToolTipRole:
                text = QLocale().toString(qday, QLocale.FormatType.LongFormat)
                return text + (" (today)" if day == self._today else "")
            if role == CalendarRole.IS_TODAY:
                return day == self._today
            if role == CalendarRole.DATE:
                return day
            if day == self._today and role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            if day == self._today and role == Qt.ItemDataRole.ForegroundRole:
                return QColor(TODAY_COLOR)
        if orientation == Qt.Orientation.Vertical and 0 <= section < SLOTS:
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{slot_wall_time(section):%H:%M}" if section % 4 == 0 else ""
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{slot_wall_time(section):%H:%M}"
        return None

    # --- drops -------------------------------------------------------------------------------

    def _drop(
        self, drops: PostDropHandler, dragged: DraggedPosts, target: datetime, copy: bool
    ) -> bool:
        """Give the dragged posts this slot's time (copying: duplicates at that time)."""
        return drops.drop_at(dragged, target, copy=copy)

    def _drop_target(self, row: int, column: int, parent: _Index) -> datetime | None:
        if parent.isValid():
            return self.slot_start(parent)
        if 0 <= row < SLOTS and 0 <= column < WEEK_DAYS:
            return self.slot_start(self.index(row, column))
        return None

    # --- helpers -----------------------------------------------------------------------------

    def _describe(self, day: date, row: int, chips: tuple[PostChip, ...]) -> str:
        qday = QDate(day.year, day.month, day.day)
        heading = f"{QLocale().toString(qday, QLocale.FormatType.ShortFormat)} {slot_wall_time(row):%H:%M}"
        if not chips:
            return heading
        return "\n".join([heading, *(self._tooltip_line(c) for c in chips)])


class DayColumnProxy(QSortFilterProxyModel):
    """One day of a :class:`TimeGridModel`: the day view's proxy (drops map to the source)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._day: date | None = None

    @property
    def day(self) -> date | None:
        return self._day

    def set_day(self, day: date) -> None:
        if day != self._day:
            self.beginFilterChange()
            self._day = day
            self.endFilterChange(QSortFilterProxyModel.Direction.Columns)

    def filterAcceptsColumn(self, source_column: int, source_parent: _Index) -> bool:
        source = self.sourceModel()
        if not isinstance(source, TimeGridModel) or self._day is None:
            return False
        return source.column_of(self._day) == source_column

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        return True
