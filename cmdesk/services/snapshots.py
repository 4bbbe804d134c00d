"""Snapshots of posts for undo: their content and where they stand (status, time, deliveries).

An undo compares what it finds with what its step left; these are the pictures it compares.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.dto import Placement, PostInput, PostSnapshot, VariantInput
from cmdesk.errors import ValidationError
from cmdesk.models import Post
from cmdesk.status import PostStatus, TargetState

#: Labels in messages and undo texts are cut to this many characters.
LABEL_CHARS = 40


def post_label(post: Post) -> str:
    """The title, or the first non-empty line of the text, cut for a menu or a message."""
    text = post.title.strip() or next((ln for ln in post.text.splitlines() if ln.strip()), "")
    text = text.strip() or f"post {post.id}"
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def placement_of(post: Post) -> Placement:
    """Status, time and each delivery's state."""
    targets = tuple(sorted((t.channel_id, t.state) for t in post.targets))
    return Placement(PostStatus(post.status), post.scheduled_at, targets)


def snapshot_of(s: Session, post: Post) -> PostSnapshot:
    """Everything an edit can change, as the composer would hand it back."""
    targets = sorted(post.targets, key=lambda t: t.channel_id)
    data = PostInput(
        title=post.title,
        text=post.text,
        channel_ids=tuple(t.channel_id for t in targets if t.state != TargetState.CANCELLED.value),
        campaign_id=post.campaign_id,
        pillar_id=post.pillar_id,
        tag_ids=tuple(tid for tid in repo.post_tag_ids(s, post.id) if tid != post.pillar_id),
        notes=post.notes,
        author=post.author,
        media_ids=tuple(repo.post_media_ids(s, post.id)),
    )
    variants = tuple(
        VariantInput(
            channel_id=v.channel_id,
            text=v.text,
            thread_parts=tuple(v.thread_parts) if v.thread_parts is not None else None,
            media_ids=tuple(v.media_ids) if v.media_ids is not None else None,
            options=dict(v.options or {}),
        )
        for v in sorted(post.variants, key=lambda v: v.channel_id)
    )
    return PostSnapshot(
        post_id=post.id,
        workspace_id=post.workspace_id,
        label=post_label(post),
        data=data,
        variants=variants,
        status=PostStatus(post.status),
        scheduled_at=post.scheduled_at,
        revision=post.revision,
    )


def changed_elsewhere(label: str) -> ValidationError:
    """The refusal of an undo or redo whose post is no longer where the step left it."""
    return ValidationError(
        f"'{label}' was changed elsewhere since (in another window, by a team member or by "
        "publishing), so this step can no longer be undone or redone without overwriting that."
    )
