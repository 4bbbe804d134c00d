"""The inbox service's database side: listing with filters and keyset paging, counts, states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.dto import InboxFilter
from cmdesk.errors import NotFoundError, UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import InboxItem
from cmdesk.status import InboxState
from tests.core.helpers import channel, workspace

T0 = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _add(ctx: AppContext, cid: int, n: int, *, kind: str = "mention", start: int = 0) -> None:
    with ctx.db.session() as s:
        for i in range(start, start + n):
            s.add(
                InboxItem(
                    channel_id=cid,
                    kind=kind,
                    remote_id=f"r{cid}-{i}",
                    author_handle=f"@fan{i}@example.social",
                    author_name=f"Fan {i}",
                    text=f"hello number {i}",
                    html=f"<p>hello number {i}</p>",
                    received_at=T0 + timedelta(minutes=i // 2),
                )
            )


def test_list_pages_newest_first_without_gaps_or_repeats(ctx: AppContext) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    _add(ctx, cid, 25)
    seen: list[int] = []
    before = None
    while True:
        page = ctx.inbox.list_items(wid, limit=7, before=before)
        if not page:
            break
        seen.extend(i.id for i in page)
        before = (page[-1].received_at, page[-1].id)
    assert len(seen) == len(set(seen)) == 25
    items = ctx.inbox.list_items(wid, limit=100)
    keys = [(i.received_at, i.id) for i in items]
    assert keys == sorted(keys, reverse=True)
    assert items[0].network == "mastodon" and items[0].safe_html.startswith("<p>")


def test_filters_by_channel_kind_state_and_text(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "A")
    b = channel(ctx, wid, "B", network="bluesky")
    _add(ctx, a, 3)
    _add(ctx, b, 2, kind="reply", start=10)
    assert len(ctx.inbox.list_items(wid, InboxFilter(channel_ids=frozenset({b})))) == 2
    assert len(ctx.inbox.list_items(wid, InboxFilter(kinds=frozenset({"mention"})))) == 3
    assert [i.author_name for i in ctx.inbox.list_items(wid, InboxFilter(text="NUMBER 11"))] == [
        "Fan 11"
    ]
    assert ctx.inbox.list_items(wid, InboxFilter(text="100%")) == []
    other = workspace(ctx, "Other")
    assert ctx.inbox.list_items(other) == []


def test_set_state_counts_and_change_set(ctx: AppContext, events: list[ChangeSet]) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid, "A")
    b = channel(ctx, wid, "B")
    _add(ctx, a, 3)
    _add(ctx, b, 2)
    assert ctx.inbox.count_unread(wid) == 5
    assert ctx.inbox.unread_by_channel(wid) == {a: 3, b: 2}
    ids = [i.id for i in ctx.inbox.list_items(wid, InboxFilter(channel_ids=frozenset({a})))]
    changes = ctx.inbox.set_state(ids[:2], InboxState.DONE)
    assert changes.ids("inbox_item", "updated") == set(ids[:2])
    assert events[-1] is changes
    assert ctx.inbox.unread_by_channel(wid) == {a: 1, b: 2}
    done = ctx.inbox.list_items(wid, InboxFilter(states=frozenset({InboxState.DONE})))
    assert {i.id for i in done} == set(ids[:2])
    assert ctx.inbox.get_item(ids[0]).state is InboxState.DONE
    ctx.inbox.set_state(ids[:1], InboxState.NEW)
    assert ctx.inbox.count_unread(wid) == 4


def test_refusals_are_user_errors(ctx: AppContext) -> None:
    with pytest.raises(NotFoundError):
        ctx.inbox.get_item(999)
    with pytest.raises(ValidationError):
        ctx.inbox.set_state([999], InboxState.READ)
    with pytest.raises(ValidationError):
        ctx.inbox.set_state([1], "bogus")  # type: ignore[arg-type]
    assert ctx.inbox.set_state([], InboxState.READ).empty


def test_demo_and_unsigned_channels_never_reach_a_network(ctx: AppContext) -> None:
    wid = workspace(ctx)
    demo = ctx.channels.add(
        wid,
        "mastodon",
        "Demo",
        handle="@brand@demo.invalid",
        base_url="http://127.0.0.1:9",
        is_demo=True,
    ).subject
    unsigned = channel(ctx, wid, "No sign-in")
    assert demo is not None
    _add(ctx, demo, 1)
    assert ctx.inbox.pollable_channels() == []
    assert ctx.inbox.sync() == {}
    assert ctx.inbox.sync(demo) == {demo: 0}
    (item,) = ctx.inbox.list_items(wid, InboxFilter(channel_ids=frozenset({demo})))
    conv = ctx.inbox.conversation(item.id)
    assert [e.remote_id for e in conv.entries] == [item.remote_id]
    ctx.inbox.reply(item.id, "Thanks!")  # the demo adapter: nothing is sent anywhere
    assert ctx.inbox.get_item(item.id).state is InboxState.REPLIED
    with pytest.raises(UserError, match="sign-in"):
        ctx.inbox.sync(unsigned)
