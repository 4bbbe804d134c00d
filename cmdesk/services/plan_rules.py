"""The plan's rules, applied inside a caller's transaction.

:class:`~cmdesk.services.plan.PlanService` and :class:`~cmdesk.services.history.HistoryService`
both change posts; they share these checks and writes so that an edit, an undo and a restore from
the trash follow the same rules: content needs a title or text, channels belong to the workspace,
nothing gets a time that has passed, scheduling queues one target per channel, and a post that is
being sent cannot be edited, moved or taken out of the queue.

Nothing here opens or commits a transaction: every method gets the caller's ``Session``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.dto import PostInput, VariantInput
from cmdesk.errors import ValidationError
from cmdesk.models import Campaign, MediaAsset, Post, PostMedia, PostTag, Tag, Target, Variant
from cmdesk.status import FROZEN_TIME, PostStatus, TargetState, check_transition
from cmdesk.timeutil import ensure_utc, utc_to_local

MAX_TITLE = 200
#: Hand-offs need this much lead (the server refuses under 5 minutes; networks.md 1.5).
HANDOFF_LEAD = timedelta(minutes=6, seconds=30)
#: Targets with a frozen payload in these states may still send it: their content is fixed.
IN_FLIGHT = frozenset(
    {
        TargetState.QUEUED.value,
        TargetState.PUBLISHING.value,
        TargetState.NEEDS_CONFIRMATION.value,
        TargetState.PENDING.value,
    }
)
#: Targets whose delivery is under way or done: the post's channels and time can no longer change
#: for them.
LOCKED_TARGET_STATES = frozenset(
    {TargetState.PUBLISHING, TargetState.PUBLISHED, TargetState.NEEDS_CONFIRMATION}
)


def fmt_local(when: datetime, tz: str) -> str:
    """An instant as a person reads it in the workspace's zone."""
    local = utc_to_local(when, tz)
    return f"{local:%a %d %b %Y %H:%M} ({tz})"


