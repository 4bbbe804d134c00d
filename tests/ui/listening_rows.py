"""Listened posts written straight to the database, as a sync would, for UI tests."""

from __future__ import annotations

import itertools
from datetime import timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.models import ListenedPost

_REMOTE = itertools.count(1)  # remote ids unique across calls, so one search can get more


def add_posts(ctx: AppContext, search_id: int, count: int) -> list[int]:
    """Store ``count`` posts found by one search, oldest first; returns their ids."""
    now = ctx.clock.now()
    with ctx.db.session() as s:
        rows = [
            ListenedPost(
                search_id=search_id,
                remote_id=f"post-{search_id}-{next(_REMOTE)}",
                remote_url=f"https://mastodon.example/@r{i}/{i}",
                author_handle=f"@r{i}@mastodon.example",
                author_name=f"Reader {i}",
                text=f"Books post {i}",
                html="",
                created_at=now - timedelta(minutes=count - i),
                fetched_at=now,
            )
            for i in range(count)
        ]
        s.add_all(rows)
        s.flush()
        return [r.id for r in rows]
