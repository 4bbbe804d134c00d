"""The month grid: six weeks of seven days, each cell one day with the posts planned on it.

Days are local dates in the workspace's time zone, never the machine's: a post at 00:30 in Madrid
belongs to that Madrid day wherever the laptop is. The model holds no service; a window asks
``PlanService.calendar_days`` for the days of :meth:`MonthPeriod.grid_bounds` and hands the posts
and each day's total to :meth:`MonthModel.set_posts`.

Posts dropped on a day (the vendor MIME type of :mod:`ui.models.mime`) are handed to the
:class:`~ui.models.drops.PostDropHandler` given to :meth:`MonthModel.set_drop_handler`, which turns
them into undoable plan actions; a reload then shows the result, repainting only the days whose
chips changed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QDate, QLocale, QModelIndex, QObject, QPersistentModelIndex, Qt

from cmdesk.dto import PostSummary
from cmdesk.status import PostStatus
from cmdesk.timeutil import local_day_bounds, month_grid_bounds, utc_to_local
from ui.models.calendar_grid import CalendarGridModel, CalendarRole
from ui.models.chips import ChannelGlyph, ChipMaker, PostChip, fallback_campaign_color
from ui.models.drops import PostDropHandler
from ui.models.mime import DraggedPosts

__all__ = [
    "COLUMNS",
    "ROWS",
    "CalendarRole",
    "ChannelGlyph",
    "ChipMaker",
    "MonthModel",
    "MonthPeriod",
    "PostChip",
    "fallback_campaign_color",
    "group_by_local_day",
]
ROWS = 6
COLUMNS = 7

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class MonthPeriod:
    """A month shown in a workspace: which month, in which zone, with which first weekday.

    ``week_start`` is 0 for Monday ... 6 for Sunday, as on the workspace.
    """

    year: int
    month: int
    time_zone: str
    week_start: int = 0

    @classmethod
    def containing(cls, day: date, time_zone: str, week_start: int = 0) -> MonthPeriod:
        return cls(day.year, day.month, time_zone, week_start)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def grid_bounds(self) -> tuple[date, date]:
        """First day shown and the day after the last one shown (always 42 days apart)."""
        return month_grid_bounds(self.year, self.month, week_start=self.week_start)

    def days(self) -> list[date]:
        start, _ = self.grid_bounds()
        return [start + timedelta(days=i) for i in range(ROWS * COLUMNS)]

    def utc_window(self) -> tuple[datetime, datetime]:
        """The UTC instants ``[start, end)`` covering the whole grid in the workspace's zone."""
        start, end = self.grid_bounds()
        return local_day_bounds(start, self.time_zone)[0], local_day_bounds(end, self.time_zone)[0]

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.month)

    def shifted(self, months: int) -> MonthPeriod:
        index = self.year * 12 + (self.month - 1) + months
        return replace(self, year=index // 12, month=index % 12 + 1)

    def same_day_in(self, other: MonthPeriod, day: date) -> date:
        """``day``'s day of the month moved into ``other``, clamped to its length (31 -> 30)."""
        last = other.shifted(1).first_day - timedelta(days=1)
        return other.first_day.replace(day=min(day.day, last.day))


def group_by_local_day(
    posts: Iterable[PostSummary], time_zone: str
) -> dict[date, list[PostSummary]]:
    """Posts with a time, keyed by their local date in the zone, each day's list in time order."""
    days: dict[date, list[PostSummary]] = defaultdict(list)
    for post in posts:
        if post.scheduled_at is not None:
            days[utc_to_local(post.scheduled_at, time_zone).date()].append(post)
    for day_posts in days.values():
        day_posts.sort(key=lambda p: (p.scheduled_at, p.id))
    return dict(days)


class MonthModel(CalendarGridModel[MonthPeriod, date]):
    """Six rows of weeks by seven columns of weekdays; each day accepts dropped posts.

    Signals: only those of ``QAbstractItemModel``. A new period resets the model; new posts or a
    new "today" only emit ``dataChanged`` for the days that changed, so selection and focus
    survive a reload and a drop repaints two cells, not 42.
    """

    ROWS = ROWS
    COLUMNS = COLUMNS

    def __init__(self, period: MonthPeriod, parent: QObject | None = None) -> None:
        super().__init__(period, parent)
        self._posts: dict[date, list[PostSummary]] = {}
        self._chips: dict[date, tuple[PostChip, ...]] = {}
        self._counts: dict[date, int] = {}

    # --- state -------------------------------------------------------------------------------

    def _clear_posts(self) -> None:
        self._posts = {}
        self._chips = {}
        self._counts = {}

    def set_posts(
        self, posts: Iterable[PostSummary], day_counts: Mapping[date, int] | None = None
    ) -> None:
        """Replace the posts shown; those outside the grid are ignored.

        ``day_counts`` gives each day's total when only the first posts of busy days were loaded
        (``PlanService.calendar_days``); without it the loaded posts are the whole day.
        """
        shown = set(self._days)
        grouped = group_by_local_day(posts, self._period.time_zone)
        before_posts, before_chips, before_counts = self._posts, self._chips, self._counts
        self._posts = {day: items for day, items in grouped.items() if day in shown}
        # A reload after one change (a drop, a publication) changes a day or two: the other
        # days keep their chips rather than being rebuilt.
        self._chips = {
            day: before_chips[day]
            if day in before_chips and before_posts.get(day) == items
            else self._make_chips(items)
            for day, items in self._posts.items()
        }
        loaded = {day: len(items) for day, items in self._posts.items()}
        self._counts = {
            day: max(n, loaded.get(day, 0))
            for day, n in (day_counts or loaded).items()
            if day in shown and max(n, loaded.get(day, 0))
        }
        changed = {
            day
            for day in set(before_chips) | set(self._chips) | set(before_counts) | set(self._counts)
            if before_chips.get(day) != self._chips.get(day)
            or before_counts.get(day, 0) != self._counts.get(day, 0)
        }
        self._days_changed(changed)

    def set_today(self, today: date) -> None:
        if today != self._today:
            previous, self._today = self._today, today
            self._days_changed({d for d in (previous, today) if d is not None})

    def _rebuild_chips(self) -> None:
        before = self._chips
        self._chips = {day: self._make_chips(items) for day, items in self._posts.items()}
        self._days_changed({d for d in self._chips if before.get(d) != self._chips[d]})

    # --- lookups -----------------------------------------------------------------------------

    def date_at(self, index: _Index) -> date | None:
        if not self._valid(index):
            return None
        return self._days[index.row() * COLUMNS + index.column()]

    def index_for_date(self, day: date) -> QModelIndex:
        """The cell of a day, or an invalid index if the grid does not show it."""
        offset = (day - self._days[0]).days
        if not 0 <= offset < ROWS * COLUMNS:
            return QModelIndex()
        return self.index(offset // COLUMNS, offset % COLUMNS)

    def posts_on(self, day: date) -> Sequence[PostSummary]:
        return tuple(self._posts.get(day, ()))

    def chips_on(self, day: date) -> tuple[PostChip, ...]:
        return self._chips.get(day, ())

    def day_of_post(self, post_id: int) -> date | None:
        """The day whose chips include the post, if the grid shows it."""
        for day, items in self._posts.items():
            if any(p.id == post_id for p in items):
                return day
        return None

    def published_ids(self) -> list[int]:
        """The published posts shown: the ones whose engagement the tooltips can show."""
        return [
            p.id
            for items in self._posts.values()
            for p in items
            if p.status == PostStatus.PUBLISHED
        ]

    def post_count(self) -> int:
        return sum(len(items) for items in self._posts.values())

    # --- drops -------------------------------------------------------------------------------

    def _drop(
        self, drops: PostDropHandler, dragged: DraggedPosts, target: date, copy: bool
    ) -> bool:
        """Move (or copying, duplicate) the dragged posts to the day, same time."""
        return drops.drop_on_day(dragged, target, copy=copy)

    def _drop_target(self, row: int, column: int, parent: _Index) -> date | None:
        # Qt passes the cell as ``parent`` for a drop on an item, or row/column for a drop
        # between items (which a grid of days does not have, but a caller may use).
        if parent.isValid():
            return self.date_at(parent)
        if 0 <= row < ROWS and 0 <= column < COLUMNS:
            return self._days[row * COLUMNS + column]
        return None

    # --- QAbstractItemModel ------------------------------------------------------------------

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        day = self.date_at(index)
        if day is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return str(day.day)
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._describe(day, with_posts=role == Qt.ItemDataRole.ToolTipRole)
        return self._calendar_data(day, role)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < COLUMNS:
            fmt = QLocale.FormatType.ShortFormat
            if role == Qt.ItemDataRole.ToolTipRole:
                fmt = QLocale.FormatType.LongFormat
            return QLocale().dayName(self._qt_weekday(section), fmt)
        if orientation == Qt.Orientation.Vertical and 0 <= section < ROWS:
            week = self._days[section * COLUMNS].isocalendar().week
            return f"Week {week}" if role == Qt.ItemDataRole.ToolTipRole else str(week)
        return None

    # --- helpers -----------------------------------------------------------------------------

    def _calendar_data(self, day: date, role: int) -> Any:
        if role == CalendarRole.DATE:
            return day
        if role == CalendarRole.POSTS:
            return tuple(self._posts.get(day, ()))
        if role == CalendarRole.CHIPS:
            return self._chips.get(day, ())
        if role == CalendarRole.IS_TODAY:
            return day == self._today
        if role == CalendarRole.IN_MONTH:
            return self._period.contains(day)
        if role == CalendarRole.POST_COUNT:
            return self._counts.get(day, 0)
        return None

    def _qt_weekday(self, column: int) -> int:
        # Qt numbers weekdays 1 (Monday) to 7 (Sunday); the workspace 0 (Monday) to 6 (Sunday).
        return (self._period.week_start + column) % 7 + 1

    def _make_chips(self, posts: Iterable[PostSummary]) -> tuple[PostChip, ...]:
        return tuple(self._maker.chip(p) for p in posts)

    def _describe(self, day: date, *, with_posts: bool) -> str:
        chips = self._chips.get(day, ())
        heading = QLocale().toString(
            QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat
        )
        if day == self._today:
            heading += " (today)"
        total = self._counts.get(day, len(chips))
        if not with_posts:
            count = {0: "no posts", 1: "1 post"}.get(total, f"{total} posts")
            return f"{heading}, {count}"
        lines = [self._tooltip_line(c) for c in chips]
        if total > len(chips):
            lines.append(f"… and {total - len(chips)} more")
        return "\n".join([heading, *lines]) if lines else heading

    def _days_changed(self, days: Iterable[date]) -> None:
        cells = [self.index_for_date(d) for d in days]
        cells = [c for c in cells if c.isValid()]
        if len(cells) > 8:
            # Past a handful, one signal for the block is cheaper than one per cell.
            self.dataChanged.emit(self.index(0, 0), self.index(ROWS - 1, COLUMNS - 1))
            return
        for cell in cells:
            self.dataChanged.emit(cell, cell)