class PlanRules:
    """Checks and writes on posts, inside the caller's transaction."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def check_editable(self, post: Post, expected_revision: int | None) -> None:
        """Refuse an edit of content that changed elsewhere, went out or is being sent."""
        if expected_revision is not None and post.revision != expected_revision:
            raise ValidationError(
                "This post was changed elsewhere while you edited it. "
                "Reopen it to see the latest version; your text is kept in the composer."
            )
        if post.status == PostStatus.PUBLISHED.value:
            raise ValidationError(
                "This post is already published; editing here would not change what went out. "
                "Duplicate it to publish a corrected version."
            )
        in_flight = [t for t in post.targets if t.payload is not None and t.state in IN_FLIGHT]
        if in_flight:
            raise ValidationError(
                "cmdesk has started sending this post and is retrying it; editing it now "
                "could publish two different versions. Wait for it, or unschedule it first."
                if post.status == PostStatus.SCHEDULED.value
                else "cmdesk already tried to send this post, so its content is fixed to keep "
                "two versions from going out. Duplicate it to publish a changed version."
            )

    def write_content(self, s: Session, post: Post, data: PostInput) -> None:
        """Replace content, labels, media and channels (a scheduled post is queued again)."""
        self.check_content(data)
        post.title = data.title.strip()
        post.text = data.text
        post.notes = data.notes
        post.author = data.author
        self.apply_links(s, post, data)
        self.set_channels(s, post, data.channel_ids)
        if post.status == PostStatus.SCHEDULED.value:
            ws = repo.get_workspace(s, post.workspace_id)
            self.queue(s, post, ws.timezone)

    def write_variants(self, s: Session, post: Post, variants: Mapping[int, VariantInput]) -> None:
        """Make the post's per-channel versions exactly ``variants`` (absent: master text)."""
        channels = {t.channel_id for t in post.targets}
        for cid, v in variants.items():
            if cid != v.channel_id:
                raise ValueError(f"variant for channel {v.channel_id} given under key {cid}")
            if cid not in channels:
                raise ValidationError(
                    "Add the channel to the post before writing a version for it."
                )
        current = {v.channel_id: v for v in post.variants}
        for cid, old in current.items():
            if cid not in variants:
                post.variants.remove(old)
        for cid, v in variants.items():
            row = current.get(cid)
            if row is None:
                row = Variant(channel_id=cid, options={})
                post.variants.append(row)
            row.text = v.text
            row.thread_parts = list(v.thread_parts) if v.thread_parts is not None else None
            row.media_ids = list(v.media_ids) if v.media_ids is not None else None
            row.options = dict(v.options)
        s.flush()

    @staticmethod
    def check_content(data: PostInput) -> None:
        if not data.title.strip() and not data.text.strip():
            raise ValidationError("A post needs a title or some text.", field="text")
        if len(data.title.strip()) > MAX_TITLE:
            raise ValidationError(f"A title has at most {MAX_TITLE} characters.", field="title")

    def check_future(self, when: datetime, tz: str) -> datetime:
        when = ensure_utc(when).replace(second=0, microsecond=0)
        # A minute of tolerance: "publish at 10:41" chosen at 10:41:30 still means this minute.
        if when < self.clock.now() - timedelta(minutes=1):
            raise ValidationError(
                f"{fmt_local(when, tz)} has already passed. Pick a time from now on.",
                field="scheduled_at",
            )
        return when

    def set_time(self, s: Session, post: Post, when: datetime, tz: str) -> None:
        status = PostStatus(post.status)
        if status in FROZEN_TIME:
            raise ValidationError(
                f"This post is {status.label.lower()}; its time cannot change. "
                "Duplicate it to plan it again."
            )
        if any(t.state in LOCKED_TARGET_STATES for t in post.targets):
            raise ValidationError(
                "This post has already gone out on some channels; it cannot move."
            )
        self.refuse_if_handed_off(post, "move")
        post.scheduled_at = self.check_future(when, tz)
        now = self.clock.now()
        for t in post.targets:
            t.from_queue = False  # a time the person chose: every channel goes out at it
            if t.state == TargetState.QUEUED.value:
                t.due_at = self.due_for(post, t, now)
                t.updated_at = now
        self.touch(post)

    def apply_links(self, s: Session, post: Post, data: PostInput) -> None:
        wid = post.workspace_id
        if data.campaign_id is not None and (
            s.scalar(
                select(Campaign.id).where(
                    Campaign.id == data.campaign_id, Campaign.workspace_id == wid
                )
            )
            is None
        ):
            raise ValidationError("That campaign belongs to another workspace or no longer exists.")
        post.campaign_id = data.campaign_id
        tag_ids = set(data.tag_ids)
        if data.pillar_id is not None:
            tag_ids.add(data.pillar_id)
        if tag_ids:
            rows = s.execute(
                select(Tag.id, Tag.kind).where(Tag.workspace_id == wid, Tag.id.in_(sorted(tag_ids)))
            )
            known: dict[int, str] = {tid: kind for tid, kind in rows}
            missing = tag_ids - set(known)
            if missing:
                raise ValidationError("Some tags belong to another workspace or no longer exist.")
            if data.pillar_id is not None and known[data.pillar_id] != "pillar":
                raise ValidationError("That label is a tag, not a content pillar.")
        post.pillar_id = data.pillar_id
        s.execute(delete(PostTag).where(PostTag.post_id == post.id))
        for tid in sorted(set(data.tag_ids)):
            s.add(PostTag(post_id=post.id, tag_id=tid))
        self.set_media(s, post, data.media_ids)

    def set_media(self, s: Session, post: Post, media_ids: Iterable[int]) -> None:
        wanted = list(dict.fromkeys(media_ids))
        if wanted:
            found = set(
                s.scalars(
                    select(MediaAsset.id).where(
                        MediaAsset.id.in_(wanted), MediaAsset.workspace_id == post.workspace_id
                    )
                )
            )
            if len(found) != len(wanted):
                raise ValidationError("Some media files belong to another workspace or are gone.")
        s.execute(delete(PostMedia).where(PostMedia.post_id == post.id))
        for position, mid in enumerate(wanted):
            s.add(PostMedia(post_id=post.id, media_id=mid, position=position))

    def set_channels(self, s: Session, post: Post, channel_ids: Iterable[int]) -> None:
        wanted = list(dict.fromkeys(channel_ids))
        found = {c.id: c for c in repo.channels_in_workspace(s, post.workspace_id, wanted)}
        for cid in wanted:
            c = found.get(cid)
            if c is None:
                raise ValidationError(f"Channel {cid} is not one of this workspace's channels.")
            if c.removed_at is not None:
                raise ValidationError(f"The channel {c.name!r} was removed; choose another one.")
        now = self.clock.now()
        current = {t.channel_id: t for t in post.targets}
        for cid, t in current.items():
            if cid not in found:
                if t.state in LOCKED_TARGET_STATES:
                    raise ValidationError(
                        "A channel the post already went out on cannot be taken off it."
                    )
                post.targets.remove(t)
        for v in list(post.variants):
            if v.channel_id not in found:
                post.variants.remove(v)
        for cid in wanted:
            if cid not in current:
                post.targets.append(
                    Target(
                        channel_id=cid,
                        state=TargetState.PENDING.value,
                        attempts=0,
                        last_error="",
                        created_at=now,
                        updated_at=now,
                    )
                )
        s.flush()

    def queue(self, s: Session, post: Post, tz: str) -> None:
        """Check a post can go out and queue its pending targets at its time."""
        if post.scheduled_at is None:
            raise ValidationError("Choose a date and time before scheduling.", field="scheduled_at")
        self.check_future(post.scheduled_at, tz)
        live = [t for t in post.targets if t.state != TargetState.CANCELLED.value]
        if not live:
            raise ValidationError(
                "Choose at least one channel before scheduling.", field="channels"
            )
        now = self.clock.now()
        requeue = (TargetState.FAILED.value, TargetState.MISSED.value)
        for t in live:
            if t.state in (TargetState.PENDING.value, TargetState.QUEUED.value, *requeue):
                if t.state in requeue:
                    # A new try: the count starts again; the outbox state (parts of a thread
                    # already out) is kept so nothing is posted twice.
                    t.attempts = 0
                    t.next_retry_at = None
                    t.last_error = ""
                t.state = TargetState.QUEUED.value
                t.due_at = self.due_for(post, t, now)
                t.updated_at = now

    @staticmethod
    def due_for(post: Post, target: Target, now: datetime) -> datetime | None:
        """When the engine should take a queued target.

        At the post's time; or at once for a hand-off to the server's scheduler, which needs the
        post well ahead of its time. A delivery "Add to queue" put in a later slot of its own
        channel keeps that slot (``cmdesk.services.queues``) and is sent by cmdesk at it.
        """
        own = target.due_at
        planned = post.scheduled_at
        if target.from_queue and own is not None and planned is not None and own > planned:
            return own
        variant = next((v for v in post.variants if v.channel_id == target.channel_id), None)
        hand_off = bool(variant is not None and (variant.options or {}).get("hand_off"))
        if hand_off and post.scheduled_at is not None and post.scheduled_at - now >= HANDOFF_LEAD:
            return now
        return post.scheduled_at

    @staticmethod
    def refuse_if_handed_off(post: Post, action: str) -> None:
        if any("handed_off" in (t.progress or {}) for t in post.targets):
            raise ValidationError(
                f"This post waits in the server's own scheduler, so cmdesk cannot {action} it "
                "here. Delete the scheduled post on the server first, then change it in cmdesk."
            )

    def unqueue(self, s: Session, post: Post) -> None:
        self.refuse_if_handed_off(post, "unschedule")
        if any(t.state == TargetState.PUBLISHING.value for t in post.targets):
            raise ValidationError("This post is being published right now; it cannot be stopped.")
        now = self.clock.now()
        for t in post.targets:
            if t.state == TargetState.QUEUED.value:
                t.state = TargetState.PENDING.value
                t.due_at = None
                t.from_queue = False
                t.updated_at = now

    def touch(self, post: Post) -> None:
        post.updated_at = self.clock.now()
        post.revision += 1

    def new_post(
        self,
        s: Session,
        workspace_id: int,
        data: PostInput,
        status: PostStatus,
        scheduled_at: datetime | None,
    ) -> Post:
        """Add a post (queued if ``status`` is scheduled: it then needs a time and a channel)."""
        now = self.clock.now()
        ws = repo.get_workspace(s, workspace_id)
        self.check_content(data)
        if status in (PostStatus.PUBLISHED, PostStatus.FAILED, PostStatus.MISSED):
            raise ValidationError(f"A new post cannot start as {status.label.lower()}.")
        when = self.check_future(scheduled_at, ws.timezone) if scheduled_at else None
        post = Post(
            workspace_id=workspace_id,
            title=data.title.strip(),
            text=data.text,
            status=PostStatus.DRAFT.value,
            scheduled_at=when,
            notes=data.notes,
            author=data.author,
            revision=1,
            created_at=now,
            updated_at=now,
        )
        s.add(post)
        s.flush()
        self.apply_links(s, post, data)
        self.set_channels(s, post, data.channel_ids)
        if status == PostStatus.SCHEDULED:
            self.queue(s, post, ws.timezone)
        post.status = status.value
        s.flush()
        return post

    def schedule(self, s: Session, post: Post, when: datetime | None = None) -> None:
        """Commit a post to going out at ``when`` (or its own time): Schedule, and Publish now.

        Unlike a move, it may send a failed or missed post again where it did not go out.
        """
        ws = repo.get_workspace(s, post.workspace_id)
        check_transition(PostStatus(post.status), PostStatus.SCHEDULED)
        if when is not None:
            post.scheduled_at = self.check_future(ensure_utc(when), ws.timezone)
        self.queue(s, post, ws.timezone)
        post.status = PostStatus.SCHEDULED.value
        self.touch(post)

    def set_status(self, s: Session, post: Post, new: PostStatus, *, check: bool = True) -> None:
        """Move a post to ``new``, queueing or unqueueing its deliveries.

        ``check=False`` skips the workflow table; only an undo uses it, after its own checks.
        """
        old = PostStatus(post.status)
        if check:
            check_transition(old, new)
        if new == old:
            return
        if new == PostStatus.SCHEDULED:
            ws = repo.get_workspace(s, post.workspace_id)
            self.queue(s, post, ws.timezone)
        elif old == PostStatus.SCHEDULED:
            self.unqueue(s, post)
        post.status = new.value
        self.touch(post)

    def clear_time(self, post: Post) -> None:
        """Take a post's time away (it goes back to the side list of posts without a time)."""
        status = PostStatus(post.status)
        if status == PostStatus.SCHEDULED:
            raise ValidationError("A scheduled post needs a time; unschedule it instead.")
        if status in FROZEN_TIME:
            raise ValidationError(f"This post is {status.label.lower()}; its time cannot change.")
        if any(t.state in LOCKED_TARGET_STATES for t in post.targets):
            raise ValidationError("This post has already gone out on some channels.")
        post.scheduled_at = None

    def trash(self, post: Post) -> None:
        """Put a post in the trash: out of every list, its queued deliveries cancelled."""
        if any(t.state == TargetState.PUBLISHING.value for t in post.targets):
            raise ValidationError(
                "This post is being published right now; wait a moment and try again."
            )
        if any(t.state == TargetState.NEEDS_CONFIRMATION.value for t in post.targets):
            # Deleting would leave an answer pending that could send a post nobody sees.
            raise ValidationError(
                "cmdesk is waiting for you to say whether this post went out; answer that "
                "first (check the account, then mark it sent or not sent), then delete it."
            )
        if any(
            "handed_off" in (t.progress or {}) and t.state == TargetState.QUEUED.value
            for t in post.targets
        ):
            self.refuse_if_handed_off(post, "delete")
        now = self.clock.now()
        post.trashed_at = now
        for t in post.targets:
            if t.state == TargetState.QUEUED.value:
                t.state = TargetState.CANCELLED.value
                t.due_at = None
                t.updated_at = now
        self.touch(post)
