"""The list of posts as a table: title, status, time, channels, campaign and engagement.

The page loads every post that matches its filter in one service call (the filter itself is
applied by the service) and a ``QSortFilterProxyModel`` sorts the rows by :attr:`PostTableRole.SORT`.
Loading all matches rather than a page at a time keeps sorting honest: a sort by title orders all
the matching posts, not just the ones fetched so far; ten thousand summaries take about 50 ms.
Rows can be dragged (to the calendar) with the posts' MIME type. The engagement column shows the
latest counts the page hands to :meth:`PostTableModel.set_engagement` (published posts only).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor

from cmdesk.dto import CampaignDTO, ChannelDTO, MetricsDTO, PostSummary
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local
from ui.models.mime import POST_MIME_TYPE, encode_posts

_Index = QModelIndex | QPersistentModelIndex
_STATUS_ORDER = {s: i for i, s in enumerate(PostStatus)}
#: Sort key of a post without a time: after every real time.
_NO_TIME = float("inf")


class PostColumn(IntEnum):
    """The columns of the table, left to right."""

    TITLE = 0
    STATUS = 1
    WHEN = 2
    CHANNELS = 3
    CAMPAIGN = 4
    ENGAGEMENT = 5


HEADERS = {
    PostColumn.TITLE: "Title",
    PostColumn.STATUS: "Status",
    PostColumn.WHEN: "When",
    PostColumn.CHANNELS: "Channels",
    PostColumn.CAMPAIGN: "Campaign",
    PostColumn.ENGAGEMENT: "Engagement",
}


class PostTableRole(IntEnum):
    """Data roles of :class:`PostTableModel`, beyond Qt's own."""

    POST_ID = Qt.ItemDataRole.UserRole + 1  # int
    SUMMARY = Qt.ItemDataRole.UserRole + 2  # PostSummary
    SORT = Qt.ItemDataRole.UserRole + 3  # str | int | float: the column's sort key
    METRICS = Qt.ItemDataRole.UserRole + 4  # MetricsDTO | None: the latest engagement counts


