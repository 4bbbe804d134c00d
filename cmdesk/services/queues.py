"""Queues: each channel's weekly posting slots, and "Add to queue" (the next free slot of each).

A slot is a weekday and a wall-clock time in the workspace's zone (:mod:`cmdesk.planning.queues`
says how daylight-saving changes are resolved); :mod:`cmdesk.planning.queue_store` says when a slot
instant is already taken on a channel (by a live delivery of that channel at it).

"Add to queue" gives each of a post's channels its own next free slot: ``Target.due_at`` is that
slot and ``Target.from_queue`` is set, so the engine sends each channel at its own time. The
post's time (``Post.scheduled_at``) becomes the earliest of them: the calendar shows the post once,
at its first delivery; each channel's time is its delivery's ``due_at``. Moving the post by hand
makes the time the person's own again: every channel goes out at the new time
(:meth:`cmdesk.services.plan_rules.PlanRules.set_time` clears ``from_queue``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import Placement, PlacementChange, PostEdit, PostInput, PostSnapshot, VariantInput
from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Channel, Post, QueueSlot
from cmdesk.planning.queue_store import EPS, by_channel, slots_of, taken_instants
from cmdesk.planning.queues import (
    HORIZON_WEEKS,
    WEEKDAY_LABELS,
    OpenSlot,
    QueueSlotDTO,
    WeeklySlot,
    check_unique,
    parse_slot,
    parse_time,
    parse_weekday,
    slot_instants,
)
from cmdesk.services.base import Service
from cmdesk.services.edits import PostEdits
from cmdesk.services.plan_rules import LOCKED_TARGET_STATES, PlanRules
from cmdesk.services.snapshots import changed_elsewhere, placement_of, post_label, snapshot_of
from cmdesk.status import PostStatus, TargetState, check_transition
from cmdesk.timeutil import ensure_utc

#: Deliveries in these states can be given a (new) slot.
_PLACEABLE = frozenset(
    {TargetState.PENDING, TargetState.QUEUED, TargetState.FAILED, TargetState.MISSED}
)


class QueueService(Service):
    """Posting slots of channels, the next free ones, and putting posts in them."""

    def __init__(self, db: Database, clock: Clock, hub: EventHub) -> None:
        super().__init__(db, clock, hub)
        self.rules = PlanRules(clock)
        self.edits = PostEdits(self.rules)

    # --- the next free slots and "Add to queue" (used by other parts: keep the signatures) -----

    def next_free_slots(
        self,
        channel_ids: Sequence[int],
        *,
        after: datetime | None = None,
        exclude_post_id: int | None = None,
    ) -> dict[int, datetime]:
        """For each channel, its first active slot instant after ``after`` (default now) not taken.

        Instants are aware UTC. A slot in a spring-forward gap moves forward by the size of the
        gap; one in an autumn fold is at its first occurrence; see :mod:`cmdesk.planning.queues`.
        ``exclude_post_id``'s own deliveries do not take slots (re-queueing a post). A channel
        without active slots, or without a free one within a year, raises ``ValidationError``.
        """
        start = ensure_utc(after) if after is not None else self.clock.now()
        with self._read() as s:
            return self._free(s, list(dict.fromkeys(channel_ids)), start, exclude_post_id)

    def add_to_queue(self, post_id: int) -> ChangeSet:
        """Put a post in the next free slot of each of its channels and schedule it (one step)."""
        change = self.queue_post(post_id)
        return ChangeSet.of(updated=[("post", change.post_id)], subject=change.post_id)

    def queue_post(self, post_id: int, *, expected: Placement | None = None) -> PlacementChange:
        """As :meth:`add_to_queue`, returning where the post stood before and after (for undo).

        A refusal (no slots, the post cannot be scheduled: under review, no channel, already sent)
        changes nothing. A redo passes ``expected``: the status and time the post must still have.
        """
        with self._write() as s:
            post = repo.get_post(s, post_id)
            before = placement_of(post)
            if expected is not None and _moved(before, expected):
                raise changed_elsewhere(post_label(post))
            self._queue(s, post)
            change = PlacementChange(post.id, post_label(post), before, placement_of(post))
        self._emit(ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="queue"))
        return change

    def save_and_queue(
        self,
        post_id: int | None,
        workspace_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        expected_revision: int | None = None,
    ) -> PostEdit | PostSnapshot:
        """The composer's "Add to queue": save content and variants, then queue, in one step.

        A new post (``post_id`` None) returns its snapshot (undo deletes it); an existing one the
        :class:`PostEdit` that undoes content and placement together.
        """
        with self._write() as s:
            if post_id is None:
                post = self.rules.new_post(s, workspace_id, data, PostStatus.DRAFT, None)
                self.rules.write_variants(s, post, variants)
                self._queue(s, post)
                result: PostEdit | PostSnapshot = snapshot_of(s, post)
            else:
                post = repo.get_post(s, post_id)
                self.rules.check_editable(post, expected_revision)
                before = snapshot_of(s, post)
                self.edits.write(s, post, data, variants)
                was = placement_of(post)
                self._queue(s, post)
                change = PlacementChange(post.id, before.label, was, placement_of(post))
                result = PostEdit(before, snapshot_of(s, post), change)
            pid = post.id
        kind = "created" if post_id is None else "updated"
        self._emit(ChangeSet.of(**{kind: [("post", pid)]}, subject=pid, description="queue"))
        return result

    def redo_save_and_queue(self, edit: PostEdit) -> PostEdit:
        """Redo a composer "Add to queue": its content again, then the next free slots.

        Refused, changing nothing, if the post no longer stands where ``edit.before`` says.
        """
        pid = edit.before.post_id
        with self._write() as s:
            post = repo.get_post(s, pid)
            if edit.placement is not None and _moved(placement_of(post), edit.placement.before):
                raise changed_elsewhere(post_label(post))
            content = self.edits.apply(s, post, PostEdit(edit.before, edit.after, None))
            was = placement_of(post)
            self._queue(s, post)
            change = PlacementChange(pid, content.before.label, was, placement_of(post))
            done = PostEdit(content.before, snapshot_of(s, post), change)
        self._emit(ChangeSet.of(updated=[("post", pid)], subject=pid, description="queue"))
        return done

    # --- slots -------------------------------------------------------------------------------

    def list_slots(self, channel_id: int) -> list[QueueSlotDTO]:
        """A channel's slots by day and time."""
        with self._read() as s:
            repo.get_channel(s, channel_id)
            return [_dto(q) for q in slots_of(s, [channel_id], active_only=False)]

    def channels_with_slots(self, channel_ids: Sequence[int]) -> set[int]:
        """Which of the channels have at least one active slot (the composer's button)."""
        with self._read() as s:
            return {q.channel_id for q in slots_of(s, list(channel_ids), active_only=True)}

    def add_slot(self, channel_id: int, weekday: int | str, local_time: str) -> ChangeSet:
        """Add a weekly slot; the same day and time twice is refused."""
        slot = WeeklySlot(parse_weekday(weekday), parse_time(local_time))
        with self._write() as s:
            self._live_channel(s, channel_id)
            if any(
                (q.weekday, q.local_time) == (slot.weekday, slot.local_time)
                for q in slots_of(s, [channel_id], active_only=False)
            ):
                raise ValidationError(
                    f"This channel already has a slot on {WEEKDAY_LABELS[slot.weekday]} "
                    f"at {slot.local_time}.",
                    field="slot",
                )
            row = QueueSlot(
                channel_id=channel_id,
                weekday=slot.weekday,
                local_time=slot.local_time,
                is_active=True,
            )
            s.add(row)
            s.flush()
            sid = row.id
        return self._emit(ChangeSet.of(created=[("queue_slot", sid)], subject=sid))

    def remove_slot(self, slot_id: int) -> ChangeSet:
        with self._write() as s:
            s.delete(self._slot(s, slot_id))
        return self._emit(ChangeSet.of(deleted=[("queue_slot", slot_id)], subject=slot_id))

    def set_active(self, slot_id: int, active: bool) -> ChangeSet:
        """Switch a slot off (kept, but "Add to queue" skips it) or on again."""
        with self._write() as s:
            self._slot(s, slot_id).is_active = active
        return self._emit(ChangeSet.of(updated=[("queue_slot", slot_id)], subject=slot_id))

    def set_slots(self, channel_id: int, slots: Sequence[str | WeeklySlot]) -> ChangeSet:
        """Replace a channel's whole week ("mon 09:00" strings or slots); all checked first."""
        wanted = check_unique(parse_slot(x) if isinstance(x, str) else x for x in slots)
        with self._write() as s:
            self._live_channel(s, channel_id)
            old = {
                (q.weekday, q.local_time): q for q in slots_of(s, [channel_id], active_only=False)
            }
            keep = {(w.weekday, w.local_time) for w in wanted}
            gone = [q.id for key, q in old.items() if key not in keep]
            if gone:
                s.execute(delete(QueueSlot).where(QueueSlot.id.in_(gone)))
            for w in wanted:
                if (w.weekday, w.local_time) not in old:
                    s.add(
                        QueueSlot(
                            channel_id=channel_id,
                            weekday=w.weekday,
                            local_time=w.local_time,
                            is_active=True,
                        )
                    )
        return self._emit(ChangeSet.of(updated=[("queue_slot", channel_id)], subject=channel_id))

    def open_slots(self, workspace_id: int, start: datetime, end: datetime) -> list[OpenSlot]:
        """Free slot instants of the workspace's channels in ``[start, end)``, in time order.

        Only slots still to come: a past slot cannot be filled. One call per calendar reload:
        the slots, the channels and the taken instants are three queries whatever the number of
        channels.
        """
        start, end = max(ensure_utc(start), self.clock.now()), ensure_utc(end)
        with self._read() as s:
            ws = repo.get_workspace(s, workspace_id)
            channels = {
                c.id: c.name
                for c in s.scalars(
                    select(Channel).where(
                        Channel.workspace_id == workspace_id, Channel.removed_at.is_(None)
                    )
                )
            }
            slots = slots_of(s, list(channels), active_only=True)
            taken = taken_instants(s, list(channels), start, None, until=end)
            weeks = (end - start).days // 7 + 2
            out: list[OpenSlot] = []
            for cid, mine in by_channel(slots).items():
                for at in slot_instants(mine, ws.timezone, start - EPS, weeks=weeks, until=end):
                    if at not in taken.get(cid, set()):
                        out.append(OpenSlot(cid, channels[cid], at))
        return sorted(out, key=lambda o: (o.at, o.channel_name))

    # --- inside a transaction -----------------------------------------------------------------

    def _queue(self, s: Session, post: Post) -> None:
        """Give each live delivery its next free slot, the post the earliest, and schedule it."""
        if post.trashed_at is not None:
            raise ValidationError("This post is in the trash; restore it first.")
        check_transition(PostStatus(post.status), PostStatus.SCHEDULED)
        if any(t.state in LOCKED_TARGET_STATES for t in post.targets):
            raise ValidationError(
                "This post has already gone out on some channels; it cannot be queued again."
            )
        self.rules.refuse_if_handed_off(post, "queue")
        live = [t for t in post.targets if TargetState(t.state) in _PLACEABLE]
        if not live:
            raise ValidationError(
                "Choose at least one channel before adding to the queue.", field="channels"
            )
        free = self._free(s, [t.channel_id for t in live], self.clock.now(), post.id)
        for t in live:
            t.due_at = free[t.channel_id]
            t.from_queue = True
        post.scheduled_at = min(free.values())
        # Schedule as the Schedule button would (checks the time and queues each channel); the
        # due times of later slots stay (PlanRules.due_for).
        self.rules.schedule(s, post)

    def _free(
        self, s: Session, channel_ids: list[int], after: datetime, exclude: int | None
    ) -> dict[int, datetime]:
        names = {
            c.id: c.name for c in s.scalars(select(Channel).where(Channel.id.in_(channel_ids)))
        }
        for cid in channel_ids:
            if cid not in names:
                raise NotFoundError(f"There is no channel {cid}.")
        slots = by_channel(slots_of(s, channel_ids, active_only=True))
        taken = taken_instants(s, channel_ids, after, exclude)
        tz = self._zone_of(s, channel_ids[0]) if channel_ids else "UTC"
        out: dict[int, datetime] = {}
        for cid in channel_ids:
            mine = slots.get(cid)
            if not mine:
                raise ValidationError(
                    f"Give {names[cid]} posting slots in Channels → Posting slots first.",
                    field="channels",
                )
            hit = next(
                (at for at in slot_instants(mine, tz, after) if at not in taken.get(cid, set())),
                None,
            )
            if hit is None:
                raise ValidationError(
                    f"Every posting slot of {names[cid]} is taken for the next "
                    f"{HORIZON_WEEKS} weeks. Add slots in Channels → Posting slots.",
                    field="channels",
                )
            out[cid] = hit
        return out

    @staticmethod
    def _zone_of(s: Session, channel_id: int) -> str:
        return repo.get_workspace(s, repo.get_channel(s, channel_id).workspace_id).timezone

    @staticmethod
    def _slot(s: Session, slot_id: int) -> QueueSlot:
        row = s.get(QueueSlot, slot_id)
        if row is None:
            raise NotFoundError(f"There is no posting slot {slot_id} (it was removed).")
        return row

    @staticmethod
    def _live_channel(s: Session, channel_id: int) -> Channel:
        c = repo.get_channel(s, channel_id)
        if c.removed_at is not None:
            raise ValidationError(f"The channel {c.name!r} was removed.")
        return c


def _moved(now: Placement, expected: Placement) -> bool:
    return (now.status, now.scheduled_at) != (expected.status, expected.scheduled_at)


def _dto(q: QueueSlot) -> QueueSlotDTO:
    return QueueSlotDTO(q.id, q.channel_id, q.weekday, q.local_time, q.is_active)
