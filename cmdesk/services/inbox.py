"""The inbox service: list, count and mark items; fetch threads, reply and poll through adapters.

Database reads and writes are one short transaction each. The network calls (``conversation``,
``reply``, ``sync``) never hold a transaction open while they wait: they read what they need,
call the adapter, then store the result in a second transaction. A reply stores its idempotency
token before the call and reuses it on a retry, so a reply goes out once.

With the ``inbox_mark_seen_on_server`` setting, a poll that stored new items then moves the
network's own "seen" position to the newest of them (:mod:`cmdesk.adapters.seen`); a failure
there is logged and changes nothing else.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update

from cmdesk.adapters.base import AdapterError, ChannelRef, InboxReader, NoticeBatch, ThreadPost
from cmdesk.adapters.seen import SeenMarker
from cmdesk.dto import Conversation, ConversationEntry, InboxFilter, InboxItemDTO, PostFilter
from cmdesk.errors import NotFoundError, UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.inbox import ingest, queries
from cmdesk.inbox.replies import Replies
from cmdesk.models import AppSetting, Channel, InboxItem, Target
from cmdesk.repositories import post_summaries
from cmdesk.services.base import NetworkService
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.publishing import StoredCredentials
from cmdesk.settings import get_setting
from cmdesk.status import InboxState
from cmdesk.text.html import clean_name, clean_text, safe_html_to_text, sanitize_html

log = logging.getLogger(__name__)

KIND = "inbox_item"
#: A backlog is read at most this many pages a poll; the cursor keeps the place for the next one.
MAX_PAGES_PER_POLL = 50
CURSOR_CHARS = 255  # Channel.inbox_cursor
MARK_SEEN_SETTING = "inbox_mark_seen_on_server"
_ANY = InboxFilter()


class InboxService(NetworkService):
    """Replies, mentions, quotes and direct messages from every channel of a workspace."""

    def list_items(
        self,
        workspace_id: int,
        f: InboxFilter = _ANY,
        *,
        limit: int = 200,
        before: tuple[datetime, int] | None = None,
    ) -> list[InboxItemDTO]:
        """Newest first; pass the last item's ``(received_at, id)`` as ``before`` for the next page."""
        with self._read() as s:
            return queries.list_items(s, workspace_id, f, limit=limit, before=before)

    def count_unread(self, workspace_id: int) -> int:
        return sum(self.unread_by_channel(workspace_id).values())

    def unread_by_channel(self, workspace_id: int) -> dict[int, int]:
        with self._read() as s:
            return queries.unread_by_channel(s, workspace_id)

    def get_item(self, item_id: int) -> InboxItemDTO:
        with self._read() as s:
            return queries.get_item(s, item_id)

    def set_state(self, item_ids: Sequence[int], state: InboxState) -> ChangeSet:
        """Mark items new, read, replied or done, all in one transaction."""
        try:
            state = InboxState(state)
        except ValueError:
            raise ValidationError(f"{state!r} is not an inbox state.") from None
        ids = sorted(set(item_ids))
        if not ids:
            return ChangeSet()
        with self._write() as s:
            found = set(s.scalars(select(InboxItem.id).where(InboxItem.id.in_(ids))))
            if not found:
                raise ValidationError("Those inbox items no longer exist; refresh the inbox.")
            s.execute(
                update(InboxItem)
                .where(InboxItem.id.in_(sorted(found)), InboxItem.state != state.value)
                .values(state=state.value)
            )
        n = len(found)
        noun = "item" if n == 1 else "items"
        return self._emit(
            ChangeSet.of(
                updated=[(KIND, i) for i in found],
                description=f"Marked {n} inbox {noun} {state.label.lower()}",
            )
        )

    # --- network: polling -------------------------------------------------------------------------

    def pollable_channels(self) -> list[int]:
        """Channels whose adapter reads an inbox and whose sign-in is usable, in id order.

        Demo channels never reach a network (their items come with the demo), and a channel with
        no sign-in stored cannot be read.
        """
        with self._read() as s:
            rows = s.execute(
                select(Channel.id, Channel.network)
                .where(
                    Channel.removed_at.is_(None),
                    Channel.health == "ok",
                    Channel.is_demo.is_(False),
                    Channel.credential_ref.is_not(None),
                )
                .order_by(Channel.id)
            ).all()
        return [cid for cid, network in rows if self._reader(network) is not None]

    def sync(self, channel_id: int | None = None) -> dict[int, int]:
        """Poll one channel (or every pollable one); new items per channel id.

        Polling every channel goes on past a channel that fails (logged); it raises only when
        every channel failed, with the first one's reason.
        """
        if channel_id is not None:
            try:
                return {channel_id: self.poll_channel(channel_id)}
            except AdapterError as exc:
                raise UserError(exc.message) from None
        counts: dict[int, int] = {}
        first: AdapterError | None = None
        channels = self.pollable_channels()
        for cid in channels:
            try:
                counts[cid] = self.poll_channel(cid)
            except AdapterError as exc:
                log.warning("inbox of channel %s not read: %s (%s)", cid, exc.message, exc.detail)
                first = first or exc
        if channels and not counts and first is not None:
            raise UserError(first.message)
        return counts

    def poll_channel(self, channel_id: int) -> int:
        """Read one channel's new notifications into the inbox. Raises the adapter's errors."""
        ref, creds, cursor, reader = self._channel_for_inbox(channel_id)
        if reader is None:
            return 0  # a demo channel
        http = self._http()
        total = 0
        skipped: list[str] = []
        marks: list[str] = []
        for _ in range(MAX_PAGES_PER_POLL):
            batch = reader.fetch_notifications(ref, creds, http, cursor)
            kept = self._keep(channel_id, batch)
            total += kept
            if kept and batch.seen_mark:
                marks.append(batch.seen_mark)
            skipped.extend(batch.skipped)
            cursor = batch.cursor
            if not batch.more:
                break
        if marks and isinstance(reader, SeenMarker) and self._mark_seen_wanted():
            self._mark_seen(reader, ref, creds, marks)
        if skipped:
            reasons = ", ".join(f"{n} × {why}" for why, n in Counter(skipped).most_common(5))
            log.warning(
                "channel %s: %d inbox items skipped (%s)", channel_id, len(skipped), reasons
            )
        return total

    def _mark_seen_wanted(self) -> bool:
        decl = get_setting(MARK_SEEN_SETTING)
        with self._read() as s:
            row = s.get(AppSetting, MARK_SEEN_SETTING)
            return bool(decl.default if row is None else decl.coerce(row.value))

    def _mark_seen(
        self, marker: SeenMarker, ref: ChannelRef, creds: StoredCredentials, marks: list[str]
    ) -> None:
        """Move the network's "seen" position; its failure never fails the poll (items are kept)."""
        try:
            marker.mark_seen(ref, creds, self._http(), marks)
        except AdapterError as exc:
            log.warning(
                "channel %s: notifications not marked seen on the server: %s (%s)",
                ref.name,
                exc.message,
                exc.detail,
            )

    def _keep(self, channel_id: int, batch: NoticeBatch) -> int:
        with self._write() as s:
            ids, bad = ingest.store(s, channel_id, batch.items, self.clock.now())
            if batch.cursor is not None and len(batch.cursor) <= CURSOR_CHARS:
                s.execute(
                    update(Channel)
                    .where(Channel.id == channel_id)
                    .values(inbox_cursor=batch.cursor)
                )
        if bad:
            log.warning("channel %s: %d inbox items could not be kept", channel_id, bad)
        if ids:
            noun = "item" if len(ids) == 1 else "items"
            self._emit(
                ChangeSet.of(
                    created=[(KIND, i) for i in ids], description=f"{len(ids)} new inbox {noun}"
                )
            )
        return len(ids)

    # --- network: threads and replies ------------------------------------------------------------

    def conversation(self, item_id: int) -> Conversation:
        """The item, the post of ours it answers and the thread around it (a network call)."""
        item = self.get_item(item_id)
        ref, creds, _cursor, reader = self._channel_for_inbox(item.channel_id)
        try:
            posts = (
                reader.fetch_context(ref, creds, self._http(), item.remote_id)
                if reader is not None
                else (_as_thread_post(item),)  # a demo channel: no network, the item alone
            )
        except AdapterError as exc:
            raise UserError(exc.message) from None
        with self._read() as s:
            ours = set(
                s.scalars(select(Target.remote_id).where(Target.channel_id == item.channel_id))
            )
            summary = None
            if item.post_id is not None:
                found = post_summaries(s, item.workspace_id, PostFilter(), ids=[item.post_id])
                summary = found[0] if found else None
        me = _bare(ref.handle)
        entries = tuple(
            _entry(p, is_ours=p.remote_id in ours or (bool(me) and _bare(p.author_handle) == me))
            for p in posts
        )
        return Conversation(item=item, our_post=summary, entries=entries)

    def reply(self, item_id: int, text: str) -> ChangeSet:
        """Answer an item on its network, once: a retry reuses the stored key and checkpoint."""
        replies = Replies(self, item_id)
        return replies.send(text)

    # --- bits ------------------------------------------------------------------------------------

    def _reader(self, network: str) -> InboxReader | None:
        adapter = self._adapter(network)
        return adapter if isinstance(adapter, InboxReader) else None

    def _channel_for_inbox(
        self, channel_id: int
    ) -> tuple[ChannelRef, StoredCredentials, str | None, InboxReader | None]:
        """The channel as its adapter sees it; no reader (None) for a demo channel."""
        with self._read() as s:
            ch = s.get(Channel, channel_id)
            if ch is None or ch.removed_at is not None:
                raise NotFoundError("That channel no longer exists; refresh the inbox.")
            ref, cred_ref, cursor = channel_ref(ch), ch.credential_ref, ch.inbox_cursor
            demo = ch.is_demo
        creds = StoredCredentials(self.credentials, cred_ref, ref.name)
        if demo:
            return ref, creds, cursor, None
        reader = self._reader(ref.network)
        if reader is None:
            raise ValidationError(f"cmdesk cannot read replies and mentions from {ref.name!r}.")
        return ref, creds, cursor, reader


def _bare(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def _as_thread_post(item: InboxItemDTO) -> ThreadPost:
    return ThreadPost(
        remote_id=item.remote_id,
        author_handle=item.author_handle,
        author_name=item.author_name,
        created_at=item.received_at,
        url=item.remote_url,
        text=item.text,
        html=item.safe_html,
    )


def _entry(post: ThreadPost, *, is_ours: bool) -> ConversationEntry:
    html = sanitize_html(post.html) if post.html else ""
    return ConversationEntry(
        remote_id=post.remote_id,
        author_handle=clean_name(post.author_handle),
        author_name=clean_name(post.author_name),
        text=clean_text(post.text) if post.text else safe_html_to_text(html),
        safe_html=html,
        created_at=post.created_at,
        is_ours=is_ours,
    )
