"""What the month grid and the week/day time grid share: period, chips' inputs and drops of posts.

:class:`CalendarGridModel` is the base of :class:`ui.models.month.MonthModel` and
:class:`ui.models.week.TimeGridModel`. It keeps the period shown, "today", the
:class:`~ui.models.chips.ChipMaker` and the drop handler, answers Qt's size, flag and role-name
questions from the grid's fixed shape, and decodes dropped posts (the vendor MIME type of
:mod:`ui.models.mime`). A subclass says what a cell means: where its posts come from
(:meth:`~CalendarGridModel._clear_posts`, :meth:`~CalendarGridModel._rebuild_chips`), what a drop
aims at (a day, a slot's time) and what the handler is asked to do with it. The latest engagement
counts of published posts (:meth:`~CalendarGridModel.set_engagement`) go into the tooltips.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import IntEnum
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from cmdesk.dto import ChannelDTO, MetricsDTO
from cmdesk.status import PostStatus
from ui.models.chips import ChannelGlyph, ChipMaker, PostChip
from ui.models.drops import PostDropHandler
from ui.models.mime import IDEA_MIME_TYPE, POST_MIME_TYPE, DraggedPosts, decode_ideas, decode_posts

if TYPE_CHECKING:
    from ui.models.idea_drops import IdeaDrops

_Index = QModelIndex | QPersistentModelIndex


class CalendarRole(IntEnum):
    """Data roles of the calendar models, beyond Qt's own."""

    DATE = Qt.ItemDataRole.UserRole + 1  # datetime.date of the cell
    POSTS = Qt.ItemDataRole.UserRole + 2  # tuple[PostSummary, ...] ordered by time
    CHIPS = Qt.ItemDataRole.UserRole + 3  # tuple[PostChip, ...]: what the delegate paints
    IS_TODAY = Qt.ItemDataRole.UserRole + 4  # bool
    IN_MONTH = Qt.ItemDataRole.UserRole + 5  # bool: False for the days that pad the grid
    POST_COUNT = Qt.ItemDataRole.UserRole + 6  # int: all posts of the day, loaded or not


class GridPeriod(Protocol):
    """What the base model needs of a period: its days, in the workspace's zone."""

    @property
    def time_zone(self) -> str: ...

    def days(self) -> list[date]: ...


P = TypeVar("P", bound=GridPeriod)
T = TypeVar("T")  # what a drop aims at: a day (month) or a slot's instant (time grid)


def chip_line(chip: PostChip, metrics: MetricsDTO | None = None) -> str:
    """One line of a cell's tooltip for a chip: local time, status and label.

    A published post with counts gets its latest engagement ("12 likes · 3 reposts · 2 replies").
    """
    line = f"{chip.local_time}  {chip.post.status.label}: {chip.post.label}"
    if chip.series:
        line += f" ({chip.series[2:]})"  # the rule of its series, in words
    if metrics is not None and chip.post.status == PostStatus.PUBLISHED:
        line += f" — {metrics.summary()}"
    return line


