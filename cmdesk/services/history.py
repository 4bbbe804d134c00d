"""The calls that make every change of the plan undoable.

Each call here is one user action (or the undo or redo of one) in one transaction, and returns
what the undo needs: a :class:`~cmdesk.dto.PostEdit` (content before and after a save, and the
status and time the same save gave the post), a :class:`~cmdesk.dto.PlacementChange` (status,
time, deliveries) before and after a move or a status change. An undo first checks that the post
still stands where the step left it; if it was changed elsewhere meanwhile (another window, a team
member, the publishing engine) the undo is refused with the reason instead of overwriting that.

Deleting puts posts in the trash (``Post.trashed_at``): they drop out of every list and their
queued deliveries are cancelled; restoring puts back their status and time and queues them again.
A post whose time passed while it was in the trash comes back as a draft at that time, and the
result says so. The trash is purged of posts deleted more than :data:`TRASH_DAYS` days ago.

Undoing a status change may need a step the workflow table (:mod:`cmdesk.status`) does not offer a
person, such as archived -> in review after archiving a post under review. Such a step is allowed
only as an undo, only when the post's deliveries are exactly as the step left them (so the post
is put back exactly as it was), and never into ``scheduled``: going back to scheduled always
passes the scheduling checks (a time to come, a channel). Undoing a publication is impossible:
"Publish now" is not an undoable step, and the engine's own changes are never undone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import (
    Placement,
    PlacementChange,
    PlacementInput,
    PostEdit,
    PostInput,
    PostSnapshot,
    SaveAs,
    TrashResult,
    VariantInput,
)
from cmdesk.errors import UserError, ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Channel, Post
from cmdesk.services.base import Service
from cmdesk.services.edits import PostEdits
from cmdesk.services.plan_rules import PlanRules, fmt_local
from cmdesk.services.snapshots import changed_elsewhere, placement_of, post_label, snapshot_of
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import ensure_utc, move_to_day, utc_to_local

#: Days a deleted post stays in the trash.
TRASH_DAYS = 30


class HistoryService(Service):
    """Undoable edits, moves, status changes and deletes of posts, and the trash."""

    def __init__(self, db: Database, clock: Clock, hub: EventHub) -> None:
        super().__init__(db, clock, hub)
        self.rules = PlanRules(clock)
        self.edits = PostEdits(self.rules)

    # --- content -----------------------------------------------------------------------------

    def snapshot(self, post_id: int) -> PostSnapshot:
        """Everything an edit can change of a post, to put back later."""
        with self._read() as s:
            return snapshot_of(s, repo.get_post(s, post_id))

    def create_post(
        self,
        workspace_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        status: PostStatus = PostStatus.DRAFT,
        scheduled_at: datetime | None = None,
        placement: PlacementInput | None = None,
    ) -> PostSnapshot:
        """Add a post with its per-channel versions, in one transaction.

        ``placement`` (instead of ``status`` and ``scheduled_at``) is what the composer's buttons
        ask: a draft, scheduled, or published now (``SaveAs.KEEP`` is a draft).
        """
        if placement is not None:
            if (status, scheduled_at) != (PostStatus.DRAFT, None):
                raise ValueError("give either status and scheduled_at, or placement")
            if placement.status is not SaveAs.PUBLISH_NOW:  # its time is now, not the one given
                scheduled_at = placement.scheduled_at
            if placement.status is SaveAs.SCHEDULED:
                status = PostStatus.SCHEDULED
        with self._write() as s:
            post = self.rules.new_post(s, workspace_id, data, PostStatus.DRAFT, scheduled_at)
            self.rules.write_variants(s, post, variants)
            # Variants first: a hand-off option changes when a scheduled target is due.
            if placement is not None and placement.status is SaveAs.PUBLISH_NOW:
                self.rules.schedule(s, post, self.clock.now())
            elif status != PostStatus.DRAFT:
                self.rules.set_status(s, post, status)
            result = snapshot_of(s, post)
        self._emit(ChangeSet.of(created=[("post", result.post_id)], subject=result.post_id))
        return result

    def save_post(
        self,
        post_id: int,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        *,
        expected_revision: int | None = None,
        placement: PlacementInput | None = None,
    ) -> PostEdit:
        """Replace content, channels, labels and every variant, then status and time if asked.

        ``variants`` is the whole set: a channel without an entry uses the master text.
        ``placement`` is applied after the content in the same transaction (see
        :mod:`cmdesk.services.edits`); a refusal of any part changes nothing.
        """
        with self._write() as s:
            post = repo.get_post(s, post_id)
            self.rules.check_editable(post, expected_revision)
            # An occurrence edited on its own no longer follows edits of its series.
            post.series_detached = post.series_id is not None
            edit = self.edits.save(s, post, data, variants, placement)
        self._emit(ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="edit"))
        return edit

    def apply_edit(self, edit: PostEdit) -> PostEdit:
        """Undo (pass ``edit.reversed()``) or redo a save: content, status and time together.

        Refused, changing nothing, if the post no longer stands where ``edit.before`` says.
        """
        pid = edit.before.post_id
        with self._write() as s:
            post = repo.get_post(s, pid)
            label = post_label(post)  # as it stands: a refusal may come after the content changed
            try:
                done = self.edits.apply(s, post, edit)
            except UserError as exc:
                raise self._about(label, exc) from None
        self._emit(ChangeSet.of(updated=[("post", pid)], subject=pid, description="edit"))
        return done

    def restore_content(self, snapshot: PostSnapshot, *, current: PostSnapshot) -> PostSnapshot:
        """Put back the content of ``snapshot`` if the post's content is still ``current``."""
        with self._write() as s:
            post = repo.get_post(s, snapshot.post_id)
            now = snapshot_of(s, post)
            if (now.data, now.variants) != (current.data, current.variants):
                raise changed_elsewhere(now.label)
            self.rules.check_editable(post, None)
            variants = {v.channel_id: v for v in snapshot.variants}
            self.edits.write(s, post, snapshot.data, variants)
            result = snapshot_of(s, post)
        self._emit(ChangeSet.of(updated=[("post", post.id)], subject=post.id, description="edit"))
        return result

    # --- placement: time and status ----------------------------------------------------------

    def move(
        self,
        post_id: int,
        *,
        day: date | None = None,
        when: datetime | None = None,
        delta: timedelta | None = None,
    ) -> PlacementChange:
        """Give a post a new time: another day at the same wall-clock time, an instant, or a nudge.

        A nudge of whole days keeps the wall-clock time across daylight-saving changes; a nudge
        of hours or minutes moves the instant.
        """
        if [day, when, delta].count(None) != 2:
            raise ValueError("give exactly one of day, when, delta")
        with self._write() as s:
            post = repo.get_post(s, post_id)
            tz = repo.get_workspace(s, post.workspace_id).timezone
            before = placement_of(post)
            if when is not None:
                target = ensure_utc(when)
            elif post.scheduled_at is None:
                raise ValidationError(
                    "This post has no time yet: give it one (drag it to a time, or schedule it)."
                )
            elif day is not None:
                target = move_to_day(post.scheduled_at, day, tz)
            else:
                assert delta is not None
                target = self._nudged(post.scheduled_at, delta, tz)
            self.rules.set_time(s, post, target, tz)
            change = PlacementChange(post.id, post_label(post), before, placement_of(post))
        self._emit(ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="move"))
        return change

    @staticmethod
    def _nudged(at: datetime, delta: timedelta, tz: str) -> datetime:
        if delta % timedelta(days=1):
            return at + delta
        return move_to_day(at, utc_to_local(at, tz).date() + delta, tz)

    def change_status(
        self, post_ids: Sequence[int], status: PostStatus
    ) -> tuple[PlacementChange, ...]:
        """Move posts through the workflow, all or none (a refusal names the post)."""
        changes: list[PlacementChange] = []
        with self._write() as s:
            for pid in dict.fromkeys(post_ids):
                post = repo.get_post(s, pid)
                before = placement_of(post)
                try:
                    self.rules.set_status(s, post, status)
                except UserError as exc:
                    raise self._about(post_label(post), exc) from None
                if before != placement_of(post):
                    changes.append(
                        PlacementChange(pid, post_label(post), before, placement_of(post))
                    )
        self._emit_placements(changes, "status")
        return tuple(changes)

    def unschedule(self, post_id: int) -> PlacementChange:
        """Stop a scheduled post from going out: it becomes a draft without a time."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            before = placement_of(post)
            self.rules.set_status(s, post, PostStatus.DRAFT)
            post.scheduled_at = None
            change = PlacementChange(post_id, post_label(post), before, placement_of(post))
        self._emit_placements([change], "unschedule")
        return change

    def apply_placements(self, changes: Sequence[PlacementChange]) -> tuple[PlacementChange, ...]:
        """Take each post from ``before`` to ``after`` (an undo passes reversed changes).

        All or none; a post that no longer stands at ``before`` refuses the whole step. Returns
        the changes as done (the deliveries' states after them may differ from last time).
        """
        done: list[PlacementChange] = []
        with self._write() as s:
            for change in changes:
                post = repo.get_post(s, change.post_id)
                try:
                    self.edits.put_back(s, post, change)
                except UserError as exc:
                    raise self._about(post_label(post), exc) from None
                done.append(replace_after(change, placement_of(post)))
        self._emit_placements(done, "placement")
        return tuple(done)

    @staticmethod
    def _about(label: str, exc: UserError) -> UserError:
        if f"'{label}'" in exc.message:
            return exc
        return type(exc)(f"'{label}': {exc.message}", field=exc.field)

    def _emit_placements(self, changes: Sequence[PlacementChange], what: str) -> None:
        ids = [c.post_id for c in changes]
        subject = ids[0] if len(ids) == 1 else None
        self._emit(
            ChangeSet.of(updated=[("post", i) for i in ids], subject=subject, description=what)
        )

    # --- trash -------------------------------------------------------------------------------

    def trash(self, post_ids: Sequence[int]) -> ChangeSet:
        """Delete posts (all or none) into the trash; their queued deliveries are cancelled."""
        ids = list(dict.fromkeys(post_ids))
        with self._write() as s:
            for pid in ids:
                post = repo.get_post(s, pid)
                try:
                    self.rules.trash(post)
                except UserError as exc:
                    raise self._about(post_label(post), exc) from None
        return self._emit(
            ChangeSet.of(deleted=[("post", i) for i in ids], subject=ids[0] if ids else None)
        )

    def restore(self, post_ids: Sequence[int]) -> TrashResult:
        """Take posts out of the trash with their status and time, queued again if they can be.

        A scheduled post whose time passed meanwhile (or that has no live channel left) comes
        back as a draft at its time; ``notes`` says so.
        """
        ids = list(dict.fromkeys(post_ids))
        notes: list[str] = []
        with self._write() as s:
            for pid in ids:
                post = repo.get_post(s, pid, include_trashed=True)
                if post.trashed_at is None:
                    raise ValidationError(f"'{post_label(post)}' is not in the trash any more.")
                note = self._untrash(s, post)
                if note:
                    notes.append(note)
        self._emit(
            ChangeSet.of(created=[("post", i) for i in ids], subject=ids[0] if ids else None)
        )
        return TrashResult(tuple(ids), tuple(notes))

    def _untrash(self, s: Session, post: Post) -> str:
        now = self.clock.now()
        post.trashed_at = None
        removed = set(
            s.scalars(
                select(Channel.id).where(
                    Channel.id.in_([t.channel_id for t in post.targets]),
                    Channel.removed_at.is_not(None),
                )
            )
        )
        for t in post.targets:
            # Only the trash cancels a delivery of a channel that is still there.
            if t.state == TargetState.CANCELLED.value and t.channel_id not in removed:
                t.state = TargetState.PENDING.value
                t.updated_at = now
        self.rules.touch(post)
        if post.status != PostStatus.SCHEDULED.value:
            return ""
        tz = repo.get_workspace(s, post.workspace_id).timezone
        try:
            self.rules.queue(s, post, tz)
        except ValidationError as exc:
            post.status = PostStatus.DRAFT.value
            when = fmt_local(post.scheduled_at, tz) if post.scheduled_at else "no time"
            return (
                f"'{post_label(post)}' is back as a draft at {when}, not scheduled: {exc.message}"
            )
        return ""

    def purge_trash(self, *, days: int = TRASH_DAYS) -> int:
        """Delete for good the posts trashed more than ``days`` days ago; returns how many."""
        cutoff = self.clock.now() - timedelta(days=days)
        with self._write() as s:
            ids = list(s.scalars(select(Post.id).where(Post.trashed_at < cutoff)))
            if ids:
                s.execute(delete(Post).where(Post.id.in_(ids)))
        if ids:
            self._emit(ChangeSet.of(deleted=[("post", i) for i in ids], description="purge"))
        return len(ids)

    def trashed_ids(self, workspace_id: int) -> list[int]:
        """The posts in a workspace's trash, most recently deleted first."""
        q = (
            select(Post.id)
            .where(Post.workspace_id == workspace_id, Post.trashed_at.is_not(None))
            .order_by(Post.trashed_at.desc(), Post.id.desc())
        )
        with self._read() as s:
            return list(s.scalars(q))


def replace_after(change: PlacementChange, after: Placement) -> PlacementChange:
    return PlacementChange(change.post_id, change.label, change.before, after)
