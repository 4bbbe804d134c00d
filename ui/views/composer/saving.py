"""What the composer's buttons do to the plan: save a draft, schedule, publish now.

Each goes through :class:`ui.actions.PlanActions` so it can be undone: the content and the
per-channel versions in one call (``create_post`` / ``save_post``, one transaction), then the
time and the status where they changed. The steps of one button are grouped into one undo step
(a ``QUndoStack`` macro), so Undo takes the whole save back at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from PySide6.QtGui import QUndoStack

from cmdesk.dto import PostDetail, PostInput, VariantInput
from cmdesk.errors import UserError
from cmdesk.status import PostStatus
from ui.actions import PlanActions


class SaveKind(StrEnum):
    """Which button was pressed."""

    DRAFT = "draft"
    SCHEDULE = "schedule"
    PUBLISH = "publish"


_MACRO_TEXT = {
    SaveKind.DRAFT: "Save of a post",
    SaveKind.SCHEDULE: "Scheduling of a post",
    SaveKind.PUBLISH: "Publication of a post",
}


@dataclass(frozen=True, slots=True)
class Content:
    """What the composer holds, ready for the plan."""

    data: PostInput
    variants: Mapping[int, VariantInput]
    when: datetime | None


def commit(
    actions: PlanActions,
    workspace_id: int,
    post: PostDetail | None,
    content: Content,
    kind: SaveKind,
) -> int:
    """Write ``content`` as ``kind`` asks and return the post's id. Raises ``UserError``."""
    if kind is SaveKind.SCHEDULE and content.when is None:
        raise UserError("Choose a time to schedule the post: tick Time and pick when.")
    if kind is not SaveKind.DRAFT and not content.data.channel_ids:
        raise UserError("Choose at least one channel to post to.")
    stack = actions.undo_stack
    before = stack.count()
    stack.beginMacro(_MACRO_TEXT[kind])
    try:
        if post is None:
            post_id = _create(actions, workspace_id, content, kind)
        else:
            post_id = post.id
            _update(actions, post, content, kind)
        if kind is SaveKind.PUBLISH:
            actions.publish_now(post_id)
    finally:
        stack.endMacro()
        _drop_empty_macro(stack, before)
    return post_id


def _drop_empty_macro(stack: QUndoStack, before: int) -> None:
    """A refusal at the first step leaves an empty macro: take it off, so Undo skips nothing."""
    if stack.count() <= before:
        return
    top = stack.command(stack.count() - 1)
    if top is not None and top.childCount() == 0:
        top.setObsolete(True)  # an obsolete command is deleted when undone
        stack.undo()


def _create(actions: PlanActions, workspace_id: int, content: Content, kind: SaveKind) -> int:
    status = PostStatus.SCHEDULED if kind is SaveKind.SCHEDULE else PostStatus.DRAFT
    when = None if kind is SaveKind.PUBLISH else content.when
    return actions.create_post(
        workspace_id, content.data, content.variants, status=status, scheduled_at=when
    )


def _update(actions: PlanActions, post: PostDetail, content: Content, kind: SaveKind) -> None:
    actions.save_post(post.id, content.data, content.variants, expected_revision=post.revision)
    if kind is SaveKind.PUBLISH:
        return
    if content.when is not None and content.when != post.scheduled_at:
        actions.reschedule(post.id, content.when)
    elif content.when is None and post.status is PostStatus.SCHEDULED:
        actions.unschedule(post.id)  # the time was taken away: it cannot stay scheduled
    if kind is SaveKind.SCHEDULE and post.status is not PostStatus.SCHEDULED:
        actions.change_status(post.id, PostStatus.SCHEDULED)
