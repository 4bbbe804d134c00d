"""Engagement snapshots against the fake Bluesky: getPosts in batches of 25, deleted posts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from cmdesk.adapters.bluesky import PLC_URL_ENV
from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.metrics_poller import MetricsPoller
from tests.core.helpers import workspace
from tests.core.test_metrics import published
from tests.fakes.bluesky_metrics import GET_POSTS
from tests.fakes.bluesky_server import FakeBluesky

HOUR = timedelta(hours=1)


@pytest.fixture
def sky(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        monkeypatch.setenv(PLC_URL_ENV, fake.plc_url)
        yield fake


def _channel(ctx: AppContext, sky: FakeBluesky, wid: int) -> int:
    cid = ctx.channels.add(
        wid,
        "bluesky",
        "Sky",
        handle=sky.handle,
        base_url=sky.entryway_url,
        credentials={"identifier": sky.handle, "app_password": sky.password},
    ).subject
    assert cid is not None
    return cid


def _our_posts(sky: FakeBluesky, n: int) -> list[str]:
    uris = []
    for i in range(n):
        rkey = f"3kmetric{i:05d}"
        record = {
            "$type": "app.bsky.feed.post",
            "text": f"post {i}",
            "createdAt": "2026-03-20T08:00:00.000Z",
        }
        sky.put_post(rkey, record)
        uris.append(sky.our_uri(rkey))
    return uris


def test_counts_come_25_posts_a_request_and_a_deleted_post_stops_being_asked(
    ctx: AppContext, sky: FakeBluesky, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = _channel(ctx, sky, wid)
    uris = _our_posts(sky, 30)
    for i, uri in enumerate(uris):
        sky.set_counts(uri, likes=i, reposts=1, replies=2, quotes=3)
    start = clock.now()
    posts = [published(ctx, wid, {cid: uri}, start, f"P{i}") for i, uri in enumerate(uris)]
    gone = published(ctx, wid, {cid: "at://did:plc:nobody/app.bsky.feed.post/3kgone"}, start)
    clock.set(start + HOUR)
    assert ctx.metrics.take_due() == 31
    assert sky.calls(GET_POSTS) == 2  # 25 + 6
    latest = ctx.metrics.latest([*posts, gone])
    assert gone not in latest
    assert latest[posts[12]].summary() == "12 likes · 1 repost · 2 replies · 3 quotes"
    assert latest[posts[12]].by_channel[cid].quotes == 3
    clock.set(start + timedelta(days=1))
    due = ctx.metrics.due()
    assert len(due[cid]) == 30  # the deleted post is not asked again


def test_a_server_error_is_retried_at_a_later_tick(
    ctx: AppContext, sky: FakeBluesky, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = _channel(ctx, sky, wid)
    (uri,) = _our_posts(sky, 1)
    sky.set_counts(uri, likes=7)
    start = clock.now()
    pid = published(ctx, wid, {cid: uri}, start)
    clock.set(start + HOUR)
    sky.fail_next(1, 500, only=GET_POSTS)
    poller = MetricsPoller(ctx.metrics, clock=clock)
    assert poller.tick() == {cid: 0}
    assert ctx.metrics.latest([pid]) == {}
    waited = poller.waiting_until(cid)
    assert waited is not None
    clock.set(waited)
    assert poller.tick() == {cid: 1}
    assert ctx.metrics.latest([pid])[pid].likes == 7
