"""Storing fetched notifications: made safe, linked to our posts, each kept once.

Every text from the network is untrusted: HTML is sanitised (``cmdesk.text.html``) and a plain
copy made, names lose control characters and are cut to the column, links that are not http(s)
are dropped. Rows go in with ``INSERT ... ON CONFLICT (channel_id, remote_id) DO NOTHING``, so an
item seen twice (two polls overlapping, a DM that is also a mention) stays one, whatever order
the polls ran in, even when two processes poll at once.

An item answers one of our posts when its ``in_reply_to`` (or, failing that, its thread's root)
is the remote id of one of this channel's targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cmdesk.adapters.base import InboxNotice
from cmdesk.arrival_order import hold_arrivals
from cmdesk.models import InboxItem, Target
from cmdesk.status import InboxState
from cmdesk.text.html import clean_name, clean_text, clip, safe_html_to_text, sanitize_html

KINDS = frozenset({"mention", "reply", "quote", "dm"})
_target = Target.__table__.c


def normalise(notice: InboxNotice, channel_id: int, now: datetime) -> dict[str, Any] | None:
    """The row for one notice, or None when it cannot be kept (no id, unknown kind)."""
    remote_id = clean_name(notice.remote_id, 255)
    if not remote_id or notice.kind not in KINDS:
        return None
    url = notice.url.strip()
    if not url.lower().startswith(("https://", "http://")):
        url = ""
    html = sanitize_html(notice.html) if notice.html else ""
    # A network's own plain text (Bluesky) wins over text taken back out of its HTML.
    text = clean_text(notice.text) if notice.text else safe_html_to_text(html)
    when = min(notice.created_at, now)  # a server clock ahead of ours must not sort it first
    return {
        "channel_id": channel_id,
        "kind": notice.kind,
        "remote_id": remote_id,
        "remote_url": clip(url, 1000) if len(url) <= 1000 else "",
        "conversation_id": clean_name(notice.conversation_id or "", 255) or None,
        "in_reply_to_remote_id": clean_name(notice.in_reply_to or "", 255) or None,
        "author_handle": clean_name(notice.author_handle),
        "author_name": clean_name(notice.author_name),
        "text": text,
        "html": html,
        "received_at": when,
        "state": InboxState.NEW.value,
        "target_id": None,
        "_root": notice.root_id,
    }


def _link_targets(s: Session, channel_id: int, rows: list[dict[str, Any]]) -> None:
    wanted = {r["in_reply_to_remote_id"] for r in rows} | {r["_root"] for r in rows}
    wanted.discard(None)
    if not wanted:
        return
    found: dict[str, int] = {}
    ordered = sorted(wanted)
    for start in range(0, len(ordered), 500):  # keep each IN list well under SQLite's limit
        q = select(_target.remote_id, _target.id).where(
            _target.channel_id == channel_id, _target.remote_id.in_(ordered[start : start + 500])
        )
        found.update({rid: tid for rid, tid in s.execute(q).all()})
    for r in rows:
        r["target_id"] = found.get(r["in_reply_to_remote_id"]) or found.get(r["_root"])


def store(
    s: Session, channel_id: int, notices: Sequence[InboxNotice], now: datetime
) -> tuple[list[int], int]:
    """Insert the new notices of one channel; returns the new rows' ids and how many were unusable."""
    rows: list[dict[str, Any]] = []
    bad = 0
    seen: set[str] = set()
    for notice in notices:
        row = normalise(notice, channel_id, now)
        if row is None:
            bad += 1
        elif row["remote_id"] not in seen:
            seen.add(row["remote_id"])
            rows.append(row)
    if not rows:
        return [], bad
    # Networks list newest first; ids should follow arrival, so that items of the same second
    # still list newest first (the inbox orders by received_at, then id).
    rows.reverse()
    rows.sort(key=lambda r: r["received_at"])
    _link_targets(s, channel_id, rows)
    for r in rows:
        del r["_root"]
    hold_arrivals(s)  # ids must commit in order for the announcement claims
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = (
        insert(InboxItem)
        .on_conflict_do_nothing(index_elements=["channel_id", "remote_id"])
        .returning(InboxItem.id)
    )
    ids: list[int] = []
    for start in range(0, len(rows), 1000):
        ids.extend(s.scalars(stmt, rows[start : start + 1000]).all())
    return ids, bad
