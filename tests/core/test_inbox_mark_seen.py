"""Marking fetched notifications seen on the server (the ``inbox_mark_seen_on_server`` setting).

Against the fake servers: Bluesky's ``updateSeen`` gets the newest *ingested* notification's
``indexedAt`` (never "now"), Mastodon's read marker the newest kept notification id; the marker
never moves back; an old server without markers is skipped and asked once; a failing marker call
neither fails the poll nor loses items; with the setting off nothing is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from cmdesk.adapters.bluesky import PLC_URL_ENV
from cmdesk.bootstrap import AppContext
from tests.core.helpers import workspace
from tests.fakes.bluesky_server import FakeBluesky
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon

SEEN = "app.bsky.notification.updateSeen"
MARKERS = "/api/v1/markers"


@pytest.fixture
def sky(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        monkeypatch.setenv(PLC_URL_ENV, fake.plc_url)
        yield fake


@pytest.fixture
def masto() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


def _sky_channel(ctx: AppContext, sky: FakeBluesky, wid: int | None = None) -> int:
    cid = ctx.channels.add(
        wid or workspace(ctx),
        "bluesky",
        "Sky",
        handle=sky.handle,
        base_url=sky.entryway_url,
        credentials={"identifier": sky.handle, "app_password": sky.password},
    ).subject
    assert cid is not None
    return cid


def _masto_channel(ctx: AppContext, masto: FakeMastodon, wid: int | None = None) -> int:
    cid = ctx.channels.add(
        wid or workspace(ctx),
        "mastodon",
        "Masto",
        handle=f"@alice@{masto.host}",
        base_url=masto.url,
        credentials={"access_token": DEFAULT_TOKEN},
    ).subject
    assert cid is not None
    return cid


def _marker_calls(masto: FakeMastodon, method: str) -> int:
    return sum(1 for r in masto.requests if r.path == MARKERS and r.method == method)


def test_the_setting_is_off_by_default_and_then_nothing_is_marked(
    ctx: AppContext, sky: FakeBluesky, masto: FakeMastodon
) -> None:
    assert ctx.settings.get("inbox_mark_seen_on_server") is False
    wid = workspace(ctx)
    sky_id, masto_id = _sky_channel(ctx, sky, wid), _masto_channel(ctx, masto, wid)
    sky.notify("bob.test", "hi @alice.test", reason="mention")
    masto.mention("bob", "hi @alice")
    assert ctx.inbox.sync() == {sky_id: 1, masto_id: 1}
    assert sky.calls(SEEN) == 0 and _marker_calls(masto, "POST") == 0


def test_bluesky_marks_seen_up_to_the_newest_ingested_notification(
    ctx: AppContext, sky: FakeBluesky
) -> None:
    ctx.settings.set("inbox_mark_seen_on_server", True)
    cid = _sky_channel(ctx, sky)
    sky.notify("bob.test", "first", reason="mention")
    newest = sky.notify("carol.test", "second", reason="mention")
    # A like is not an inbox item: its later indexedAt must not become the seen position.
    later_like = newest["indexedAt"].replace(".000Z", ".500Z")
    sky.raw_notification(
        {**newest, "reason": "like", "uri": "at://x/app.bsky.feed.like/1", "indexedAt": later_like}
    )
    assert ctx.inbox.sync(cid) == {cid: 2}
    assert sky.seen_calls == [newest["indexedAt"]]
    # Nothing new: no call. A new item: one call with its own indexedAt.
    assert ctx.inbox.sync(cid) == {cid: 0}
    assert sky.calls(SEEN) == 1
    later = sky.notify("erin.test", "third", reason="mention")
    assert ctx.inbox.sync(cid) == {cid: 1}
    assert sky.seen_calls == [newest["indexedAt"], later["indexedAt"]]
    listed = sky._list_notifications({})
    assert listed["seenAt"] == later["indexedAt"] and all(
        n["isRead"] for n in listed["notifications"]
    )


def test_bluesky_seen_never_moves_back_and_its_failure_loses_nothing(
    ctx: AppContext, sky: FakeBluesky, caplog: pytest.LogCaptureFixture
) -> None:
    ctx.settings.set("inbox_mark_seen_on_server", True)
    cid = _sky_channel(ctx, sky)
    old = sky.notify("bob.test", "first", reason="mention")
    sky.seen_at = "2030-01-01T00:00:00.000Z"  # the person read further in Bluesky's app
    assert ctx.inbox.sync(cid) == {cid: 1}
    assert sky.calls(SEEN) == 0 and old["indexedAt"] < sky.seen_at
    sky.seen_at = ""
    sky.notify("carol.test", "second", reason="mention")
    sky.fail_next(1, 503, only=SEEN)
    with caplog.at_level(logging.WARNING, logger="cmdesk.services.inbox"):
        assert ctx.inbox.sync(cid) == {cid: 1}  # the poll succeeds and keeps the item
    assert "not marked seen" in caplog.text
    assert len(ctx.inbox.list_items(ctx.workspaces.list()[0].id)) == 2


def test_mastodon_moves_the_read_marker_forward_only(ctx: AppContext, masto: FakeMastodon) -> None:
    ctx.settings.set("inbox_mark_seen_on_server", True)
    cid = _masto_channel(ctx, masto)
    masto.mention("bob", "one @alice")
    second = masto.mention("carol", "two @alice")
    assert ctx.inbox.sync(cid) == {cid: 2}
    assert masto.marker_posts == [str(second["id"])]
    assert ctx.inbox.sync(cid) == {cid: 0}
    assert _marker_calls(masto, "POST") == 1  # nothing new: not asked
    third = masto.mention("dan", "three @alice")
    masto.last_read_id = str(int(third["id"]) + 100)  # read further in another app
    assert ctx.inbox.sync(cid) == {cid: 1}
    assert masto.marker_posts == [str(second["id"])]  # not moved back
    assert _marker_calls(masto, "GET") == 2


def test_mastodon_without_markers_is_skipped_once_and_failures_lose_nothing(
    ctx: AppContext, masto: FakeMastodon, caplog: pytest.LogCaptureFixture
) -> None:
    ctx.settings.set("inbox_mark_seen_on_server", True)
    cid = _masto_channel(ctx, masto)
    masto.fail_next(1, 503, method="POST", path=MARKERS)
    masto.mention("bob", "one @alice")
    with caplog.at_level(logging.WARNING, logger="cmdesk.services.inbox"):
        assert ctx.inbox.sync(cid) == {cid: 1}
    assert "not marked seen" in caplog.text and masto.marker_posts == []
    masto.markers_supported = False  # an old server
    masto.mention("carol", "two @alice")
    assert ctx.inbox.sync(cid) == {cid: 1}
    masto.mention("dan", "three @alice")
    assert ctx.inbox.sync(cid) == {cid: 1}
    assert _marker_calls(masto, "GET") == 2  # the 404 was the last time it was asked
    assert len(ctx.inbox.list_items(ctx.workspaces.list()[0].id)) == 3
