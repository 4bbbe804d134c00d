"""The board: one column per post status, each holding the cards of that status.

One source model for the whole board, two levels deep: the top-level rows are the columns, their
children the cards. Each column of the board page is a list view rooted at its column's index, so
a drag from one column to another is a plain model drop onto the target column, and the drop asks
``PlanActions`` to change the status (one undo step).

What a column loads is decided in :mod:`ui.models.board_data`; the column header says how many
posts it did not load.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from cmdesk.dto import CampaignDTO, ChannelDTO, PostSummary
from cmdesk.errors import TransitionError, UserError
from cmdesk.status import PostStatus, check_transition
from cmdesk.timeutil import utc_to_local
from ui.models.board_data import BOARD_STATUSES, BoardColumn
from ui.models.mime import POST_MIME_TYPE, decode_posts, encode_posts

_Index = QModelIndex | QPersistentModelIndex


#: One letter a network, drawn in a small disc on the card.
NETWORK_GLYPHS = {"mastodon": "M", "bluesky": "B", "telegram": "T", "discord": "D"}
#: The network's own colour, for channels that have none of their own.
NETWORK_COLORS = {
    "mastodon": "#6364ff",
    "bluesky": "#1185fe",
    "telegram": "#229ed9",
    "discord": "#5865f2",
}


class BoardRole(IntEnum):
    """Data roles of :class:`BoardModel`, beyond Qt's own."""

    POST_ID = Qt.ItemDataRole.UserRole + 1  # int (cards)
    SUMMARY = Qt.ItemDataRole.UserRole + 2  # PostSummary (cards)
    STATUS = Qt.ItemDataRole.UserRole + 3  # PostStatus (cards and columns)
    LOCAL_TIME = Qt.ItemDataRole.UserRole + 4  # str: "Tue 24 Mar 09:30" in the zone, or ""
    GLYPHS = Qt.ItemDataRole.UserRole + 5  # tuple[ChannelGlyph, ...] (cards)
    CAMPAIGN_COLOR = Qt.ItemDataRole.UserRole + 6  # "#rrggbb" or None (cards)
    TOTAL = Qt.ItemDataRole.UserRole + 7  # int | None: posts of the column, None if unknown
    SHOWN = Qt.ItemDataRole.UserRole + 8  # int: cards loaded in the column
    DROP_STATE = Qt.ItemDataRole.UserRole + 9  # DropState of the column for the current drag
    IS_COLUMN = Qt.ItemDataRole.UserRole + 10  # bool


class DropState(IntEnum):
    """Whether a column takes the posts being dragged."""

    IDLE = 0  # no drag under way
    ACCEPTS = 1
    REFUSES = 2
    SAME = 3  # the column the posts already are in


@dataclass(frozen=True, slots=True)
class ChannelGlyph:
    """A channel as a card shows it: one letter, a colour and the name for the tool tip."""

    letter: str
    color: str
    name: str


def refusal(statuses: Iterable[PostStatus], target: PostStatus) -> str | None:
    """Why posts of these statuses cannot go to ``target`` (the first reason), or None."""
    for status in statuses:
        try:
            check_transition(status, target)
        except TransitionError as exc:
            return exc.message
    return None


StatusMover = Callable[[Sequence[int], PostStatus], None]


