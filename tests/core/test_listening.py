"""Listening against the fake servers: hashtag paging, search not available, Bluesky search, 429."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmdesk.adapters.base import RateLimited
from cmdesk.adapters.bluesky import PLC_URL_ENV
from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError, ValidationError
from cmdesk.listening.dto import SearchKind
from tests.core.helpers import workspace
from tests.fakes.bluesky_listening import SEARCH, FakeListeningBluesky
from tests.fakes.mastodon_listening import FakeListeningMastodon
from tests.fakes.mastodon_server import DEFAULT_TOKEN

TAG_PATH = "/api/v1/timelines/tag/"


@pytest.fixture
def masto() -> Iterator[FakeListeningMastodon]:
    with FakeListeningMastodon() as fake:
        yield fake


@pytest.fixture
def sky(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeListeningBluesky]:
    with FakeListeningBluesky() as fake:
        monkeypatch.setenv(PLC_URL_ENV, fake.plc_url)
        yield fake


def _masto_channel(ctx: AppContext, server: FakeListeningMastodon) -> tuple[int, int]:
    wid = workspace(ctx)
    cid = ctx.channels.add(
        wid,
        "mastodon",
        "Masto",
        handle=f"@alice@{server.host}",
        base_url=server.url,
        credentials={"access_token": DEFAULT_TOKEN},
    ).subject
    assert cid is not None
    return wid, cid


def _sky_channel(ctx: AppContext, sky: FakeListeningBluesky) -> tuple[int, int]:
    wid = workspace(ctx)
    cid = ctx.channels.add(
        wid,
        "bluesky",
        "Sky",
        handle=sky.handle,
        base_url=sky.entryway_url,
        credentials={"identifier": sky.handle, "app_password": sky.password},
    ).subject
    assert cid is not None
    return wid, cid


def _tag_gets(server: FakeListeningMastodon) -> list[dict[str, list[str]]]:
    return [r.query for r in server.requests if r.path.startswith(TAG_PATH)]


def test_hashtag_first_sync_reads_recent_then_pages_forward_without_duplicates(
    ctx: AppContext, masto: FakeListeningMastodon
) -> None:
    wid, cid = _masto_channel(ctx, masto)
    sid = ctx.listening.add(wid, cid, SearchKind.HASHTAG, "#Roscon")
    for i in range(45):
        masto.post_public("bob", f"old {i}", tags=("roscon",))
    masto.post_public("bob", "other", tags=("pan",))
    assert ctx.listening.sync() == {sid: 40}  # the first sync shows only the newest page
    for i in range(95):  # more than two pages of 40
        masto.post_public("carol", f"new {i}", tags=("roscon",))
    assert ctx.listening.sync(sid) == {sid: 95}
    assert ctx.listening.sync(sid) == {sid: 0}
    found = ctx.listening.list_results(wid, sid, limit=500)
    assert len(found) == 135 and len({p.remote_id for p in found}) == 135
    assert found[0].text.startswith("new 94") and found[0].search_label == "#Roscon"
    gets = _tag_gets(masto)
    assert "min_id" not in gets[0] and all("min_id" in q for q in gets[1:])
    assert len(gets) == 1 + 3 + 1
    (search,) = ctx.listening.list_searches(wid)
    assert search.result_count == 135 and search.note == "" and search.synced_at is not None
    # Listened posts are not inbox items: the inbox stays empty and nothing is unread.
    assert ctx.inbox.list_items(wid) == [] and ctx.inbox.count_unread(wid) == 0


def test_hashtag_results_are_sanitised(ctx: AppContext, masto: FakeListeningMastodon) -> None:
    wid, cid = _masto_channel(ctx, masto)
    sid = ctx.listening.add(wid, cid, "hashtag", "cafe")
    status = masto.post_public("mallory", "x", tags=("cafe",))
    status["content"] = '<p onclick="x()">Hi<script>alert(1)</script><img src="http://e/x.png"></p>'
    ctx.listening.sync(sid)
    (post,) = ctx.listening.list_results(wid)
    assert "script" not in post.safe_html and "onclick" not in post.safe_html
    assert "<img" not in post.safe_html and post.text.startswith("Hi")
    assert post.author_handle == f"@mallory@{masto.host}"


def test_query_where_the_server_has_full_text_search(
    ctx: AppContext, masto: FakeListeningMastodon
) -> None:
    wid, cid = _masto_channel(ctx, masto)
    masto.post_public("bob", "Our cold brew is back")
    masto.post_public("bob", "Hot coffee only")
    sid = ctx.listening.add(wid, cid, SearchKind.QUERY, "  cold   brew ")
    assert ctx.listening.sync(sid) == {sid: 1}
    (post,) = ctx.listening.list_results(wid, sid)
    assert "cold brew" in post.text
    search = ctx.listening.get_search(sid)
    assert search.text == "cold brew" and search.note == ""
    query = next(r.query for r in masto.requests if r.path == "/api/v2/search")
    assert query["type"] == ["statuses"] and query["q"] == ["cold brew"]


def test_query_where_search_is_not_available_says_so(
    ctx: AppContext, masto: FakeListeningMastodon
) -> None:
    wid, cid = _masto_channel(ctx, masto)
    masto.full_text_search = False
    masto.post_public("bob", "Our cold brew is back")
    sid = ctx.listening.add(wid, cid, SearchKind.QUERY, "cold brew")
    assert ctx.listening.sync(sid) == {sid: 0}
    note = ctx.listening.get_search(sid).note
    assert "may not be available" in note and masto.host in note and "hashtag" in note
    masto.search_refused = True
    other = ctx.listening.add(wid, cid, SearchKind.QUERY, "brew")
    assert ctx.listening.sync(other) == {other: 0}
    assert "not enabled" in ctx.listening.get_search(other).note


def test_a_rate_limit_keeps_what_was_stored_and_the_next_sync_goes_on(
    ctx: AppContext, masto: FakeListeningMastodon
) -> None:
    wid, cid = _masto_channel(ctx, masto)
    sid = ctx.listening.add(wid, cid, SearchKind.HASHTAG, "roscon")
    masto.post_public("bob", "first", tags=("roscon",))
    ctx.listening.sync(sid)
    for i in range(60):
        masto.post_public("carol", f"n{i}", tags=("roscon",))
    masto.fail_next(1, 429, method="GET", path=TAG_PATH)
    with pytest.raises(RateLimited):
        ctx.listening.sync_search(sid)
    with pytest.raises(UserError):  # the command line's path: a message, not a traceback
        masto.fail_next(1, 429, method="GET", path=TAG_PATH)
        ctx.listening.sync(sid)
    assert ctx.listening.sync(sid) == {sid: 60}
    assert len(ctx.listening.list_results(wid, limit=500)) == 61


def test_bad_searches_are_refused_with_a_reason(
    ctx: AppContext, masto: FakeListeningMastodon
) -> None:
    wid, cid = _masto_channel(ctx, masto)
    with pytest.raises(ValidationError, match="one word"):
        ctx.listening.add(wid, cid, SearchKind.HASHTAG, "two words")
    with pytest.raises(ValidationError, match="Type what"):
        ctx.listening.add(wid, cid, SearchKind.QUERY, "   ")
    with pytest.raises(ValidationError, match="kind of search"):
        ctx.listening.add(wid, cid, "regex", "x")
    ctx.listening.add(wid, cid, SearchKind.HASHTAG, "cafe")
    with pytest.raises(ValidationError, match="already"):
        ctx.listening.add(wid, cid, SearchKind.HASHTAG, "#cafe")
    other = workspace(ctx, "Other")
    with pytest.raises(UserError, match="not in this workspace"):
        ctx.listening.add(other, cid, SearchKind.HASHTAG, "x")


def test_removing_a_search_forgets_its_posts(ctx: AppContext, masto: FakeListeningMastodon) -> None:
    wid, cid = _masto_channel(ctx, masto)
    sid = ctx.listening.add(wid, cid, SearchKind.HASHTAG, "cafe")
    masto.post_public("bob", "hi", tags=("cafe",))
    ctx.listening.sync(sid)
    ctx.listening.remove(sid)
    assert ctx.listening.list_searches(wid) == [] and ctx.listening.list_results(wid) == []
    with pytest.raises(UserError):
        ctx.listening.remove(sid)


def test_bluesky_search_pages_with_since_and_cursor(
    ctx: AppContext, sky: FakeListeningBluesky
) -> None:
    wid, cid = _sky_channel(ctx, sky)
    for i in range(60):
        sky.post_public("bob.test", f"cold brew {i}")
    sky.post_public("bob.test", "tea")
    sid = ctx.listening.add(wid, cid, SearchKind.QUERY, "cold brew")
    assert ctx.listening.sync(sid) == {sid: 50}  # the first sync: the newest page only
    for i in range(150):
        sky.post_public("carol.test", f"Cold Brew again {i}")
    assert ctx.listening.sync(sid) == {sid: 150}
    assert ctx.listening.sync(sid) == {sid: 0}
    found = ctx.listening.list_results(wid, sid, limit=500)
    assert len(found) == 200 and found[0].text == "Cold Brew again 149"
    assert found[0].remote_url.startswith("https://bsky.app/profile/carol.test/post/")
    assert sky.calls(SEARCH) >= 4
    tag = ctx.listening.add(wid, cid, SearchKind.HASHTAG, "brew")
    sky.post_public("dan.test", "love #brew")
    assert ctx.listening.sync(tag) == {tag: 1}


def test_bluesky_bad_query_and_rate_limit(ctx: AppContext, sky: FakeListeningBluesky) -> None:
    wid, cid = _sky_channel(ctx, sky)
    sid = ctx.listening.add(wid, cid, SearchKind.QUERY, "brew")
    sky.bad_query = True
    assert ctx.listening.sync(sid) == {sid: 0}
    assert "did not accept" in ctx.listening.get_search(sid).note
    sky.bad_query = False
    sky.post_public("bob.test", "brew")
    sky.fail_next(1, 429, only=SEARCH)
    with pytest.raises(RateLimited):
        ctx.listening.sync_search(sid)
    assert ctx.listening.sync(sid) == {sid: 1}
    assert ctx.listening.get_search(sid).note == ""


def test_demo_and_unsupported_channels(ctx: AppContext) -> None:
    ctx.demo.create_demo()
    ws = ctx.workspaces.list()[0]
    demo_channel = ctx.channels.list(ws.id)[0]
    sid = ctx.listening.add(ws.id, demo_channel.id, SearchKind.HASHTAG, "cafe")
    assert ctx.listening.sync_search(sid) == 0
    assert sid not in ctx.listening.syncable_searches()
