"""Engagement snapshots: counts of published posts read at 1 hour, 1 day and 7 days, kept.

**Which targets are due.** A published target (with a remote id, on a live channel that is not a
demo and has a sign-in) is read at each step of :data:`STEPS` after its ``published_at``. The next
step is the first one not yet covered by a snapshot taken at or after it; the target is due once
that step's time has passed. A laptop that was off for two days therefore takes one snapshot
(covering 1 h and 1 d), not two. Targets published more than :data:`WINDOW` ago are never read
again, which keeps the question to the last week's publications (an index on
``target(state, published_at)`` answers it).

**A post that is gone** (the network left it out, or said 404) gets a snapshot with every count
NULL: that "tombstone" stops further reads, and :meth:`MetricsService.latest` skips it, so the
last counts seen stay shown.

Network calls hold no transaction: the due list is read, each channel's adapter is asked once per
batch, then the snapshots are written in one short transaction per channel.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, and_, case, func, not_, select
from sqlalchemy.orm import Session, aliased

from cmdesk.adapters.base import AdapterError
from cmdesk.adapters.metrics import Metrics, MetricsReader
from cmdesk.dto import MetricsDTO
from cmdesk.events import ChangeSet
from cmdesk.models import Channel, MetricSnapshot, Target
from cmdesk.services.base import NetworkService
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.publishing import StoredCredentials
from cmdesk.status import TargetState

log = logging.getLogger(__name__)

KIND = "metric_snapshot"
STEPS = (timedelta(hours=1), timedelta(days=1), timedelta(days=7))
#: Past the last step, plus a day for a machine that was off: never read again after that.
WINDOW = STEPS[-1] + timedelta(days=1)
_COUNTS = ("likes", "reposts", "replies", "quotes", "views")


@dataclass(frozen=True, slots=True)
class DueTarget:
    """A published target whose next snapshot is due."""

    target_id: int
    channel_id: int
    remote_id: str
    published_at: datetime


def next_step_at(published_at: datetime, last_taken: datetime | None) -> datetime | None:
    """When the next snapshot of a target is due (None: every step is done)."""
    for step in STEPS:
        at = published_at + step
        if last_taken is None or last_taken < at:
            return at
    return None


class MetricsService(NetworkService):
    """Takes engagement snapshots of published posts and answers the latest counts."""

    # --- what is due -----------------------------------------------------------------------

    def due(self) -> dict[int, list[DueTarget]]:
        """Targets whose next snapshot is due, grouped by channel id (channels in id order)."""
        now = self.clock.now()
        with self._read() as s:
            rows = s.execute(_due_query(now - WINDOW)).all()
        found: dict[int, list[DueTarget]] = defaultdict(list)
        for tid, cid, network, remote_id, published_at, last_taken, gone in rows:
            if gone or self._reader(network) is None:
                continue
            at = next_step_at(published_at, last_taken)
            if at is not None and at <= now:
                found[cid].append(DueTarget(tid, cid, remote_id, published_at))
        return {cid: found[cid] for cid in sorted(found)}

    # --- the network -----------------------------------------------------------------------

    def take_due(self) -> int:
        """Take every due snapshot; how many were stored. A channel that fails is logged."""
        taken = 0
        for cid, targets in self.due().items():
            try:
                taken += self.snap_channel(cid, targets)
            except AdapterError as exc:
                log.warning("engagement of channel %s not read: %s", cid, exc.message)
        return taken

    def snap_channel(self, channel_id: int, targets: Sequence[DueTarget]) -> int:
        """Read one channel's due targets and store their snapshots. Raises adapter errors."""
        if not targets:
            return 0
        with self._read() as s:
            ch = s.get(Channel, channel_id)
            if ch is None or ch.removed_at is not None:
                return 0
            ref, cred_ref = channel_ref(ch), ch.credential_ref
        reader = self._reader(ref.network)
        if reader is None:
            return 0
        creds = StoredCredentials(self.credentials, cred_ref, ref.name)
        counts = reader.fetch_metrics(ref, creds, self._http(), [t.remote_id for t in targets])
        return self._store(targets, counts)

    def _store(self, targets: Sequence[DueTarget], counts: dict[str, Metrics]) -> int:
        now = self.clock.now()
        rows: list[MetricSnapshot] = []
        for t in targets:
            m = counts.get(t.remote_id)
            if m is None:
                log.info(
                    "target %s: the post is gone from the network; no more counts", t.target_id
                )
                rows.append(MetricSnapshot(target_id=t.target_id, taken_at=now))
            elif any(getattr(m, name) is not None for name in _COUNTS):
                values = {name: getattr(m, name) for name in _COUNTS}
                rows.append(MetricSnapshot(target_id=t.target_id, taken_at=now, **values))
        with self._write() as s:
            s.add_all(rows)
            s.flush()
            ids = [r.id for r in rows]
        if ids:
            self._emit(
                ChangeSet.of(
                    created=[(KIND, i) for i in ids], description=f"{len(ids)} engagement snapshots"
                )
            )
        return len(ids)

    # --- reading ---------------------------------------------------------------------------

    def latest(self, post_ids: Iterable[int]) -> dict[int, MetricsDTO]:
        """The latest counts of each post that has any: summed over its channels, and per channel.

        One query: each target's newest snapshot that is not a tombstone.
        """
        ids = sorted(set(post_ids))
        if not ids:
            return {}
        with self._read() as s:
            rows = _latest_rows(s, ids)
        per_post: dict[int, dict[int, MetricsDTO]] = defaultdict(dict)
        for row in rows:
            per_post[row.post_id][row.channel_id] = MetricsDTO(
                likes=row.likes,
                reposts=row.reposts,
                replies=row.replies,
                quotes=row.quotes,
                views=row.views,
                taken_at=row.taken_at,
            )
        return {pid: _summed(channels) for pid, channels in per_post.items()}

    # --- bits ------------------------------------------------------------------------------

    def _reader(self, network: str) -> MetricsReader | None:
        adapter = self._adapter(network)
        return adapter if isinstance(adapter, MetricsReader) else None


