"""An inbox service in memory for the Inbox page's tests: listing, states, threads, replies, sync.

It answers like ``cmdesk.services.inbox.InboxService`` (newest first, keyset paging on
``(received_at, id)``, filters, change sets of kind ``inbox_item``) and records every call, so a
test can tell how many pages the page read and what it sent. Its network calls can be made to
wait on an event or to fail.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from datetime import datetime, timedelta

from cmdesk.dto import (
    ChannelDTO,
    Conversation,
    ConversationEntry,
    InboxFilter,
    InboxItemDTO,
    PostSummary,
)
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.status import InboxState


def make_item(
    item_id: int,
    channel_id: int,
    received_at: datetime,
    *,
    network: str = "mastodon",
    kind: str = "reply",
    state: InboxState = InboxState.NEW,
    text: str = "",
    safe_html: str | None = None,
    author: str = "",
    workspace_id: int = 1,
    post_id: int | None = None,
    post_title: str = "",
) -> InboxItemDTO:
    text = text or f"Message number {item_id}"
    return InboxItemDTO(
        id=item_id,
        workspace_id=workspace_id,
        channel_id=channel_id,
        network=network,
        kind=kind,
        remote_id=f"r{item_id}",
        remote_url=f"https://social.example/@someone/{item_id}",
        conversation_id=f"c{item_id}",
        author_handle=f"person{item_id}@social.example",
        author_name=author or f"Person {item_id}",
        text=text,
        safe_html=(f"<p>{text}</p>" if network == "mastodon" else "")
        if safe_html is None
        else safe_html,
        received_at=received_at,
        state=state,
        post_id=post_id,
        post_title=post_title,
    )


def many_items(
    n: int, channel_ids: Sequence[int], newest: datetime, *, workspace_id: int = 1
) -> list[InboxItemDTO]:
    """``n`` items, one a minute back from ``newest``, some sharing a time (paging ties)."""
    kinds = ("mention", "reply", "quote", "dm")
    states = (InboxState.NEW, InboxState.READ, InboxState.REPLIED, InboxState.DONE)
    return [
        make_item(
            i + 1,
            channel_ids[i % len(channel_ids)],
            newest - timedelta(minutes=i // 2),  # pairs share a time: the id breaks the tie
            kind=kinds[i % 4],
            state=states[(i // 3) % 4],
            workspace_id=workspace_id,
        )
        for i in range(n)
    ]


class FakeInbox:
    """In-memory ``ctx.inbox`` (see the module docstring)."""

    def __init__(self, items: Sequence[InboxItemDTO], hub: EventHub | None = None) -> None:
        self.items = {i.id: i for i in items}
        self.hub = hub
        self.list_calls: list[tuple[InboxFilter, int, tuple[datetime, int] | None]] = []
        self.state_calls: list[tuple[list[int], InboxState]] = []
        self.replies: list[tuple[int, str]] = []
        self.sync_calls: list[int | None] = []
        self.conversation_calls: list[int] = []
        self.conversations: dict[int, Conversation] = {}
        self.gate: threading.Event | None = None  # network calls wait on it when set
        self.list_gate: threading.Event | None = None  # further pages wait on it when set
        self.fail_next: list[BaseException] = []  # raised by the next network calls
        self.sync_result: dict[int, int] = {}
        self.channels: dict[str, ChannelDTO] = {}  # the test's channels by network

    # --- database calls ---

    def list_items(
        self,
        workspace_id: int,
        f: InboxFilter = InboxFilter(),  # noqa: B008 - frozen
        *,
        limit: int = 200,
        before: tuple[datetime, int] | None = None,
    ) -> list[InboxItemDTO]:
        self.list_calls.append((f, limit, before))
        if before is not None and self.list_gate is not None and not self.list_gate.wait(10):
            raise TimeoutError("the test never opened the list gate")
        found = [i for i in self.items.values() if _matches(i, workspace_id, f)]
        found.sort(key=lambda i: (i.received_at, i.id), reverse=True)
        if before is not None:
            found = [i for i in found if (i.received_at, i.id) < before]
        return found[:limit]

    def count_unread(self, workspace_id: int) -> int:
        return sum(self.unread_by_channel(workspace_id).values())

    def unread_by_channel(self, workspace_id: int) -> dict[int, int]:
        out: dict[int, int] = {}
        for i in self.items.values():
            if i.workspace_id == workspace_id and i.state == InboxState.NEW:
                out[i.channel_id] = out.get(i.channel_id, 0) + 1
        return out

    def get_item(self, item_id: int) -> InboxItemDTO:
        return self.items[item_id]

    def set_state(self, item_ids: Sequence[int], state: InboxState) -> ChangeSet:
        self.state_calls.append((list(item_ids), state))
        for i in item_ids:
            self.items[i] = dataclasses.replace(self.items[i], state=state)
        changes = ChangeSet.of(updated=[("inbox_item", i) for i in item_ids])
        if self.hub is not None:
            self.hub.emit(changes)
        return changes

    # --- network calls (run on the task runner's threads) ---

    def _network(self) -> None:
        if self.gate is not None and not self.gate.wait(10):
            raise TimeoutError("the test never opened the gate")
        if self.fail_next:
            raise self.fail_next.pop(0)

    def conversation(self, item_id: int) -> Conversation:
        self.conversation_calls.append(item_id)
        self._network()
        if item_id in self.conversations:
            return self.conversations[item_id]
        item = self.items[item_id]
        ours = ConversationEntry(
            "ours", "brand@social.example", "Our brand", "Our post", "", None, True
        )
        it = ConversationEntry(
            item.remote_id,
            item.author_handle,
            item.author_name,
            item.text,
            item.safe_html,
            item.received_at,
            False,
        )
        return Conversation(item, None, (ours, it))

    def reply(self, item_id: int, text: str) -> ChangeSet:
        self._network()
        if not text.strip():
            raise UserError("Write something first.")
        self.replies.append((item_id, text))
        self.items[item_id] = dataclasses.replace(self.items[item_id], state=InboxState.REPLIED)
        return ChangeSet.of(updated=[("inbox_item", item_id)])

    def sync(self, channel_id: int | None = None) -> dict[int, int]:
        self.sync_calls.append(channel_id)
        self._network()
        return dict(self.sync_result)


def our_post(post_id: int, title: str) -> PostSummary:
    from cmdesk.status import PostStatus

    return PostSummary(
        id=post_id,
        workspace_id=1,
        title=title,
        snippet="The start of our post",
        status=PostStatus.PUBLISHED,
        scheduled_at=None,
        campaign_id=None,
        channel_ids=(),
        revision=1,
    )


def _matches(item: InboxItemDTO, workspace_id: int, f: InboxFilter) -> bool:
    if item.workspace_id != workspace_id:
        return False
    if f.channel_ids and item.channel_id not in f.channel_ids:
        return False
    if f.kinds and item.kind not in f.kinds:
        return False
    if f.states and item.state not in f.states:
        return False
    needle = f.text.strip().lower()
    return not needle or any(
        needle in v.lower() for v in (item.text, item.author_name, item.author_handle)
    )
