"""Listening reads and writes on a given Session (the service owns the transaction).

Found posts go in with ``INSERT ... ON CONFLICT (search_id, remote_id) DO NOTHING``: a post seen
by two syncs, or by two processes syncing at once, is kept once. Every text from the network is
untrusted and made safe here, like the inbox's (``cmdesk.text.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Delete, Integer, Select, delete, func, or_, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cmdesk.adapters.base import InboxNotice
from cmdesk.arrival_order import hold_arrivals
from cmdesk.listening.dto import ListenedPostDTO, SavedSearchDTO, SearchKind
from cmdesk.models import Channel, ListenedPost, SavedSearch
from cmdesk.text.html import clean_name, clean_text, clip, safe_html_to_text, sanitize_html

_s = SavedSearch.__table__.c
_p = ListenedPost.__table__.c
_c = Channel.__table__.c


def _utc(seconds: int | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(int(seconds), UTC)


def _search_dto(row: Any) -> SavedSearchDTO:
    return SavedSearchDTO(
        id=row.id,
        workspace_id=row.workspace_id,
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        network=row.network,
        kind=SearchKind(row.kind),
        text=row.text,
        note=row.note or "",
        created_at=_utc(row.created_at) or datetime.min.replace(tzinfo=UTC),
        synced_at=_utc(row.synced_at),
        result_count=int(row.result_count or 0),
    )


def searches(
    s: Session, workspace_id: int, ids: Sequence[int] | None = None
) -> list[SavedSearchDTO]:
    counts = select(_p.search_id, func.count(_p.id).label("n")).group_by(_p.search_id).subquery()
    query = (
        select(
            _s.id,
            _s.workspace_id,
            _s.channel_id,
            _c.name.label("channel_name"),
            _c.network,
            _s.kind,
            _s.text,
            _s.note,
            type_coerce(_s.created_at, Integer).label("created_at"),
            type_coerce(_s.synced_at, Integer).label("synced_at"),
            counts.c.n.label("result_count"),
        )
        .join(Channel.__table__, _c.id == _s.channel_id)
        .outerjoin(counts, counts.c.search_id == _s.id)
        .where(_s.workspace_id == workspace_id, _c.removed_at.is_(None))
        .order_by(_s.id)
    )
    if ids is not None:
        query = query.where(_s.id.in_(list(ids)))
    return [_search_dto(r) for r in s.execute(query)]


def _posts_query() -> Select[Any]:
    return (
        select(
            _p.id,
            _p.search_id,
            _s.kind,
            _s.text.label("search_text"),
            _s.channel_id,
            _c.name.label("channel_name"),
            _c.network,
            _p.remote_id,
            _p.remote_url,
            _p.author_handle,
            _p.author_name,
            _p.text,
            _p.html,
            type_coerce(_p.created_at, Integer).label("created_at"),
        )
        .select_from(ListenedPost.__table__)
        .join(SavedSearch.__table__, _s.id == _p.search_id)
        .join(Channel.__table__, _c.id == _s.channel_id)
        .where(_c.removed_at.is_(None))
    )


def _post_dto(row: Any) -> ListenedPostDTO:
    label = f"#{row.search_text}" if row.kind == "hashtag" else f"“{row.search_text}”"
    return ListenedPostDTO(
        id=row.id,
        search_id=row.search_id,
        search_label=label,
        channel_id=row.channel_id,
        channel_name=row.channel_name,
        network=row.network,
        remote_id=row.remote_id,
        remote_url=row.remote_url,
        author_handle=row.author_handle,
        author_name=row.author_name,
        text=row.text,
        safe_html=row.html,
        created_at=_utc(row.created_at) or datetime.min.replace(tzinfo=UTC),
    )


def posts(
    s: Session,
    workspace_id: int,
    search_id: int | None,
    *,
    limit: int,
    before: tuple[datetime, int] | None,
) -> list[ListenedPostDTO]:
    """Newest first, paged by ``(created_at, id)`` like the inbox."""
    query = _posts_query().where(_s.workspace_id == workspace_id)
    if search_id is not None:
        query = query.where(_p.search_id == search_id)
    if before is not None:
        # Compared as the stored integers: the column's type would take only datetimes.
        when, last = int(before[0].timestamp()), before[1]
        created = type_coerce(_p.created_at, Integer)
        query = query.where(or_(created < when, (created == when) & (_p.id < last)))
    query = query.order_by(_p.created_at.desc(), _p.id.desc()).limit(max(1, limit))
    return [_post_dto(r) for r in s.execute(query)]


def posts_by_id(s: Session, ids: Sequence[int]) -> list[ListenedPostDTO]:
    if not ids:
        return []
    return [
        _post_dto(r) for r in s.execute(_posts_query().where(_p.id.in_(list(ids))).order_by(_p.id))
    ]


def _row(search_id: int, notice: InboxNotice, now: datetime) -> dict[str, Any] | None:
    remote_id = clean_name(notice.remote_id, 255)
    if not remote_id:
        return None
    url = notice.url.strip()
    if not url.lower().startswith(("https://", "http://")) or len(url) > 1000:
        url = ""
    html = sanitize_html(notice.html) if notice.html else ""
    return {
        "search_id": search_id,
        "remote_id": remote_id,
        "remote_url": clip(url, 1000),
        "author_handle": clean_name(notice.author_handle),
        "author_name": clean_name(notice.author_name),
        "text": clean_text(notice.text) if notice.text else safe_html_to_text(html),
        "html": html,
        "created_at": min(notice.created_at, now),
        "fetched_at": now,
    }


def store(s: Session, search_id: int, notices: Sequence[InboxNotice], now: datetime) -> list[int]:
    """Insert the new posts of one search, oldest first; returns the new rows' ids."""
    rows: dict[str, dict[str, Any]] = {}
    for notice in notices:
        row = _row(search_id, notice, now)
        if row is not None:
            rows.setdefault(row["remote_id"], row)
    if not rows:
        return []
    # Networks list newest first; ids should follow arrival, so posts of the same second still
    # list newest first (lists order by created_at, then id).
    ordered = sorted(reversed(list(rows.values())), key=lambda r: r["created_at"])
    hold_arrivals(s)  # ids must commit in order for the alert-word claims
    insert = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (
        insert(ListenedPost)
        .on_conflict_do_nothing(index_elements=["search_id", "remote_id"])
        .returning(ListenedPost.id)
    )
    ids: list[int] = []
    for start in range(0, len(ordered), 500):
        ids.extend(s.scalars(stmt, ordered[start : start + 500]).all())
    return ids


def prune(s: Session, *, before: datetime, keep_per_search: int) -> int:
    """Delete old found posts; returns how many went.

    Posts older than ``before`` go, and in each search those beyond its newest
    ``keep_per_search``. The saved searches' cursors are untouched, so a pruned post is not
    read again.
    """
    created = type_coerce(_p.created_at, Integer)
    gone = _deleted(s, delete(ListenedPost).where(created < int(before.timestamp())))
    for search_id in s.scalars(select(_s.id)).all():
        # The first post past the limit, newest first: it and everything older goes.
        boundary = s.execute(
            select(created.label("created"), _p.id)
            .where(_p.search_id == search_id)
            .order_by(_p.created_at.desc(), _p.id.desc())
            .offset(keep_per_search)
            .limit(1)
        ).first()
        if boundary is None:
            continue
        at, last = int(boundary.created), int(boundary.id)
        older = or_(created < at, (created == at) & (_p.id <= last))
        gone += _deleted(s, delete(ListenedPost).where(_p.search_id == search_id, older))
    return int(gone)


def _deleted(s: Session, statement: Delete) -> int:
    result = s.connection().execute(statement)
    return int(result.rowcount or 0)
