"""Deliveries that need the person's attention: failed, missed, or waiting for a decision.

The window announces each of these once (``ui/notifications.py``). This module only reads: it
answers "which deliveries went wrong since this moment", across every workspace, because a
community manager looks after several brands and a failure in a brand not shown right now still
matters. Each problem names its brand, its post and its channel, so the message stands on its
own in a notification.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from cmdesk.models import Channel, Post, Target, Workspace
from cmdesk.services.base import Service
from cmdesk.status import TargetState

#: Target states that a person has to act on.
PROBLEM_STATES = (TargetState.FAILED, TargetState.MISSED, TargetState.NEEDS_CONFIRMATION)

#: How much of a post's text names it when it has no title.
LABEL_CHARS = 60


@dataclass(frozen=True, slots=True)
class DeliveryProblem:
    """One post on one channel that failed, missed its time or needs a decision."""

    target_id: int
    post_id: int
    workspace_id: int
    workspace_name: str
    post_label: str
    channel_name: str
    state: TargetState
    error: str
    at: datetime


def post_label(title: str, text: str) -> str:
    """The title, or else the first non-empty line of the text, shortened."""
    if title.strip():
        return title.strip()
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if len(first) > LABEL_CHARS:
        return first[: LABEL_CHARS - 1].rstrip() + "…"
    return first or "Untitled post"


class AlertService(Service):
    """Read-only questions about deliveries that went wrong."""

    def problems_since(self, since: datetime, *, limit: int = 500) -> list[DeliveryProblem]:
        """Problem deliveries whose state changed after ``since`` (exclusive), oldest first.

        ``limit`` keeps a long absence from loading thousands of rows; the caller summarises.
        """
        since = since.astimezone(UTC)
        query = (
            select(
                Target.id,
                Target.post_id,
                Target.state,
                Target.last_error,
                Target.updated_at,
                Post.workspace_id,
                Post.title,
                Post.text,
                Channel.name,
                Workspace.name,
            )
            .join(Post, Post.id == Target.post_id)
            .join(Channel, Channel.id == Target.channel_id)
            .join(Workspace, Workspace.id == Post.workspace_id)
            # The state comes first so the (state, due_at) index narrows the scan.
            .where(Target.state.in_([s.value for s in PROBLEM_STATES]))
            .where(Target.updated_at > since)
            .order_by(Target.updated_at, Target.id)
            .limit(limit)
        )
        with self._read() as s:
            rows = s.execute(query).all()
        return [
            DeliveryProblem(
                target_id=tid,
                post_id=pid,
                workspace_id=wid,
                workspace_name=ws_name,
                post_label=post_label(title, text),
                channel_name=channel_name,
                state=TargetState(state),
                error=error or "",
                at=at,
            )
            for tid, pid, state, error, at, wid, title, text, channel_name, ws_name in rows
        ]