class PostTableModel(QAbstractTableModel):
    """Posts of one workspace matching a filter, one row each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._posts: list[PostSummary] = []
        self._row_of: dict[int, int] = {}
        self._workspace_id = 0
        self._zone = "UTC"
        self._channels: dict[int, str] = {}
        self._campaigns: dict[int, CampaignDTO] = {}
        self._metrics: dict[int, MetricsDTO] = {}
        self._series: dict[int, str] = {}

    def set_context(
        self,
        workspace_id: int,
        zone: str,
        channels: Iterable[ChannelDTO],
        campaigns: Iterable[CampaignDTO],
    ) -> None:
        self.beginResetModel()
        self._workspace_id = workspace_id
        self._zone = zone
        self._channels = {c.id: c.name for c in channels}
        self._campaigns = {c.id: c for c in campaigns}
        self.endResetModel()

    def set_series_marks(self, marks: Mapping[int, str]) -> None:
        """Occurrences' marks and rules by post id (``ctx.series.marks``), for the next posts."""
        self._series = dict(marks)

    def set_posts(self, posts: Sequence[PostSummary]) -> None:
        self.beginResetModel()
        self._posts = list(posts)
        self._row_of = {p.id: i for i, p in enumerate(self._posts)}
        self.endResetModel()

    def set_engagement(self, metrics: Mapping[int, MetricsDTO]) -> None:
        """The latest counts by post id (posts left out show none); repaints that column only."""
        self._metrics = dict(metrics)
        if self._posts:
            last = len(self._posts) - 1
            column = PostColumn.ENGAGEMENT
            self.dataChanged.emit(self.index(0, column), self.index(last, column))

    def posts(self) -> list[PostSummary]:
        return list(self._posts)

    def row_of(self, post_id: int) -> int | None:
        return self._row_of.get(post_id)

    # --- structure -------------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._posts)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(PostColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(PostColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[PostColumn(section)]
        if role == Qt.ItemDataRole.ToolTipRole and section == PostColumn.WHEN:
            return f"Times in the workspace's zone ({self._zone})"
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._posts):
            return None
        post = self._posts[index.row()]
        column = PostColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(post, column)
        if role == Qt.ItemDataRole.ToolTipRole and column == PostColumn.TITLE:
            rule = self._series.get(post.id)
            return f"{post.label}\n{rule}" if rule else post.label
        if role == Qt.ItemDataRole.ToolTipRole and column == PostColumn.ENGAGEMENT:
            return self._engagement_tip(post.id)
        if role == PostTableRole.METRICS:
            return self._metrics.get(post.id)
        if role == PostTableRole.POST_ID:
            return post.id
        if role == PostTableRole.SUMMARY:
            return post
        if role == PostTableRole.SORT:
            return self._sort_key(post, column)
        if role == Qt.ItemDataRole.DecorationRole and column == PostColumn.CAMPAIGN:
            campaign = self._campaigns.get(post.campaign_id or 0)
            return QColor(campaign.color) if campaign and campaign.color else None
        return None

    def _text(self, post: PostSummary, column: PostColumn) -> str:
        if column == PostColumn.TITLE:
            title = " ".join(post.label.split())
            rule = self._series.get(post.id)
            # The mark (↻ repeating, ♻ evergreen) leads, as on the calendar's chips.
            return f"{rule[0]} {title}" if rule else title
        if column == PostColumn.STATUS:
            return post.status.label
        if column == PostColumn.WHEN:
            if post.scheduled_at is None:
                return "No time yet"
            local = utc_to_local(post.scheduled_at.astimezone(UTC), self._zone)
            return f"{local:%Y-%m-%d %H:%M}"
        if column == PostColumn.CHANNELS:
            return ", ".join(self._channels.get(c, f"#{c}") for c in post.channel_ids)
        if column == PostColumn.ENGAGEMENT:
            metrics = self._metrics.get(post.id)
            return metrics.summary() if metrics is not None else ""
        campaign = self._campaigns.get(post.campaign_id or 0)
        return campaign.name if campaign else ""

    def _sort_key(self, post: PostSummary, column: PostColumn) -> Any:
        if column == PostColumn.STATUS:
            return _STATUS_ORDER[post.status]
        if column == PostColumn.WHEN:
            return post.scheduled_at.timestamp() if post.scheduled_at else _NO_TIME
        if column == PostColumn.ENGAGEMENT:
            metrics = self._metrics.get(post.id)
            return interactions(metrics) if metrics is not None else -1
        if column == PostColumn.TITLE:
            return " ".join(post.label.split()).casefold()  # by title, whatever its mark
        return self._text(post, column).casefold()

    def _engagement_tip(self, post_id: int) -> str | None:
        metrics = self._metrics.get(post_id)
        if metrics is None:
            return None
        lines = [
            f"{self._channels.get(cid, f'#{cid}')}: {m.summary()}"
            for cid, m in metrics.by_channel.items()
        ]
        local = utc_to_local(metrics.taken_at.astimezone(UTC), self._zone)
        return "\n".join([*lines, f"Counted {local:%Y-%m-%d %H:%M}"])

    # --- drag ------------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [POST_MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        ids = [int(i.data(PostTableRole.POST_ID)) for i in indexes if i.isValid()]
        return encode_posts(self._workspace_id, ids)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction


def interactions(metrics: MetricsDTO) -> int:
    """Likes, reposts, replies and quotes together: how the engagement column sorts."""
    counts = (metrics.likes, metrics.reposts, metrics.replies, metrics.quotes)
    return sum(c for c in counts if c is not None)


class PostSortProxy(QSortFilterProxyModel):
    """Sorts the table by :attr:`PostTableRole.SORT`, ties by post id (a stable order)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(PostTableRole.SORT)
        self.setDynamicSortFilter(True)

    def lessThan(self, left: _Index, right: _Index) -> bool:
        a, b = left.data(PostTableRole.SORT), right.data(PostTableRole.SORT)
        if a != b:
            return bool(a < b)
        return int(left.data(PostTableRole.POST_ID)) < int(right.data(PostTableRole.POST_ID))
