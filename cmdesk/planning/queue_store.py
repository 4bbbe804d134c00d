"""The queue's reads inside a caller's transaction: slots of channels, and instants already taken.

A slot instant is *taken* on a channel when a live delivery of that channel is at it: a target
that is not cancelled or failed, of a post that is not in the trash, whose time on that channel is
the instant (the target's own ``due_at``, or its post's time for a target that was not placed in
a later slot of its own). :mod:`cmdesk.services.queues` commits; nothing here does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.models import Post, QueueSlot, Target
from cmdesk.planning.queues import WeeklySlot
from cmdesk.status import TargetState

#: Deliveries in these states hold their slot (all but cancelled and failed ones).
HOLDING = tuple(
    s.value for s in TargetState if s not in (TargetState.CANCELLED, TargetState.FAILED)
)
#: Slack for instants stored to the second.
EPS = timedelta(seconds=1)


def slots_of(s: Session, channel_ids: list[int], *, active_only: bool) -> list[QueueSlot]:
    """The channels' slots (only those switched on with ``active_only``) by day and time."""
    q = select(QueueSlot).where(QueueSlot.channel_id.in_(channel_ids))
    if active_only:
        q = q.where(QueueSlot.is_active.is_(True))
    return list(s.scalars(q.order_by(QueueSlot.weekday, QueueSlot.local_time)))


def taken_instants(
    s: Session,
    channel_ids: list[int],
    after: datetime,
    exclude: int | None,
    *,
    until: datetime | None = None,
) -> dict[int, set[datetime]]:
    """Instants held on each channel by live deliveries (see the module docstring).

    Two reads, each on an index: deliveries due in the window (``ix_target_state_due``) and
    posts planned in it (``ix_post_workspace_scheduled``); one read with an OR of the two
    would scan every delivery of the plan.
    """
    if not channel_ids:
        return {}
    workspace_id = repo.get_channel(s, channel_ids[0]).workspace_id
    cols = (Target.channel_id, Target.due_at, Target.from_queue, Post.scheduled_at)
    base = (
        select(*cols)
        .join(Post, Post.id == Target.post_id)
        .where(
            Target.channel_id.in_(channel_ids),
            Target.state.in_(HOLDING),
            Post.trashed_at.is_(None),
        )
    )
    if exclude is not None:
        base = base.where(Target.post_id != exclude)
    by_due = base.where(Target.due_at >= after - EPS)
    by_time = base.where(Post.workspace_id == workspace_id, Post.scheduled_at >= after - EPS)
    if until is not None:
        by_due = by_due.where(Target.due_at < until)
        by_time = by_time.where(Post.scheduled_at < until)
    out: dict[int, set[datetime]] = {}
    for q in (by_due, by_time):
        for cid, due, from_queue, planned in s.execute(q):
            held = out.setdefault(cid, set())
            if due is not None:
                held.add(due)
            if planned is not None and not (from_queue and due is not None and due > planned):
                held.add(planned)
    return out


def by_channel(slots: Sequence[QueueSlot]) -> dict[int, list[WeeklySlot]]:
    """Slot rows grouped by channel, as the planning module's ``WeeklySlot``."""
    out: dict[int, list[WeeklySlot]] = {}
    for q in slots:
        out.setdefault(q.channel_id, []).append(WeeklySlot(q.weekday, q.local_time))
    return out
