"""The inbox service: list, count and mark items; fetch threads, reply and poll through adapters.

Database reads and writes are one short transaction each. The network calls (``conversation``,
``reply``, ``sync``) never hold a transaction open while they wait: they read what they need,
call the adapter, then store the result in a second transaction. A reply stores its idempotency
token before the call and reuses it on a retry, so a reply goes out once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

import requests
from sqlalchemy import select, update

from cmdesk.adapters.http import make_session
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.clock import Clock
from cmdesk.credentials import CredentialStore
from cmdesk.db import Database
from cmdesk.dto import InboxFilter, InboxItemDTO
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.inbox import queries
from cmdesk.models import InboxItem
from cmdesk.services.base import Service
from cmdesk.status import InboxState

KIND = "inbox_item"
_ANY = InboxFilter()


class InboxService(Service):
    """Replies, mentions, quotes and direct messages from every channel of a workspace."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        credentials: CredentialStore,
        adapters: AdapterRegistry,
        http_factory: Callable[[], requests.Session] = make_session,
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials
        self.adapters = adapters
        self._http_factory = http_factory

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
