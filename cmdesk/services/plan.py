"""The content plan: create, edit, duplicate, move, schedule and change the status of posts.

Rules kept here (checked in :mod:`cmdesk.services.plan_rules`), whichever screen or command asks:

* a post needs a title or some text;
* its channels belong to its workspace and are not removed;
* a post is never given a time that has already passed (published posts keep theirs);
* moving a post to another day keeps its wall-clock time in the workspace's zone;
* status changes go through :mod:`cmdesk.status`;
* scheduling needs at least one channel and queues one target per channel; leaving ``scheduled``
  takes the targets out of the queue again.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import (
    CalendarDays,
    CampaignDTO,
    PostDetail,
    PostFilter,
    PostInput,
    PostSummary,
    TagDTO,
)
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import (
    Post,
    PostTag,
    Variant,
    Workspace,
)
from cmdesk.services import plan_rules as rules
from cmdesk.services.base import Service
from cmdesk.services.plan_rules import PlanRules
from cmdesk.status import PostStatus, check_transition
from cmdesk.timeutil import at_wall_time, ensure_utc, from_epoch, move_to_day


class PlanService(Service):
    """Posts of the plan, their times and statuses."""

    def __init__(self, db: Database, clock: Clock, hub: EventHub) -> None:
        super().__init__(db, clock, hub)
        self.rules = PlanRules(clock)

    # --- reading ---------------------------------------------------------------------------

    def get_post(self, post_id: int) -> PostDetail:
        with self._read() as s:
            return repo.post_detail(s, repo.get_post(s, post_id))

    def list_window(
        self,
        workspace_id: int,
        start: datetime,
        end: datetime,
        filter: PostFilter | None = None,
    ) -> list[PostSummary]:
        """Posts with a time in ``[start, end)``, for the calendar, as summaries ordered by time."""
        f = replace(
            filter or PostFilter(), start=ensure_utc(start), end=ensure_utc(end), scheduled=True
        )
        with self._read() as s:
            return repo.post_summaries(s, workspace_id, f)

    def calendar_days(
        self,
        workspace_id: int,
        first_day: date,
        end_day: date,
        *,
        per_day: int = 8,
        filter: PostFilter | None = None,
    ) -> CalendarDays:
        """At most ``per_day`` posts of each local day in ``[first_day, end_day)``, and each total.

        A month cell has room for a handful of chips; a busy plan has hundreds of posts a day.
        Counting every post but building summaries only for the shown ones keeps a month of a
        100,000-post plan fast (``benchmarks/bench_month_window.py``).
        """
        if per_day < 1:
            raise ValidationError("A calendar shows at least one post a day.")
        with self._read() as s:
            tz = repo.get_workspace(s, workspace_id).timezone
            days = [first_day + timedelta(days=i) for i in range((end_day - first_day).days)]
            edges = [int(at_wall_time(d, time(0), tz).timestamp()) for d in days]
            edges.append(int(at_wall_time(end_day, time(0), tz).timestamp()))
            base = filter or PostFilter()
            f = replace(base, start=from_epoch(edges[0]), end=from_epoch(edges[-1]), scheduled=True)
            ids, stamps = repo.window_times(s, workspace_id, f)
            counts: dict[date, int] = {}
            shown: list[int] = []
            lo = 0
            for i, day in enumerate(days):
                # The stamps are sorted: each local day is one slice, found by bisection.
                hi = bisect_left(stamps, edges[i + 1], lo)
                if hi > lo:
                    counts[day] = hi - lo
                    shown.extend(ids[lo : min(hi, lo + per_day)])
                lo = hi
            posts = repo.post_summaries(s, workspace_id, f, ids=shown) if shown else []
        return CalendarDays(posts=tuple(posts), day_counts=counts, per_day=per_day)

    def list_posts(
        self, workspace_id: int, filter: PostFilter | None = None, *, limit: int | None = None
    ) -> list[PostSummary]:
        """Posts matching a filter (with or without a time), for the list view and the CLI."""
        with self._read() as s:
            return repo.post_summaries(s, workspace_id, filter or PostFilter(), limit=limit)

    def list_unscheduled(
        self, workspace_id: int, filter: PostFilter | None = None
    ) -> list[PostSummary]:
        """Drafts and ideas without a time: the side list dragged onto the calendar.

        ``filter`` is the calendar's (campaign, pillar, tag, channel, text, status).
        """
        unplaced = {PostStatus.IDEA, PostStatus.DRAFT, PostStatus.IN_REVIEW, PostStatus.APPROVED}
        given = filter or PostFilter()
        statuses = unplaced & given.statuses if given.statuses else unplaced
        if not statuses:
            return []  # the filter asks only for statuses the side list never holds
        f = replace(given, scheduled=False, statuses=frozenset(statuses), start=None, end=None)
        with self._read() as s:
            return repo.post_summaries(s, workspace_id, f)

    def list_campaigns(self, workspace_id: int) -> list[CampaignDTO]:
        with self._read() as s:
            return repo.list_campaigns(s, workspace_id)

    def list_tags(self, workspace_id: int) -> list[TagDTO]:
        """Tags and content pillars (``kind`` says which) of a workspace."""
        with self._read() as s:
            return repo.list_tags(s, workspace_id)

    def count_by_status(self, workspace_id: int) -> dict[PostStatus, int]:
        with self._read() as s:
            return repo.count_by_status(s, workspace_id)

    def count_to_confirm(self, workspace_id: int) -> int:
        """Posts waiting for the person to say whether a delivery went out (``needs_confirmation``)."""
        with self._read() as s:
            return repo.count_to_confirm(s, workspace_id)

    def is_empty(self) -> bool:
        """Whether the database holds no workspace at all (a first start)."""
        with self._read() as s:
            return not repo.any_rows(s, Workspace)

    # --- creating and editing --------------------------------------------------------------

    def create_post(
        self,
        workspace_id: int,
        data: PostInput,
        *,
        status: PostStatus = PostStatus.DRAFT,
        scheduled_at: datetime | None = None,
    ) -> ChangeSet:
        """Add a post; ``status=SCHEDULED`` also queues it (it then needs a time and a channel)."""
        with self._write() as s:
            post = self.rules.new_post(s, workspace_id, data, status, scheduled_at)
            pid = post.id
        return self._emit(ChangeSet.of(created=[("post", pid)], subject=pid, description="create"))

    def update_post(
        self, post_id: int, data: PostInput, *, expected_revision: int | None = None
    ) -> ChangeSet:
        """Replace a post's content, channels and labels (time and status have their own calls).

        With ``expected_revision`` the edit is refused if someone else changed the post meanwhile,
        so that a second window or a team member's change is not silently overwritten.
        """
        with self._write() as s:
            post = repo.get_post(s, post_id)
            self.rules.check_editable(post, expected_revision)
            self.rules.write_content(s, post, data)
            self.rules.touch(post)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="edit")
        )

    def set_variant(
        self,
        post_id: int,
        channel_id: int,
        *,
        text: str | None,
        thread_parts: Iterable[str] | None = None,
        options: dict[str, object] | None = None,
    ) -> ChangeSet:
        """Set the per-channel version of a post (None text means: use the master text)."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            if channel_id not in {t.channel_id for t in post.targets}:
                raise ValidationError(
                    "Add the channel to the post before writing a version for it."
                )
            v = s.scalars(
                select(Variant).where(Variant.post_id == post_id, Variant.channel_id == channel_id)
            ).first()
            if v is None:
                v = Variant(post_id=post_id, channel_id=channel_id, options={})
                s.add(v)
            v.text = text
            v.thread_parts = list(thread_parts) if thread_parts is not None else None
            if options is not None:
                v.options = dict(options)
            self.rules.touch(post)
        return self._emit(ChangeSet.of(updated=[("post", post_id)], subject=post_id))

    def duplicate_post(self, post_id: int, *, at: datetime | None = None) -> ChangeSet:
        """Copy a post as a new draft (content, channels, variants, labels), at ``at`` if given.

        A published or past post is copied without a time unless one is given, so the copy never
        lands in the past.
        """
        now = self.clock.now()
        with self._write() as s:
            src = repo.get_post(s, post_id)
            ws = repo.get_workspace(s, src.workspace_id)
            when = at if at is not None else src.scheduled_at
            if when is not None and at is None and when <= now:
                when = None
            elif when is not None:
                when = self.rules.check_future(when, ws.timezone)
            title = src.title
            if title and not title.endswith(" (copy)"):
                title = title[: rules.MAX_TITLE - 7] + " (copy)"
            copy = Post(
                workspace_id=src.workspace_id,
                title=title,
                text=src.text,
                status=PostStatus.DRAFT.value,
                scheduled_at=when,
                campaign_id=src.campaign_id,
                pillar_id=src.pillar_id,
                notes=src.notes,
                author=src.author,
                revision=1,
                created_at=now,
                updated_at=now,
            )
            s.add(copy)
            s.flush()
            for tag_id in repo.post_tag_ids(s, src.id):
                s.add(PostTag(post_id=copy.id, tag_id=tag_id))
            self.rules.set_media(s, copy, repo.post_media_ids(s, src.id))
            live = {
                c.id
                for c in repo.channels_in_workspace(
                    s, src.workspace_id, (t.channel_id for t in src.targets)
                )
                if c.removed_at is None
            }
            self.rules.set_channels(
                s, copy, [t.channel_id for t in src.targets if t.channel_id in live]
            )
            for v in src.variants:
                if v.channel_id in live:
                    s.add(
                        Variant(
                            post_id=copy.id,
                            channel_id=v.channel_id,
                            text=v.text,
                            thread_parts=v.thread_parts,
                            media_ids=v.media_ids,
                            options=dict(v.options or {}),
                        )
                    )
            s.flush()
            new_id = copy.id
        return self._emit(
            ChangeSet.of(created=[("post", new_id)], subject=new_id, description="duplicate")
        )

    # --- time ------------------------------------------------------------------------------

    def move_post(self, post_id: int, new_day: date) -> ChangeSet:
        """Move a post to another day at the same wall-clock time in the workspace's zone."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            ws = repo.get_workspace(s, post.workspace_id)
            if post.scheduled_at is None:
                raise ValidationError(
                    "This post has no time yet: give it one (drag it to a time, or schedule it)."
                )
            when = move_to_day(post.scheduled_at, new_day, ws.timezone)
            self.rules.set_time(s, post, when, ws.timezone)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="move")
        )

    def reschedule_post(self, post_id: int, when: datetime) -> ChangeSet:
        """Give a post a new time (an aware datetime; the UI converts from the workspace's zone)."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            ws = repo.get_workspace(s, post.workspace_id)
            self.rules.set_time(s, post, ensure_utc(when), ws.timezone)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="move")
        )

    def schedule_post(self, post_id: int, when: datetime | None = None) -> ChangeSet:
        """Commit a post to publishing at ``when`` (or its planned time) on its channels."""
        with self._write() as s:
            self.rules.schedule(s, repo.get_post(s, post_id), when)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="schedule")
        )

    def publish_now(self, post_id: int) -> ChangeSet:
        """Send a post at once on its channels (also a missed or failed one)."""
        return self.schedule_post(post_id, self.clock.now())

    def unschedule_post(self, post_id: int) -> ChangeSet:
        """Stop a scheduled post from going out: it becomes a draft without a time (side list)."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            check_transition(PostStatus(post.status), PostStatus.DRAFT)
            self.rules.unqueue(s, post)
            post.status = PostStatus.DRAFT.value
            post.scheduled_at = None
            self.rules.touch(post)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="unschedule")
        )

    # --- status ----------------------------------------------------------------------------

    def change_status(self, post_id: int, new: PostStatus) -> ChangeSet:
        """Move a post through the workflow; a refused change raises ``TransitionError`` with why."""
        with self._write() as s:
            post = repo.get_post(s, post_id)
            if PostStatus(post.status) == new:
                return ChangeSet()
            self.rules.set_status(s, post, new)
        return self._emit(
            ChangeSet.of(updated=[("post", post_id)], subject=post_id, description="status")
        )

    def archive_post(self, post_id: int) -> ChangeSet:
        return self.change_status(post_id, PostStatus.ARCHIVED)

    def delete_post(self, post_id: int) -> ChangeSet:
        """Delete a post into the trash (a published one stays on the network).

        ``HistoryService.restore`` takes it out again; undo in the window goes through that.
        """
        with self._write() as s:
            self.rules.trash(repo.get_post(s, post_id))
        return self._emit(
            ChangeSet.of(deleted=[("post", post_id)], subject=post_id, description="delete")
        )