class BoardModel(QAbstractItemModel):
    """Columns of cards; drops onto a column change the posts' status through ``mover``.

    Signals:
        drop_refused(str): a drop was refused; the text says why (the view shows it where the
            drop happened).
    """

    drop_refused = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._workspace_id = 0
        self._zone = "UTC"
        self._this_year: int | None = None
        self._columns: list[BoardColumn] = [BoardColumn(s, (), 0) for s in BOARD_STATUSES]
        self._channels: dict[int, ChannelGlyph] = {}
        self._campaigns: dict[int, str] = {}
        self._status_of: dict[int, PostStatus] = {}
        self._drag: tuple[PostStatus, ...] | None = None
        self._series: dict[int, str] = {}
        self.mover: StatusMover | None = None

    # --- loading ---------------------------------------------------------------------------

    def set_context(
        self,
        workspace_id: int,
        zone: str,
        channels: Iterable[ChannelDTO],
        campaigns: Iterable[CampaignDTO],
        *,
        this_year: int | None = None,
    ) -> None:
        """The workspace, its time zone and the channels and campaigns cards refer to.

        Times in ``this_year`` are shown without the year, to keep cards short.
        """
        self.beginResetModel()
        self._workspace_id = workspace_id
        self._zone = zone
        self._this_year = this_year
        self._channels = {
            c.id: ChannelGlyph(
                NETWORK_GLYPHS.get(c.network, c.network[:1].upper()),
                c.color or NETWORK_COLORS.get(c.network, "#6b7785"),
                c.name,
            )
            for c in channels
        }
        self._campaigns = {c.id: c.color for c in campaigns}
        self.endResetModel()

    def set_series_marks(self, marks: Mapping[int, str]) -> None:
        """Occurrences' marks and rules by post id (``ctx.series.marks``), for the next cards."""
        self._series = dict(marks)

    def set_columns(self, columns: Mapping[PostStatus, BoardColumn]) -> None:
        self.beginResetModel()
        self._columns = [columns.get(s, BoardColumn(s, (), 0)) for s in BOARD_STATUSES]
        self._status_of = {p.id: p.status for c in self._columns for p in c.posts}
        self.endResetModel()

    # --- lookup ----------------------------------------------------------------------------

    def column_index(self, status: PostStatus) -> QModelIndex:
        return self.index(BOARD_STATUSES.index(status), 0)

    def column(self, status: PostStatus) -> BoardColumn:
        return self._columns[BOARD_STATUSES.index(status)]

    def card_index(self, post_id: int) -> QModelIndex:
        for row, col in enumerate(self._columns):
            for i, post in enumerate(col.posts):
                if post.id == post_id:
                    return self.createIndex(i, 0, row + 1)
        return QModelIndex()

    def status_of(self, post_id: int) -> PostStatus | None:
        return self._status_of.get(post_id)

    # --- structure -------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:  # noqa: B008 - Qt's default argument
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if row < len(self._columns) else QModelIndex()
        if parent.internalId() == 0 and row < len(self._columns[parent.row()].posts):
            return self.createIndex(row, 0, parent.row() + 1)
        return QModelIndex()

    def parent(self, child: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        if not parent.isValid():
            return len(self._columns)
        if parent.column() == 0 and parent.internalId() == 0:
            return len(self._columns[parent.row()].posts)
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 1

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if index.internalId() == 0:
            return self._column_data(self._columns[index.row()], index.row(), role)
        col = self._columns[index.internalId() - 1]
        if index.row() >= len(col.posts):
            return None
        return self._card_data(col.posts[index.row()], role)

    def _column_data(self, col: BoardColumn, row: int, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return col.status.label
        if role == BoardRole.STATUS:
            return col.status
        if role == BoardRole.TOTAL:
            return col.total
        if role == BoardRole.SHOWN:
            return len(col.posts)
        if role == BoardRole.IS_COLUMN:
            return True
        if role == BoardRole.DROP_STATE:
            return self._drop_state(col.status)
        if role == Qt.ItemDataRole.ToolTipRole and self._drag is not None:
            return refusal(self._drag, col.status)
        return None

    def _card_data(self, post: PostSummary, role: int) -> Any:
        rule = self._series.get(post.id, "")
        # The mark (↻ repeating, ♻ evergreen) leads the title, as on the calendar's chips.
        title = f"{rule[0]} {post.label}" if rule else post.label
        if role == Qt.ItemDataRole.DisplayRole:
            return title
        if role == Qt.ItemDataRole.AccessibleTextRole:
            when = self._local_time(post)
            return f"{title}, {when}" if when else title
        if role == Qt.ItemDataRole.ToolTipRole:
            names = ", ".join(g.name for g in self._glyphs(post))
            return "\n".join(x for x in (post.label, self._local_time(post), names, rule) if x)
        if role == BoardRole.POST_ID:
            return post.id
        if role == BoardRole.SUMMARY:
            return post
        if role == BoardRole.STATUS:
            return post.status
        if role == BoardRole.LOCAL_TIME:
            return self._local_time(post)
        if role == BoardRole.GLYPHS:
            return self._glyphs(post)
        if role == BoardRole.CAMPAIGN_COLOR:
            return self._campaigns.get(post.campaign_id) if post.campaign_id else None
        if role == BoardRole.IS_COLUMN:
            return False
        return None

    def _local_time(self, post: PostSummary) -> str:
        if post.scheduled_at is None:
            return ""
        local = utc_to_local(post.scheduled_at.astimezone(UTC), self._zone)
        if local.year == self._this_year:
            return f"{local:%a %d %b %H:%M}"
        return f"{local:%a %d %b %Y %H:%M}"

    def _glyphs(self, post: PostSummary) -> tuple[ChannelGlyph, ...]:
        return tuple(self._channels[c] for c in post.channel_ids if c in self._channels)

    # --- drag and drop ---------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [POST_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [i.data(BoardRole.POST_ID) for i in indexes if i.isValid() and i.internalId() != 0]
        return encode_posts(self._workspace_id, ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def _target(self, parent: _Index) -> PostStatus | None:
        if not parent.isValid():
            return None
        row = parent.row() if parent.internalId() == 0 else parent.internalId() - 1
        return self._columns[row].status

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        dragged = decode_posts(data)
        return (
            dragged is not None
            and dragged.workspace_id == self._workspace_id
            and self._target(parent) is not None
        )

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        dragged = decode_posts(data)
        target = self._target(parent)
        if dragged is None or target is None or dragged.workspace_id != self._workspace_id:
            return False
        return self.move_posts(dragged.post_ids, target)

    def move_posts(self, post_ids: Sequence[int], target: PostStatus) -> bool:
        """Change the posts' status to ``target``; a refusal emits ``drop_refused`` with why."""
        moving = [p for p in post_ids if self._status_of.get(p) != target]
        if not moving:
            return False
        why = refusal((self._status_of[p] for p in moving if p in self._status_of), target)
        if why is None and self.mover is not None:
            try:
                self.mover(moving, target)
                return True
            except UserError as exc:
                why = exc.message
        self.drop_refused.emit(why or "Nothing can be dropped here.")
        return False

    def set_drag(self, post_ids: Sequence[int] | None) -> None:
        """Posts being dragged over the board (None: the drag ended), for the columns' shading."""
        statuses = None
        if post_ids is not None:
            statuses = tuple({self._status_of[p] for p in post_ids if p in self._status_of})
        if statuses == self._drag:
            return
        self._drag = statuses
        if self._columns:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._columns) - 1, 0), [BoardRole.DROP_STATE]
            )

    def _drop_state(self, status: PostStatus) -> DropState:
        if self._drag is None:
            return DropState.IDLE
        if self._drag and all(s == status for s in self._drag):
            return DropState.SAME
        return DropState.REFUSES if refusal(self._drag, status) else DropState.ACCEPTS