class CalendarGridModel(QAbstractTableModel, Generic[P, T]):
    """A fixed grid of ``ROWS`` by ``COLUMNS`` cells over a period's days; cells accept drops.

    Signals: only those of ``QAbstractItemModel``. A new period resets the model.
    """

    ROWS: ClassVar[int]
    COLUMNS: ClassVar[int]

    def __init__(self, period: P, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._period = period
        self._days = period.days()
        self._today: date | None = None
        self._maker = ChipMaker(period.time_zone)
        self._drops: PostDropHandler | None = None
        #: Who makes drafts of ideas dropped on a cell (the ideas bin; None: refused).
        self.idea_drops: IdeaDrops | None = None
        self._metrics: dict[int, MetricsDTO] = {}

    # --- what a subclass says ----------------------------------------------------------------

    def _clear_posts(self) -> None:
        """Forget the posts shown (called inside a model reset)."""
        raise NotImplementedError

    def _rebuild_chips(self) -> None:
        """Make the chips again (colours or channels changed) and tell the cells that changed."""
        raise NotImplementedError

    def _drop_target(self, row: int, column: int, parent: _Index) -> T | None:
        """What a drop on the cell aims at, or None outside the grid."""
        raise NotImplementedError

    def _drop(self, drops: PostDropHandler, dragged: DraggedPosts, target: T, copy: bool) -> bool:
        """Hand the dropped posts to the handler; whether it took them."""
        raise NotImplementedError

    # --- state -------------------------------------------------------------------------------

    @property
    def period(self) -> P:
        return self._period

    @property
    def today(self) -> date | None:
        return self._today

    def set_period(self, period: P) -> None:
        """Show another period (or zone, or week start); the posts are cleared until reloaded."""
        self.beginResetModel()
        self._period = period
        self._days = period.days()
        self._maker.time_zone = period.time_zone
        self._clear_posts()
        self.endResetModel()

    def set_drop_handler(self, handler: PostDropHandler | None) -> None:
        """Who acts on posts dropped on a cell (None: drops are refused)."""
        self._drops = handler

    def set_campaign_colors(self, colors: Mapping[int, str]) -> None:
        """Colours of the workspace's campaigns by id; unknown campaigns get a stable fallback."""
        self._maker.campaign_colors = dict(colors)
        self._rebuild_chips()

    def set_series_marks(self, marks: Mapping[int, str]) -> None:
        """Occurrences' marks and rules by post id (``ctx.series.marks``), for the next posts."""
        self._maker.series_marks = dict(marks)

    def set_channels(self, channels: Iterable[ChannelDTO]) -> None:
        """The workspace's channels, whose badges the chips show."""
        self._maker.channels = {c.id: ChannelGlyph.of(c) for c in channels}
        self._rebuild_chips()

    def set_engagement(self, metrics: Mapping[int, MetricsDTO]) -> None:
        """The latest engagement counts by post id, shown in the cells' tooltips."""
        if dict(metrics) == self._metrics:
            return  # the signal below repaints every cell: not for nothing
        self._metrics = dict(metrics)
        self.dataChanged.emit(
            self.index(0, 0),
            self.index(self.ROWS - 1, self.COLUMNS - 1),
            [Qt.ItemDataRole.ToolTipRole],
        )

    def _tooltip_line(self, chip: PostChip) -> str:
        return chip_line(chip, self._metrics.get(chip.post.id))

    # --- QAbstractItemModel ------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else self.ROWS

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.COLUMNS

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not self._valid(index):
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDropEnabled
        )

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in CalendarRole})
        return names

    # --- drops -------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [POST_MIME_TYPE, IDEA_MIME_TYPE]

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        dragged = decode_posts(data)
        target = self._drop_target(row, column, parent)
        if (ideas := decode_ideas(data)) is not None:
            return bool(
                target is not None and self.idea_drops and self.idea_drops.can_accept(ideas)
            )
        return bool(
            dragged and target is not None and self._drops and self._drops.can_accept(dragged)
        )

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        """Move the dragged posts to the cell (with ``CopyAction``: duplicates go there)."""
        dragged = decode_posts(data)
        target = self._drop_target(row, column, parent)
        if (ideas := decode_ideas(data)) is not None:
            return bool(
                target is not None and self.idea_drops and self.idea_drops.drop(ideas, target)
            )
        if dragged is None or target is None or self._drops is None:
            return False
        return self._drop(self._drops, dragged, target, action == Qt.DropAction.CopyAction)

    # --- helpers -----------------------------------------------------------------------------

    def _valid(self, index: _Index) -> bool:
        return (
            index.isValid()
            and index.model() is self
            and 0 <= index.row() < self.ROWS
            and 0 <= index.column() < self.COLUMNS
        )
