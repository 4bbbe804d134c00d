"""Small builders shared by the core tests."""

from __future__ import annotations

from datetime import date, datetime, time

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time


def workspace(ctx: AppContext, name: str = "Brand", tz: str = "Europe/Madrid") -> int:
    wid = ctx.workspaces.create(name, tz).subject
    assert wid is not None
    return wid


def channel(ctx: AppContext, wid: int, name: str = "Masto", network: str = "mastodon") -> int:
    cid = ctx.channels.add(wid, network, name, handle="@brand@example.social").subject
    assert cid is not None
    return cid


def post(
    ctx: AppContext,
    wid: int,
    *,
    title: str = "Launch teaser",
    text: str = "Something is coming",
    channels: tuple[int, ...] = (),
    at: datetime | None = None,
    status: PostStatus = PostStatus.DRAFT,
) -> int:
    pid = ctx.plan.create_post(
        wid, PostInput(title=title, text=text, channel_ids=channels), status=status, scheduled_at=at
    ).subject
    assert pid is not None
    return pid


def madrid(day: date, hh: int, mm: int = 0) -> datetime:
    return at_wall_time(day, time(hh, mm), "Europe/Madrid")
