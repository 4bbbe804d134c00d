"""Post statuses, target states and the one table of allowed status changes.

The plan moves a post ``idea -> draft -> in_review -> approved -> scheduled -> published``; the
publishing engine may also set ``failed`` or ``missed``; anything finished can be archived. Every
change of a post's status, from any screen or command, is checked here, and a refused change says
why in words a person can act on.
"""

from __future__ import annotations

from enum import StrEnum

from cmdesk.errors import TransitionError


class PostStatus(StrEnum):
    """Where a post stands in the editorial workflow."""

    IDEA = "idea"
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    FAILED = "failed"
    MISSED = "missed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    PostStatus.IDEA: "Idea",
    PostStatus.DRAFT: "Draft",
    PostStatus.IN_REVIEW: "In review",
    PostStatus.APPROVED: "Approved",
    PostStatus.SCHEDULED: "Scheduled",
    PostStatus.PUBLISHED: "Published",
    PostStatus.FAILED: "Failed",
    PostStatus.MISSED: "Missed",
    PostStatus.ARCHIVED: "Archived",
}


class TargetState(StrEnum):
    """The delivery state of one post on one channel."""

    PENDING = "pending"
    QUEUED = "queued"
    PUBLISHING = "publishing"
    PUBLISHED = "published"
    FAILED = "failed"
    NEEDS_CONFIRMATION = "needs_confirmation"
    MISSED = "missed"
    CANCELLED = "cancelled"


S = PostStatus

#: Changes a person may make. The engine's own changes (scheduled -> published/failed/missed) are
#: in ENGINE_TRANSITIONS and are not offered in the UI.
USER_TRANSITIONS: dict[PostStatus, frozenset[PostStatus]] = {
    S.IDEA: frozenset({S.DRAFT, S.ARCHIVED}),
    S.DRAFT: frozenset({S.IDEA, S.IN_REVIEW, S.APPROVED, S.SCHEDULED, S.ARCHIVED}),
    S.IN_REVIEW: frozenset({S.DRAFT, S.APPROVED, S.ARCHIVED}),
    S.APPROVED: frozenset({S.DRAFT, S.IN_REVIEW, S.SCHEDULED, S.ARCHIVED}),
    S.SCHEDULED: frozenset({S.DRAFT, S.APPROVED}),
    S.PUBLISHED: frozenset({S.ARCHIVED}),
    S.FAILED: frozenset({S.DRAFT, S.SCHEDULED, S.ARCHIVED}),
    S.MISSED: frozenset({S.DRAFT, S.SCHEDULED, S.ARCHIVED}),
    S.ARCHIVED: frozenset({S.DRAFT, S.IDEA}),
}

ENGINE_TRANSITIONS: dict[PostStatus, frozenset[PostStatus]] = {
    S.SCHEDULED: frozenset({S.PUBLISHED, S.FAILED, S.MISSED}),
    S.FAILED: frozenset({S.PUBLISHED}),
    S.MISSED: frozenset({S.PUBLISHED}),
}

#: Statuses whose time can no longer be changed.
FROZEN_TIME = frozenset({S.PUBLISHED, S.ARCHIVED})


def _reason(old: PostStatus, new: PostStatus) -> str:
    if old == S.PUBLISHED:
        return "It is already published; it can only be archived."
    if old == S.SCHEDULED and new == S.ARCHIVED:
        return "It is scheduled; unschedule it first so it does not go out."
    if old == S.SCHEDULED and new in (S.IN_REVIEW, S.IDEA):
        return "It is scheduled; unschedule it first (it goes back to draft)."
    if new == S.PUBLISHED:
        return "Only the publishing engine marks a post published; use Publish now."
    if new in (S.FAILED, S.MISSED):
        return f"Only the publishing engine marks a post {new.label.lower()}."
    if old == S.IDEA and new != S.DRAFT:
        return "An idea becomes a draft first."
    if old == S.ARCHIVED:
        return "Restore it to draft first."
    if old == S.IN_REVIEW and new == S.SCHEDULED:
        return "It is waiting for review; approve it first."
    return "That step is not part of the workflow."


def check_transition(old: PostStatus, new: PostStatus, *, by_engine: bool = False) -> None:
    """Raise ``TransitionError`` with a reason unless ``old -> new`` is allowed."""
    if old == new:
        return
    if new in USER_TRANSITIONS.get(old, frozenset()):
        return
    if by_engine and new in ENGINE_TRANSITIONS.get(old, frozenset()):
        return
    raise TransitionError(
        f"Cannot change a post from {old.label.lower()} to {new.label.lower()}: {_reason(old, new)}"
    )


class InboxState(StrEnum):
    """Where an inbox item stands: not yet seen, seen, answered, or dealt with."""

    NEW = "new"
    READ = "read"
    REPLIED = "replied"
    DONE = "done"

    @property
    def label(self) -> str:
        return self.value.capitalize()
