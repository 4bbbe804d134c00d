"""Saving a post's content together with its status and time, and undoing that, in one go.

The composer's Save, Schedule and Publish now are each one user action: the content and every
variant, then the status and the time, in the caller's one transaction. Each part follows the rules
of its own call (an edit, a reschedule, an unschedule, scheduling, publish now): the checks are the
ones in :mod:`cmdesk.services.plan_rules`, and a refusal of any part raises before the caller
commits, so nothing of the save is kept.

Undo and redo of such a save (:meth:`PostEdits.apply`) put back content and placement together,
and only if the post still stands where the save left it; :meth:`PostEdits.put_back` is also the
undo of a move or a status change on its own.

Nothing here opens or commits a transaction: every method gets the caller's ``Session``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.dto import PlacementChange, PlacementInput, PostEdit, PostInput, SaveAs, VariantInput
from cmdesk.errors import UserError, ValidationError
from cmdesk.models import Post
from cmdesk.services.plan_rules import PlanRules
from cmdesk.services.snapshots import changed_elsewhere, placement_of, post_label, snapshot_of
from cmdesk.status import PostStatus, check_transition
from cmdesk.timeutil import ensure_utc

#: Statuses the engine gives; a retry (failed -> scheduled) cannot be undone back to them.
_SENT_BACK = frozenset({PostStatus.FAILED, PostStatus.MISSED, PostStatus.PUBLISHED})


class PostEdits:
    """Content and placement writes of one post, inside the caller's transaction."""

    def __init__(self, rules: PlanRules) -> None:
        self.rules = rules

    # --- a save ------------------------------------------------------------------------------

    def save(
        self,
        s: Session,
        post: Post,
        data: PostInput,
        variants: Mapping[int, VariantInput],
        placement: PlacementInput | None,
    ) -> PostEdit:
        """Write content, then status and time; returns what the undo needs.

        The caller has checked the post may be edited (``PlanRules.check_editable``).
        """
        before = snapshot_of(s, post)
        self.write(s, post, data, variants)
        change = None
        if placement is not None:
            was = placement_of(post)
            self.place(s, post, placement)
            now = placement_of(post)
            if (was.status, was.scheduled_at) != (now.status, now.scheduled_at):
                change = PlacementChange(post.id, before.label, was, now)
        return PostEdit(before, snapshot_of(s, post), change)

    def write(
        self, s: Session, post: Post, data: PostInput, variants: Mapping[int, VariantInput]
    ) -> None:
        """Replace content, channels, labels and every variant."""
        self.rules.write_content(s, post, data)
        self.rules.write_variants(s, post, variants)
        if post.status == PostStatus.SCHEDULED.value:
            # Queue again with the new variants: a hand-off option changes when a target is due.
            ws = repo.get_workspace(s, post.workspace_id)
            self.rules.queue(s, post, ws.timezone)
        self.rules.touch(post)

    def place(self, s: Session, post: Post, placement: PlacementInput) -> None:
        """Give a post the status and time a save asks for, as the separate calls would."""
        if placement.status is SaveAs.PUBLISH_NOW:
            self.rules.schedule(s, post, self.rules.clock.now())
            return
        old = PostStatus(post.status)
        new = {
            SaveAs.KEEP: old,
            SaveAs.DRAFT: PostStatus.DRAFT,
            SaveAs.SCHEDULED: PostStatus.SCHEDULED,
        }[placement.status]
        if old == PostStatus.SCHEDULED and new != old:
            # Out of the queue first (as Unschedule): a scheduled post cannot lose its time.
            self.rules.set_status(s, post, new)
            self.retime(s, post, placement.scheduled_at)
        else:
            # The time first (as a move): scheduling then queues at it and checks it is to come.
            self.retime(s, post, placement.scheduled_at)
            self.rules.set_status(s, post, new)

    def retime(self, s: Session, post: Post, when: datetime | None) -> None:
        """Set or take away a post's time; the same time again is no change (nor a check)."""
        if when is None:
            if post.scheduled_at is not None:
                self.rules.clear_time(post)
        elif ensure_utc(when) != post.scheduled_at:
            tz = repo.get_workspace(s, post.workspace_id).timezone
            self.rules.set_time(s, post, ensure_utc(when), tz)

    # --- undo and redo -----------------------------------------------------------------------

    def apply(self, s: Session, post: Post, edit: PostEdit) -> PostEdit:
        """Take a post from ``edit.before`` to ``edit.after`` (an undo passes ``reversed()``).

        Content and placement together or neither; refused when the post no longer stands where
        ``edit.before`` says. Returns the edit as done (deliveries' states may differ).
        """
        found = snapshot_of(s, post)
        if (found.data, found.variants) != (edit.before.data, edit.before.variants):
            raise changed_elsewhere(found.label)
        self.rules.check_editable(post, None)
        was = placement_of(post)
        change = edit.placement
        # Into the queue last (it then holds the restored channels); any other step first, so a
        # re-queue of the content is at the time the post is going to have.
        content_first = (
            change is not None
            and change.after.status == PostStatus.SCHEDULED != change.before.status
        )
        if change is not None and not content_first:
            self.put_back(s, post, change)
        self.write(s, post, edit.after.data, {v.channel_id: v for v in edit.after.variants})
        if change is not None and content_first:
            self.put_back(s, post, change)
        done = None
        if change is not None:
            done = PlacementChange(post.id, change.label, was, placement_of(post))
        return PostEdit(found, snapshot_of(s, post), done)

    def put_back(self, s: Session, post: Post, change: PlacementChange) -> None:
        """Take a post from ``change.before`` to ``change.after`` (the undo or redo of a step).

        Undoing a status change may need a step the workflow table does not offer a person (see
        :mod:`cmdesk.services.history`): allowed only when the deliveries are as the step left
        them, and never into ``scheduled``.
        """
        b, a = change.before, change.after
        now = placement_of(post)
        # Only what this step changes must be as it left it: undoing a status change still
        # works after the post was moved elsewhere, and undoing a move after a status change.
        if (a.status != b.status and now.status != b.status) or (
            a.scheduled_at != b.scheduled_at and now.scheduled_at != b.scheduled_at
        ):
            raise changed_elsewhere(post_label(post))
        if (a.status, a.scheduled_at) == (b.status, b.scheduled_at):
            return
        tz = repo.get_workspace(s, post.workspace_id).timezone
        checked = True
        if a.status != b.status:
            try:
                check_transition(b.status, a.status)
            except UserError:
                # Not a step a person may take, but the exact reverse of one.
                if b.status == PostStatus.SCHEDULED and a.status in _SENT_BACK:
                    raise ValidationError(
                        "It was queued to be sent again, so it cannot go back to "
                        f"{a.status.label.lower()}. Unschedule it instead."
                    ) from None
                if PostStatus.SCHEDULED in (a.status, b.status) or now.targets != b.targets:
                    raise
                checked = False
        if a.scheduled_at != b.scheduled_at:
            if b.status == PostStatus.SCHEDULED and a.status != PostStatus.SCHEDULED:
                self.rules.set_status(s, post, a.status, check=checked)
            if a.scheduled_at is None:
                self.rules.clear_time(post)
            else:
                self.rules.set_time(s, post, a.scheduled_at, tz)
        if a.status != PostStatus(post.status):
            self.rules.set_status(s, post, a.status, check=checked)
        self.rules.touch(post)
