"""A living demo plan for a first start: two brands, their channels, campaigns and ~150 posts.

The demo is built relative to today, so whenever it is created it shows last month's published
posts (with a failure and a missed post to deal with) and next month's plan in every status. Its
channels are marked as demo channels: the publishing engine never sends anything from them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.events import ChangeSet
from cmdesk.library.demo import add_demo_library
from cmdesk.models import Campaign, Channel, Post, PostTag, Tag, Target, Workspace
from cmdesk.planning.demo_planning import add_demo_planning
from cmdesk.services.base import Service
from cmdesk.services.demo_brands import ESPIGA, FUTURE_STATUSES, HARBOR, TAG_COLORS, Brand
from cmdesk.services.demo_inbox import build_inbox
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time, utc_to_local


class DemoService(Service):
    """Creates the demo workspace when the plan is empty."""

    def create_demo(self, *, seed: int = 7) -> ChangeSet:
        """Add the two demo brands; refuses (changing nothing) if the plan already has workspaces."""
        rng = random.Random(seed)
        now = self.clock.now().replace(second=0, microsecond=0)
        created: list[tuple[str, int]] = []
        with self._write() as s:
            if repo.any_rows(s, Workspace):
                return ChangeSet(description="demo skipped: the plan is not empty")
            for brand in (ESPIGA, HARBOR):
                created.extend(_build_brand(s, brand, now, rng))
        return self._emit(ChangeSet.of(created=created, description="demo"))


def _build_brand(s: Session, b: Brand, now: datetime, rng: random.Random) -> list[tuple[str, int]]:
    ws = Workspace(
        name=b.name,
        timezone=b.timezone,
        color=b.color,
        description=b.description,
        objectives=b.objectives,
        kpi_targets={"engagement_rate": 0.04, "followers_growth": 0.1},
        week_start=0 if b.timezone.startswith("Europe") else 6,
        default_post_time=b.times[1],
        is_demo=True,
        created_at=now,
        updated_at=now,
    )
    s.add(ws)
    s.flush()
    channels = []
    for network, name, handle, url in b.channels:
        c = Channel(
            workspace_id=ws.id,
            network=network,
            name=name,
            handle=handle,
            base_url=url,
            credential_ref=None,
            limits={},
            health="ok",
            health_detail="Demo channel: posts are never sent anywhere.",
            color="",
            is_demo=True,
            created_at=now,
            updated_at=now,
        )
        s.add(c)
        channels.append(c)
    today = utc_to_local(now, b.timezone).date()
    campaigns = []
    for name, color, objective, offset, length in (b.campaign, b.campaign2):
        camp = Campaign(
            workspace_id=ws.id,
            name=name,
            color=color,
            starts_on=today + timedelta(days=offset),
            ends_on=today + timedelta(days=offset + length),
            objective=objective,
            notes="",
        )
        s.add(camp)
        campaigns.append(camp)
    pillars = [Tag(workspace_id=ws.id, kind="pillar", name=n, color=c) for n, c in b.pillars]
    tags = [
        Tag(workspace_id=ws.id, kind="tag", name=n, color=TAG_COLORS[i % len(TAG_COLORS)])
        for i, n in enumerate(b.tags)
    ]
    s.add_all(pillars + tags)
    s.flush()

    created: list[tuple[str, int]] = [("workspace", ws.id)]
    created.extend(add_demo_library(s, ws.id, b.name))  # hashtag groups and templates
    created.extend(add_demo_planning(s, ws.id, b.name, [c.id for c in channels], now))
    posts: list[Post] = []

    def add_post(day: date | None, status: PostStatus, i: int, at: time | None = None) -> None:
        k = i % len(b.titles)
        when = None
        if day is not None:
            hh, mm = map(int, rng.choice(b.times).split(":"))
            when = at_wall_time(day, at or time(hh, mm), b.timezone)
        camp = next(
            (
                c
                for c in campaigns
                if day and c.starts_on and c.ends_on and c.starts_on <= day <= c.ends_on
            ),
            None,
        )
        p = Post(
            workspace_id=ws.id,
            title=b.titles[k],
            text=b.texts[k],
            status=status.value,
            scheduled_at=when,
            campaign_id=camp.id if camp and rng.random() < 0.8 else None,
            pillar_id=rng.choice(pillars).id,
            notes="",
            author="Demo",
            revision=1,
            created_at=now - timedelta(days=40),
            updated_at=now,
            published_at=when if status == PostStatus.PUBLISHED else None,
        )
        s.add(p)
        s.flush()
        for tag in rng.sample(tags, k=rng.randint(0, 2)):
            s.add(PostTag(post_id=p.id, tag_id=tag.id))
        chosen = rng.sample(channels, k=rng.randint(1, len(channels)))
        for c in chosen:
            s.add(_target(p, c, status, when, now))
        posts.append(p)

    i = 0
    # Last month: mostly published, one failure and one missed post that wait for a decision.
    for back in range(30, 0, -1):
        day = today - timedelta(days=back)
        for _ in range(rng.choice((1, 1, 2))):
            add_post(day, PostStatus.PUBLISHED, i)
            i += 1
    add_post(today - timedelta(days=1), PostStatus.FAILED, i)
    add_post(today - timedelta(days=2), PostStatus.MISSED, i + 1)
    add_post(today - timedelta(days=20), PostStatus.ARCHIVED, i + 2)
    i += 3
    # Next month: a denser plan near today, drafts further out.
    for ahead in range(1, 31):
        day = today + timedelta(days=ahead)
        if ahead > 20 and rng.random() < 0.5:
            continue
        status = (
            FUTURE_STATUSES[min(ahead // 2, len(FUTURE_STATUSES) - 1)]
            if ahead > 14
            else (PostStatus.SCHEDULED if rng.random() < 0.75 else PostStatus.APPROVED)
        )
        add_post(day, status, i)
        i += 1
    # A post due later today, so the first screen shows something about to go out.
    later = utc_to_local(now, b.timezone) + timedelta(hours=2)
    if later.date() == today:
        add_post(today, PostStatus.SCHEDULED, i, at=later.time().replace(second=0, microsecond=0))
        i += 1
    # The side list: drafts and ideas without a time yet.
    for status in (PostStatus.IDEA,) * 4 + (PostStatus.DRAFT,) * 2:
        add_post(None, status, i)
        i += 1
    created.extend(("post", p.id) for p in posts)
    created.extend(build_inbox(s, b, channels, now))
    return created


def _target(
    p: Post, c: Channel, status: PostStatus, when: datetime | None, now: datetime
) -> Target:
    state = {
        PostStatus.PUBLISHED: TargetState.PUBLISHED,
        PostStatus.SCHEDULED: TargetState.QUEUED,
        PostStatus.FAILED: TargetState.FAILED,
        PostStatus.MISSED: TargetState.MISSED,
        PostStatus.ARCHIVED: TargetState.PUBLISHED,
    }.get(status, TargetState.PENDING)
    published = state == TargetState.PUBLISHED
    return Target(
        post_id=p.id,
        channel_id=c.id,
        state=state.value,
        due_at=when
        if state in (TargetState.QUEUED, TargetState.FAILED, TargetState.MISSED)
        else None,
        remote_id=f"demo-{p.id}-{c.id}" if published else None,
        remote_url=None,
        attempts=1 if state in (TargetState.PUBLISHED, TargetState.FAILED) else 0,
        last_error=(
            "The server answered 503 Service Unavailable three times. Try again or reschedule."
            if state == TargetState.FAILED
            else "The computer was off at the planned time."
            if state == TargetState.MISSED
            else ""
        ),
        published_at=when if published else None,
        created_at=now,
        updated_at=now,
    )
