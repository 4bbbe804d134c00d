"""What needs the person's attention, and when not to tell them.

Deliveries that failed, missed their time or wait for a decision; channels that need signing in
again; how many inbox items wait. The window announces each of these once
(``ui/notifications.py``, ``ui/inbox_alerts.py``). This module only reads, across every
workspace, because a community manager looks after several brands and a failure in a brand not
shown right now still matters. Each problem names its brand, so the message stands on its own.

Quiet hours are read here too, so the window and the daemon hold notifications by one rule.
They are wall-clock times on the computer's own clock, not a workspace's: the person who sleeps
is in one place, whatever zones her brands post in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, tzinfo
from typing import Any

from sqlalchemy import func, select

from cmdesk.models import Channel, InboxItem, Post, Target, Workspace
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


@dataclass(frozen=True, slots=True)
class SigninProblem:
    """A channel whose sign-in was refused: it publishes nothing until reconnected."""

    channel_id: int
    workspace_id: int
    workspace_name: str
    channel_name: str
    detail: str


@dataclass(frozen=True, slots=True)
class QuietHours:
    """When notifications are held back; ``start == end`` means no quiet hours."""

    enabled: bool = False
    start: time = time(22, 0)
    end: time = time(8, 0)
    #: Failed posts still notify during quiet hours.
    failures_through: bool = True

    @classmethod
    def from_settings(cls, values: dict[str, Any]) -> QuietHours:
        """From ``SettingsService.all()``'s answer."""
        return cls(
            enabled=bool(values["quiet_hours_enabled"]),
            start=time.fromisoformat(str(values["quiet_hours_start"])),
            end=time.fromisoformat(str(values["quiet_hours_end"])),
            failures_through=bool(values["quiet_hours_failures"]),
        )

    def active(self, now: datetime, zone: tzinfo | None = None) -> bool:
        """Whether ``now`` falls in quiet hours, read on ``zone`` (default: the computer's)."""
        if not self.enabled or self.start == self.end:
            return False
        wall = now.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end  # across midnight: 22:00 to 08:00


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
            # A post deleted into the trash is not worth a notification any more.
            .where(Post.trashed_at.is_(None))
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

    def inbox_waiting(self) -> int:
        """How many inbox items nobody has read yet, on every channel still connected."""
        query = (
            select(func.count(InboxItem.id))
            .join(Channel, Channel.id == InboxItem.channel_id)
            .where(InboxItem.state == "new", Channel.removed_at.is_(None))
        )
        with self._read() as s:
            return int(s.scalar(query) or 0)

    def channels_needing_signin(self) -> list[SigninProblem]:
        """Connected channels whose health is ``needs_reauth``, by brand and name."""
        query = (
            select(Channel.id, Channel.workspace_id, Workspace.name, Channel.name)
            .add_columns(Channel.health_detail)
            .join(Workspace, Workspace.id == Channel.workspace_id)
            .where(Channel.health == "needs_reauth", Channel.removed_at.is_(None))
            .order_by(Workspace.name, Channel.name)
        )
        with self._read() as s:
            rows = s.execute(query).all()
        return [
            SigninProblem(cid, wid, ws, name, detail or "") for cid, wid, ws, name, detail in rows
        ]
