"""Inbox items written straight to the database, as polling will, for notification tests.

The inbox service's own ingest is tested with it; the notifications only need rows to exist and
the "inbox_item" change set that the service emits after writing them.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.models import InboxItem

#: Remote ids must be unique per channel; ``id()`` of a session is reused once it is freed.
_serial = itertools.count(1)


def add_items(
    ctx: AppContext,
    channel_id: int,
    count: int = 1,
    *,
    kind: str = "reply",
    author: str = "ana@mastodon.social",
    text: str = "Loved the reading last night!",
    state: str = "new",
    emit: bool = True,
) -> list[int]:
    """Store ``count`` items on one channel; returns their ids, oldest first."""
    now = ctx.clock.now()
    with ctx.db.session() as s:
        rows = [
            InboxItem(
                channel_id=channel_id,
                kind=kind,
                remote_id=f"{kind}-{channel_id}-{now.timestamp()}-{next(_serial)}",
                remote_url="",
                author_handle=author,
                author_name=author.split("@")[0].title(),
                text=text,
                html="",
                received_at=now - timedelta(minutes=count - i),
                state=state,
            )
            for i in range(count)
        ]
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]
    if emit:
        ctx.hub.emit(ChangeSet.of(created=[("inbox_item", i) for i in ids]))
    return ids
