"""What the board shows of a workspace: each status's first (or newest) posts, and their count.

A busy plan holds thousands of published posts: a column never loads them all. The planning
columns show the first ``per_column`` posts by time (soonest first, posts without a time last);
the finished ones show the newest ``per_column``; a column knows how many posts it did not load
(or that more match, when a filter makes the count unknown). No Qt here: the model takes the
result as it is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostSummary
from cmdesk.status import PostStatus

#: The columns, left to right, in the order a post travels.
BOARD_STATUSES: tuple[PostStatus, ...] = tuple(PostStatus)
#: Columns where the newest posts matter most (the rest show the soonest first).
NEWEST_FIRST = frozenset(
    {PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.MISSED, PostStatus.ARCHIVED}
)
PER_COLUMN = 200
#: A window this wide means "since the beginning".
_ALL_TIME = timedelta(days=365 * 40)


@dataclass(frozen=True, slots=True)
class BoardColumn:
    """The loaded cards of one status and how many posts the status really has (None: unknown)."""

    status: PostStatus
    posts: tuple[PostSummary, ...]
    total: int | None

    @property
    def hidden(self) -> int | None:
        return None if self.total is None else max(0, self.total - len(self.posts))


def load_board(
    ctx: AppContext,
    workspace_id: int,
    filter: PostFilter,
    *,
    per_column: int = PER_COLUMN,
    limits: Mapping[PostStatus, int] | None = None,
) -> dict[PostStatus, BoardColumn]:
    """Each column's first (or newest) ``per_column`` posts matching ``filter``.

    ``limits`` raises the number for some columns (the person asked to see more of them).
    """
    base = replace(filter, statuses=frozenset())
    counts = ctx.plan.count_by_status(workspace_id) if base.is_empty() else None
    out: dict[PostStatus, BoardColumn] = {}
    for status in BOARD_STATUSES:
        if filter.statuses and status not in filter.statuses:
            out[status] = BoardColumn(status, (), 0)
            continue
        f = replace(base, statuses=frozenset({status}))
        n = (limits or {}).get(status, per_column)
        known = counts[status] if counts is not None else None
        if status in NEWEST_FIRST and (known is None or known > n):
            posts, complete = _newest(ctx, workspace_id, f, n)
        else:
            posts = ctx.plan.list_posts(workspace_id, f, limit=n + 1)
            complete = len(posts) <= n
            posts = posts[:n]
            if status in NEWEST_FIRST:
                posts = _newest_order(posts)
        total = known if known is not None else (len(posts) if complete else None)
        out[status] = BoardColumn(status, tuple(posts), total)
    return out


def _newest(
    ctx: AppContext, workspace_id: int, f: PostFilter, n: int
) -> tuple[list[PostSummary], bool]:
    """The ``n`` posts with the latest times, newest first, and whether that is all of them.

    The service lists oldest first, so windows reaching back from now are widened (by the density
    seen so far) until one holds enough posts: a few hundred rows read instead of a status's tens
    of thousands. Each window ends a day from now, because an open-ended one walks the time index
    through every future post of the plan. Only archived posts can lie further ahead; they are
    read apart and come first.
    """
    edge = ctx.clock.now() + timedelta(days=1)
    ahead: list[PostSummary] = []
    if PostStatus.ARCHIVED in f.statuses:
        ahead = ctx.plan.list_posts(workspace_id, replace(f, start=edge, scheduled=True))
        ahead.reverse()
        if len(ahead) >= n:
            return ahead[:n], False
    need = n - len(ahead)
    span = timedelta(days=7)
    while True:
        start: datetime | None = edge - span if span < _ALL_TIME else None
        timed = ctx.plan.list_posts(workspace_id, replace(f, start=start, end=edge, scheduled=True))
        if len(timed) >= need or start is None:
            break
        # Aim for one and a half times what is needed at the density seen so far.
        span *= 4.0 if not timed else min(64.0, max(2.0, 1.5 * need / len(timed)))
    timed.reverse()
    posts = ahead + timed
    if len(posts) >= n:
        return posts[:n], len(posts) == n and start is None
    untimed = ctx.plan.list_posts(
        workspace_id, replace(f, scheduled=False), limit=n - len(posts) + 1
    )
    return (posts + untimed)[:n], len(posts) + len(untimed) <= n


def _newest_order(posts: list[PostSummary]) -> list[PostSummary]:
    timed = [p for p in posts if p.scheduled_at is not None]
    timed.reverse()
    return timed + [p for p in posts if p.scheduled_at is None]