def _tombstone(table: type[MetricSnapshot] = MetricSnapshot) -> ColumnElement[bool]:
    """A snapshot with every count NULL: the post was gone when it was taken."""
    return and_(*(getattr(table, name).is_(None) for name in _COUNTS))


def _due_query(since: datetime) -> Select[Any]:
    # The outer join's NULL row (no snapshot yet) is not a tombstone.
    gone = func.max(case((and_(MetricSnapshot.id.is_not(None), _tombstone()), 1), else_=0))
    return (
        select(
            Target.id,
            Target.channel_id,
            Channel.network,
            Target.remote_id,
            Target.published_at,
            func.max(MetricSnapshot.taken_at),
            gone,
        )
        .join(Channel, Channel.id == Target.channel_id)
        .outerjoin(MetricSnapshot, MetricSnapshot.target_id == Target.id)
        .where(
            Target.state == TargetState.PUBLISHED.value,
            Target.published_at >= since,
            Target.remote_id.is_not(None),
            Channel.removed_at.is_(None),
            Channel.is_demo.is_(False),
            Channel.health == "ok",
            Channel.credential_ref.is_not(None),
        )
        .group_by(Target.id, Target.channel_id, Channel.network, Target.remote_id)
        .order_by(Target.channel_id, Target.id)
    )


def _latest_rows(s: Session, post_ids: list[int]) -> list[Row[Any]]:
    newer = aliased(MetricSnapshot)
    newest_id = (
        select(newer.id)
        .where(newer.target_id == Target.id, not_(_tombstone(newer)))
        .order_by(newer.taken_at.desc(), newer.id.desc())
        .limit(1)
        .correlate(Target)
        .scalar_subquery()
    )
    query = (
        select(
            Target.post_id,
            Target.channel_id,
            MetricSnapshot.taken_at,
            *(getattr(MetricSnapshot, name) for name in _COUNTS),
        )
        .join(MetricSnapshot, MetricSnapshot.id == newest_id)
        .where(Target.post_id.in_(post_ids))
    )
    return list(s.execute(query).all())


def _summed(channels: dict[int, MetricsDTO]) -> MetricsDTO:
    def total(name: str) -> int | None:
        values = [getattr(m, name) for m in channels.values() if getattr(m, name) is not None]
        return sum(values) if values else None

    return MetricsDTO(
        likes=total("likes"),
        reposts=total("reposts"),
        replies=total("replies"),
        quotes=total("quotes"),
        views=total("views"),
        taken_at=max(m.taken_at for m in channels.values()),
        by_channel=dict(sorted(channels.items())),
    )
