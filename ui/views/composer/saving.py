"""What the composer's buttons do to the plan: save, schedule, publish now.

Each button is one call to :class:`ui.actions.PlanActions` (``create_post`` / ``save_post``), so
one transaction and one undo step: the content and the per-channel versions, then the status and
the time. If any part is refused (a time that has passed, a post being sent ...) nothing of it is
saved and no undo step is added; the composer keeps what was typed. Publish now is not undoable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cmdesk.dto import PlacementInput, PostDetail, PostInput, SaveAs, VariantInput
from cmdesk.errors import UserError
from cmdesk.status import PostStatus
from ui.actions import PlanActions


class SaveKind(StrEnum):
    """Which button was pressed."""

    DRAFT = "draft"
    SCHEDULE = "schedule"
    PUBLISH = "publish"


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
    placement = placement_for(post, content.when, kind)
    if post is None:
        return actions.create_post(
            workspace_id, content.data, content.variants, placement=placement
        )
    actions.save_post(
        post.id,
        content.data,
        content.variants,
        expected_revision=post.revision,
        placement=placement,
    )
    return post.id


def placement_for(post: PostDetail | None, when: datetime | None, kind: SaveKind) -> PlacementInput:
    """The status and time a button gives the post, with the time shown in the composer."""
    if kind is SaveKind.PUBLISH:
        return PlacementInput(SaveAs.PUBLISH_NOW)
    if kind is SaveKind.SCHEDULE:
        return PlacementInput(SaveAs.SCHEDULED, when)
    if when is None and post is not None and post.status is PostStatus.SCHEDULED:
        # The time was taken away: it cannot stay scheduled, so Save unschedules it.
        return PlacementInput(SaveAs.DRAFT, None)
    return PlacementInput(SaveAs.KEEP, when)
