"""The inbox against the fake Bluesky: reasons, cursors, duplicates, failures, threads, replies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cmdesk.adapters.bluesky import PLC_URL_ENV
from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError
from cmdesk.models import Target
from cmdesk.status import InboxState
from tests.core.helpers import post, workspace
from tests.fakes.bluesky_server import FakeBluesky

LIST = "app.bsky.notification.listNotifications"


@pytest.fixture
def sky(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        monkeypatch.setenv(PLC_URL_ENV, fake.plc_url)
        yield fake


def _channel(ctx: AppContext, sky: FakeBluesky) -> tuple[int, int]:
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


def _our_post(ctx: AppContext, sky: FakeBluesky, wid: int, cid: int) -> tuple[int, str]:
    rkey = "3kabcdefghij2"
    sky.put_post(
        rkey,
        {
            "$type": "app.bsky.feed.post",
            "text": "Our post",
            "createdAt": "2026-03-20T08:00:00.000Z",
        },
    )
    pid = post(ctx, wid, channels=(cid,))
    uri = sky.our_uri(rkey)
    with ctx.db.session() as s:
        s.query(Target).filter_by(post_id=pid).one().remote_id = uri
    return pid, uri


def test_reasons_kinds_links_and_unknown_reasons(ctx: AppContext, sky: FakeBluesky) -> None:
    wid, cid = _channel(ctx, sky)
    pid, uri = _our_post(ctx, sky, wid, cid)
    reply = sky.notify("bob.test", "Great news", parent=uri, display_name="Bob")
    sky.notify("carol.test", "So true", reason="quote", quote=uri)
    sky.notify("dan.test", "hey @alice.test", reason="mention")
    sky.raw_notification({**reply, "reason": "like", "uri": "at://x/y/z"})
    sky.raw_notification({"reason": "reply", "indexedAt": "2026-03-20T09:10:00.000Z"})  # no uri
    sky.raw_notification([1, 2])
    assert ctx.inbox.sync(cid) == {cid: 3}
    items = {i.author_handle: i for i in ctx.inbox.list_items(wid)}
    bob = items["@bob.test"]
    assert (bob.kind, bob.author_name, bob.text) == ("reply", "Bob", "Great news")
    assert bob.safe_html == "<p>Great news</p>"
    assert bob.post_id == pid and bob.remote_url.startswith("https://bsky.app/profile/bob.test/")
    assert items["@carol.test"].kind == "quote" and items["@carol.test"].post_id == pid
    assert items["@dan.test"].kind == "mention" and items["@dan.test"].post_id is None


def test_paging_back_to_known_items_without_duplicates(ctx: AppContext, sky: FakeBluesky) -> None:
    wid, cid = _channel(ctx, sky)
    _pid, uri = _our_post(ctx, sky, wid, cid)
    for i in range(3):
        sky.notify(f"fan{i}.test", f"first {i}", parent=uri)
    assert ctx.inbox.sync(cid) == {cid: 3}
    for i in range(230):
        sky.notify(f"fan{i}.test", f"later {i}", parent=uri)
    assert ctx.inbox.sync(cid) == {cid: 230}
    assert ctx.inbox.sync(cid) == {cid: 0}
    assert len(ctx.inbox.list_items(wid, limit=1000)) == 233
    # 1 first poll; then pages of 100, 100, 100 (which reaches known items); then one page.
    assert sky.calls(LIST) == 1 + 3 + 1


@pytest.mark.parametrize("fault", [429, 500, 503, "malformed", "drop_before"])
def test_failures_while_polling_lose_nothing(
    ctx: AppContext, sky: FakeBluesky, fault: int | str
) -> None:
    wid, cid = _channel(ctx, sky)
    _pid, uri = _our_post(ctx, sky, wid, cid)
    sky.notify("a.test", "one", parent=uri)
    ctx.inbox.sync(cid)
    for i in range(150):
        sky.notify(f"f{i}.test", f"more {i}", parent=uri)
    sky.fail_next(1, fault, only=LIST)
    with pytest.raises(UserError):
        ctx.inbox.sync(cid)
    assert ctx.inbox.sync(cid) == {cid: 150}
    assert len(ctx.inbox.list_items(wid, limit=500)) == 151


def test_conversation_and_reply_exactly_once(ctx: AppContext, sky: FakeBluesky) -> None:
    wid, cid = _channel(ctx, sky)
    _pid, uri = _our_post(ctx, sky, wid, cid)
    first = sky.notify("bob.test", "Nice", parent=uri)
    sky.notify("carol.test", "Agreed", parent=first["uri"])
    ctx.inbox.sync(cid)
    bob = next(i for i in ctx.inbox.list_items(wid) if i.author_handle == "@bob.test")
    conv = ctx.inbox.conversation(bob.id)
    assert [e.text for e in conv.entries] == ["Our post", "Nice", "Agreed"]
    assert [e.is_ours for e in conv.entries] == [True, False, False]
    assert conv.our_post is not None and conv.our_post.title == "Launch teaser"
    # The write happens but its answer is lost: a second try writes the same record key again.
    sky.fail_next(1, "drop_after", only="com.atproto.repo.putRecord")
    try:
        ctx.inbox.reply(bob.id, "Thank you!")
    except UserError:
        ctx.inbox.reply(bob.id, "Thank you!")
    ours = [r for r in sky.posts.values() if r.get("text") == "Thank you!"]
    assert len(ours) == 1
    assert ours[0]["reply"]["parent"]["uri"] == bob.remote_id
    assert ours[0]["reply"]["root"]["uri"] == uri
    assert ctx.inbox.get_item(bob.id).state is InboxState.REPLIED


def test_facets_become_links_and_hostile_ones_are_dropped(
    ctx: AppContext, sky: FakeBluesky
) -> None:
    wid, cid = _channel(ctx, sky)
    _pid, uri = _our_post(ctx, sky, wid, cid)
    text = "Café ☕ see example.org & @alice.test <b>#bread</b>\nbye javascript"
    raw = text.encode()

    def span(part: str) -> dict[str, int]:
        start = raw.index(part.encode())
        return {"byteStart": start, "byteEnd": start + len(part.encode())}

    def facet(part: str, kind: str, **value: str) -> dict[str, object]:
        feature = {"$type": f"app.bsky.richtext.facet#{kind}", **value}
        return {"index": span(part), "features": [feature]}

    note = sky.notify("bob.test", text, parent=uri)
    note["record"]["facets"] = [
        facet("example.org", "link", uri="https://example.org/"),
        facet("@alice.test", "mention", did="did:plc:alice"),
        facet("#bread", "tag", tag="bread"),
        facet("javascript", "link", uri="javascript:alert(1)"),
        {  # a range that cuts "é" in half is not a facet
            "index": {"byteStart": 3, "byteEnd": 4},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://evil.example/"}],
        },
    ]
    ctx.inbox.sync(cid)
    (item,) = ctx.inbox.list_items(wid)
    assert item.text == text
    assert item.safe_html == (
        '<p>Café ☕ see <a href="https://example.org/" rel="nofollow noopener">example.org</a>'
        ' &amp; <a href="https://bsky.app/profile/did:plc:alice" rel="nofollow noopener">'
        "@alice.test</a> &lt;b&gt;"
        '<a href="https://bsky.app/hashtag/bread" rel="nofollow noopener">#bread</a>&lt;/b&gt;'
        '<br>bye <a rel="nofollow noopener">javascript</a></p>'
    )
