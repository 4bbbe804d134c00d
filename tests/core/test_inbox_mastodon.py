"""The inbox against the fake Mastodon server: paging, cursors, duplicates, failures, replies."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.dto import InboxFilter
from cmdesk.errors import UserError
from cmdesk.models import Channel, Target
from cmdesk.status import InboxState
from tests.core.helpers import post, workspace
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon


@pytest.fixture
def server() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


def _channel(ctx: AppContext, server: FakeMastodon) -> tuple[int, int]:
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


def _notification_gets(server: FakeMastodon) -> list[dict[str, list[str]]]:
    return [r.query for r in server.requests if r.path == "/api/v1/notifications"]


def test_first_poll_reads_recent_then_pages_forward_with_the_cursor(
    ctx: AppContext, server: FakeMastodon
) -> None:
    wid, cid = _channel(ctx, server)
    for i in range(3):
        server.mention("bob", f"early {i} @alice")
    assert ctx.inbox.sync() == {cid: 3}
    for i in range(170):  # more than two pages of 80
        server.mention("carol", f"later {i} @alice")
    assert ctx.inbox.sync(cid) == {cid: 170}
    assert ctx.inbox.sync(cid) == {cid: 0}  # nothing new: nothing twice
    items = ctx.inbox.list_items(wid, limit=500)
    assert len(items) == 173 and len({i.remote_id for i in items}) == 173
    gets = _notification_gets(server)
    assert "min_id" not in gets[0] and gets[0]["types[]"] == ["mention", "quote"]
    assert all("min_id" in q for q in gets[1:])
    assert len(gets) == 1 + 3 + 1  # first poll; 80 + 80 + 10; one empty page
    with ctx.db.session(write=False) as s:
        channel = s.get(Channel, cid)
        assert channel is not None and channel.inbox_cursor
        assert server.notifications[-1]["id"] in channel.inbox_cursor


def test_kinds_authors_links_to_our_post_and_dms(ctx: AppContext, server: FakeMastodon) -> None:
    wid, cid = _channel(ctx, server)
    ours = server.mention("alice", "Our launch post")  # a status of ours (alice is the account)
    pid = post(ctx, wid, channels=(cid,))
    with ctx.db.session() as s:
        target = s.query(Target).filter_by(post_id=pid).one()
        target.remote_id = ours["status"]["id"]
    server._notifications.clear()
    server.mention("bob", "@alice love it", reply_to=ours["status"]["id"], display_name="Bob B")
    server.mention("dora", "@alice a secret", visibility="direct")
    server.mention("ed", "look at this", kind="quote", quote_of=ours["status"]["id"])
    server.mention("fay", "hey @alice")
    ctx.inbox.sync(cid)
    items = {i.author_handle: i for i in ctx.inbox.list_items(wid)}
    host = server.host
    bob = items[f"@bob@{host}"]
    assert (bob.kind, bob.author_name, bob.post_id, bob.post_title) == (
        "reply",
        "Bob B",
        pid,
        "Launch teaser",
    )
    assert items[f"@dora@{host}"].kind == "dm"
    assert items[f"@ed@{host}"].kind == "quote" and items[f"@ed@{host}"].post_id == pid
    assert items[f"@fay@{host}"].kind == "mention" and items[f"@fay@{host}"].post_id is None
    assert len(items) == 4  # the DM came as a mention and as a conversation: kept once
    assert bob.text == "@alice love it" and bob.remote_url.startswith("http")


def test_hostile_html_is_rendered_harmless(ctx: AppContext, server: FakeMastodon) -> None:
    wid, cid = _channel(ctx, server)
    hostile = (
        '<p>Hi<script>alert("x")</script><img src="https://tracker.example/p.gif" '
        'onerror="steal()"><a href="javascript:alert(1)" onclick="x()">win</a> '
        '<a href="https://ok.example/" style="color:red" onmouseover="x()">ok</a>'
        "<iframe src='https://evil.example'></iframe><style>body{}</style></p>"
    )
    server.mention("mallory", "", html=hostile, display_name="M\x07al\u202elory" + "x" * 400)
    ctx.inbox.sync(cid)
    (item,) = ctx.inbox.list_items(wid)
    html = item.safe_html.lower()
    for bad in (
        "<script",
        "alert(",
        "<img",
        "tracker",
        "onerror",
        "onclick",
        "javascript:",
        "style",
        "<iframe",
        "onmouseover",
    ):
        assert bad not in html, bad
    assert 'href="https://ok.example/"' in html and 'rel="nofollow noopener"' in html
    assert item.text == "Hiwin ok"
    assert len(item.author_name) == 255 and item.author_name.endswith("…")
    assert "\x07" not in item.author_name and "\u202e" not in item.author_name


def test_bad_items_are_skipped_and_logged_once(
    ctx: AppContext, server: FakeMastodon, caplog: pytest.LogCaptureFixture
) -> None:
    wid, cid = _channel(ctx, server)
    server.mention("bob", "before @alice")
    server.raw_notification({"type": "mention", "status": None})  # a deleted post
    server.raw_notification({"type": "mention", "status": {"id": "9"}})  # no author
    server.raw_notification({"type": "admin.report", "status": None})
    server.raw_notification("not an object")
    server.ignore_types_filter = True
    server.mention("carol", "after @alice")
    with caplog.at_level(logging.WARNING):
        assert ctx.inbox.sync(cid) == {cid: 2}
    skipped = [r for r in caplog.records if "skipped" in r.getMessage()]
    assert len(skipped) == 1 and "4 inbox items skipped" in skipped[0].getMessage()
    assert len(ctx.inbox.list_items(wid)) == 2


@pytest.mark.parametrize("fault", [429, 503, "malformed", "drop"])
def test_failures_while_polling_lose_nothing(
    ctx: AppContext, server: FakeMastodon, fault: int | str
) -> None:
    wid, cid = _channel(ctx, server)
    server.mention("bob", "one @alice")
    ctx.inbox.sync(cid)
    for i in range(100):
        server.mention("carol", f"more {i}")
    # The second page of the backlog fails: the first page is kept with its cursor.
    server.fail_next(2, fault, method="GET", path="/api/v1/notifications", after_create=False)
    with pytest.raises(UserError):
        ctx.inbox.sync(cid)
    kept = len(ctx.inbox.list_items(wid, limit=500))
    assert kept == 1  # the failing request was the first of this poll
    with pytest.raises(UserError):
        ctx.inbox.sync(cid)
    assert ctx.inbox.sync(cid) == {cid: 100}
    assert len(ctx.inbox.list_items(wid, limit=500)) == 101


def test_rate_limit_is_a_rate_limited_error_with_its_time(
    ctx: AppContext, server: FakeMastodon
) -> None:
    from cmdesk.adapters.base import RateLimited

    _wid, cid = _channel(ctx, server)
    server.fail_next(1, 429, method="GET", path="/api/v1/notifications", retry_in=120)
    with pytest.raises(RateLimited) as caught:
        ctx.inbox.poll_channel(cid)
    # The adapter reads the server's reset header against the real clock (not the test's).
    wait = (caught.value.retry_at - datetime.now(UTC)).total_seconds()
    assert 60 < wait <= 180


def test_conversation_shows_the_thread_and_our_post(ctx: AppContext, server: FakeMastodon) -> None:
    wid, cid = _channel(ctx, server)
    root = server.mention("alice", "Our post")
    first = server.mention("bob", "@alice nice", reply_to=root["status"]["id"])
    server.mention("carol", "@bob agreed", reply_to=first["status"]["id"])
    ctx.inbox.sync(cid)
    item = next(i for i in ctx.inbox.list_items(wid) if i.author_handle.startswith("@bob"))
    conv = ctx.inbox.conversation(item.id)
    assert [e.text for e in conv.entries] == ["Our post", "@alice nice", "@bob agreed"]
    assert [e.is_ours for e in conv.entries] == [True, False, False]
    server.delete_status(item.remote_id)
    with pytest.raises(UserError, match="no longer exists"):
        ctx.inbox.conversation(item.id)


def test_reply_goes_out_once_even_after_a_dropped_connection(
    ctx: AppContext, server: FakeMastodon
) -> None:
    wid, cid = _channel(ctx, server)
    server.mention("bob", "@alice question?")
    ctx.inbox.sync(cid)
    (item,) = ctx.inbox.list_items(wid)
    # The reply is created but its answer is lost, and the look at the account that would settle
    # it fails too: the person is told to send again.
    server.fail_next(1, "drop", method="POST", path="/api/v1/statuses", after_create=True)
    server.fail_next(1, 503, method="GET", path="/api/v1/accounts")
    with pytest.raises(UserError, match="send it again"):
        ctx.inbox.reply(item.id, "Thanks!")
    assert ctx.inbox.get_item(item.id).state is InboxState.NEW
    changes = ctx.inbox.reply(item.id, "Thanks!")
    assert changes.ids("inbox_item", "updated") == {item.id}
    replies = [s for s in server.statuses if s["in_reply_to_id"] == item.remote_id]
    assert len(replies) == 1
    # Mastodon notifies only whom a post mentions: the author's handle leads the reply.
    assert server.source(replies[0]["id"])[0] == f"@bob@{server.host} Thanks!"
    keys = {
        r.headers.get("idempotency-key")
        for r in server.requests
        if r.method == "POST" and r.path == "/api/v1/statuses"
    }
    assert len(keys) == 1
    assert ctx.inbox.get_item(item.id).state is InboxState.REPLIED
    ctx.inbox.reply(item.id, "Thanks!")  # again: already out, nothing sent
    assert len([s for s in server.statuses if s["in_reply_to_id"] == item.remote_id]) == 1
    done = ctx.inbox.list_items(wid, InboxFilter(states=frozenset({InboxState.REPLIED})))
    assert [i.id for i in done] == [item.id]


def test_reply_refusals(ctx: AppContext, server: FakeMastodon) -> None:
    wid, cid = _channel(ctx, server)
    server.mention("bob", "@alice q")
    ctx.inbox.sync(cid)
    (item,) = ctx.inbox.list_items(wid)
    with pytest.raises(UserError, match="Write a reply"):
        ctx.inbox.reply(item.id, "   ")
    with pytest.raises(UserError):
        ctx.inbox.reply(item.id, "x" * 600)
    assert server.statuses[-1]["id"] == item.remote_id  # nothing posted
