"""Replying to an inbox item exactly once, through the adapter's own publishing.

A reply is a one-part post with ``in_reply_to``: the adapters already make that exactly-once
(Mastodon's ``Idempotency-Key``, Bluesky's client-chosen record key written with ``putRecord``).
What they need is an outbox that survives a failure: the ``inbox_reply`` row holds the key and
the adapter's checkpoints, written *before* the network call, and a retry of the same reply reuses
both. A different text while an earlier one may have gone out is refused, since the earlier one
cannot be recalled by sending another.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import update

from cmdesk.adapters.base import (
    AdapterError,
    AmbiguousError,
    PermanentError,
    PostPart,
    PublishRequest,
    PublishResult,
)
from cmdesk.dto import InboxItemDTO
from cmdesk.errors import UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.models import InboxItem, InboxReply
from cmdesk.status import InboxState

if TYPE_CHECKING:
    from cmdesk.services.inbox import InboxService

KIND = "inbox_item"


def _options(item: InboxItemDTO) -> dict[str, Any]:
    if item.network != "mastodon":
        return {}
    # A direct message is answered directly; anything else in public, as Mastodon apps do.
    return {"visibility": "direct" if item.kind == "dm" else "public"}


def addressed(item: InboxItemDTO, text: str) -> str:
    """Mastodon notifies only who is mentioned: start with the author's handle unless it is there."""
    if item.network != "mastodon" or not item.author_handle:
        return text
    if item.author_handle.lower() in text.lower():
        return text
    return f"{item.author_handle} {text}"


class Replies:
    """One reply to one item: the outbox row, the adapter call, the item marked replied."""

    def __init__(self, service: InboxService, item_id: int) -> None:
        self.service = service
        self.item = service.get_item(item_id)

    def send(self, text: str) -> ChangeSet:
        if not text.strip():
            raise ValidationError("Write a reply first.", field="text")
        item = self.item
        ref, creds, _cursor, reader = self.service._channel_for_inbox(item.channel_id)
        # A demo channel answers through the demo adapter: nothing leaves the machine.
        adapter = self.service.adapters.get(ref.network if reader is not None else "demo")
        body = addressed(item, text.strip())
        parts = (PostPart(body),)
        problems = [p for p in adapter.validate(ref, parts, _options(item)) if p.blocking]
        if problems:
            raise ValidationError(" ".join(p.message for p in problems), field="text")
        token, state, done = self._outbox(body)
        if done:
            return self._replied()
        request = PublishRequest(
            target_id=0,
            channel=ref,
            parts=parts,
            idempotency_token=token,
            options=_options(item),
            state=state,
            in_reply_to=item.remote_id,
        )
        try:
            result = adapter.publish(request, creds, self.service._http(), self._checkpoint)
        except AmbiguousError as exc:
            raise UserError(
                f"{exc.message} Check the conversation before answering again."
            ) from None
        except PermanentError as exc:
            self._forget_if_unsent()
            raise UserError(exc.message) from None
        except AdapterError as exc:
            raise UserError(
                f"The reply was not confirmed: {exc.message} It is kept: send it again and "
                "cmdesk will finish it without posting it twice."
            ) from None
        return self._replied(result)

    def _outbox(self, body: str) -> tuple[str, dict[str, Any], bool]:
        """The key and checkpoint to send with (stored now), and whether it already went out."""
        now = self.service.clock.now()
        with self.service._write() as s:
            row = s.get(InboxReply, self.item.id)
            if row is not None and row.remote_id:
                return row.token, dict(row.state or {}), True
            if row is not None and row.text != body:
                if row.state:
                    raise ValidationError(
                        "An earlier reply to this message may already have gone out. Send that "
                        "same text again to finish it, or check the conversation first.",
                        field="text",
                    )
                s.delete(row)
                s.flush()
                row = None
            if row is None:
                row = InboxReply(
                    item_id=self.item.id, token=secrets.token_hex(16), text=body, created_at=now
                )
                s.add(row)
            return row.token, dict(row.state or {}), False

    def _checkpoint(self, state: Mapping[str, Any]) -> None:
        with self.service._write() as s:
            s.execute(
                update(InboxReply)
                .where(InboxReply.item_id == self.item.id)
                .values(state=dict(state))
            )

    def _forget_if_unsent(self) -> None:
        with self.service._write() as s:
            row = s.get(InboxReply, self.item.id)
            if row is not None and not row.remote_id:
                s.delete(row)

    def _replied(self, result: PublishResult | None = None) -> ChangeSet:
        now = self.service.clock.now()
        with self.service._write() as s:
            if result is not None:
                s.execute(
                    update(InboxReply)
                    .where(InboxReply.item_id == self.item.id)
                    .values(remote_id=result.remote_id, remote_url=result.url, sent_at=now)
                )
            s.execute(
                update(InboxItem)
                .where(InboxItem.id == self.item.id)
                .values(state=InboxState.REPLIED.value)
            )
        return self.service._emit(
            ChangeSet.of(
                updated=[(KIND, self.item.id)],
                description=f"Replied to {self.item.author_name or self.item.author_handle}",
                subject=self.item.id,
            )
        )
