"""Queries and writes on ideas and feeds inside the caller's transaction (the service commits).

Also the checks of an idea's fields, shared by adding and editing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from cmdesk.errors import NotFoundError, ValidationError
from cmdesk.models import Feed, Idea
from cmdesk.planning import feeds as feedlib
from cmdesk.planning.feeds import FeedEntry
from cmdesk.planning.ideas_dto import FeedDTO, IdeaDTO, IdeaFilter, IdeaPage, IdeaState
from cmdesk.text.html import clip, strip_controls

#: The longest text of a typed-in idea.
TEXT_CHARS = 20_000


def get_idea(s: Session, idea_id: int) -> Idea:
    row = s.get(Idea, idea_id)
    if row is None:
        raise NotFoundError("That idea is no longer in the bin; refresh the list.")
    return row


def get_feed(s: Session, feed_id: int) -> Feed:
    row = s.get(Feed, feed_id)
    if row is None:
        raise NotFoundError("That feed is no longer subscribed; refresh the list.")
    return row


def idea_dto(row: Idea, feed_title: str) -> IdeaDTO:
    return IdeaDTO(
        id=row.id,
        workspace_id=row.workspace_id,
        title=row.title,
        text=row.text,
        link=row.link,
        feed_id=row.feed_id,
        feed_title=feed_title,
        state=IdeaState(row.state),
        post_id=row.post_id,
        created_at=row.created_at,
        published_at=row.published_at,
    )


def _feed_label(feed: Feed | None) -> str:
    return (feed.title or feed.url) if feed is not None else ""


def ideas(s: Session, workspace_id: int, flt: IdeaFilter, offset: int, limit: int) -> IdeaPage:
    """A page of the workspace's ideas matching ``flt``, newest first."""
    conds: list[ColumnElement[bool]] = [Idea.workspace_id == workspace_id]
    if flt.states:
        conds.append(Idea.state.in_([st.value for st in flt.states]))
    if flt.feed_id == 0:
        conds.append(Idea.feed_id.is_(None))
    elif flt.feed_id is not None:
        conds.append(Idea.feed_id == flt.feed_id)
    for word in flt.text.split():
        like = f"%{_escape(word.lower())}%"
        conds.append(
            or_(
                func.lower(Idea.title).like(like, escape="\\"),
                func.lower(Idea.text).like(like, escape="\\"),
                func.lower(Idea.link).like(like, escape="\\"),
            )
        )
    where = and_(*conds)
    total = s.scalar(select(func.count(Idea.id)).where(where)) or 0
    newest = func.coalesce(Idea.published_at, Idea.created_at)
    rows = s.execute(
        select(Idea, Feed)
        .outerjoin(Feed, Feed.id == Idea.feed_id)
        .where(where)
        .order_by(newest.desc(), Idea.id.desc())
        .offset(max(0, offset))
        .limit(max(0, limit))
    ).all()
    items = tuple(idea_dto(idea, _feed_label(feed)) for idea, feed in rows)
    return IdeaPage(items, int(total), max(0, offset))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def one_idea(s: Session, idea_id: int) -> IdeaDTO:
    row = get_idea(s, idea_id)
    feed = s.get(Feed, row.feed_id) if row.feed_id is not None else None
    return idea_dto(row, _feed_label(feed))


def feeds(s: Session, workspace_id: int, ids: Sequence[int] | None = None) -> list[FeedDTO]:
    """The workspace's feeds by name, with their counts of new and of all ideas."""
    new = func.sum(case((Idea.state == IdeaState.NEW.value, 1), else_=0))
    counts = (
        select(Idea.feed_id, new.label("new"), func.count(Idea.id).label("total"))
        .where(Idea.feed_id.is_not(None))
        .group_by(Idea.feed_id)
        .subquery()
    )
    query = (
        select(Feed, counts.c.new, counts.c.total)
        .outerjoin(counts, counts.c.feed_id == Feed.id)
        .where(Feed.workspace_id == workspace_id)
    )
    if ids is not None:
        query = query.where(Feed.id.in_(list(ids)))
    out = [
        FeedDTO(
            id=f.id,
            workspace_id=f.workspace_id,
            url=f.url,
            title=f.title,
            is_active=f.is_active,
            last_fetched_at=f.last_fetched_at,
            last_error=f.last_error,
            new_count=int(n or 0),
            total_count=int(t or 0),
        )
        for f, n, t in s.execute(query).all()
    ]
    return sorted(out, key=lambda f: (f.label.casefold(), f.id))


def store_entries(
    s: Session, feed: Feed, entries: Sequence[FeedEntry], now: datetime, limit: int
) -> tuple[list[int], bool]:
    """Add the entries not seen before as new ideas, newest first, at most ``limit``.

    Returns the new ideas' ids and whether some entries were left for the next refresh.
    """
    guids = [e.guid for e in entries]
    seen = set(s.scalars(select(Idea.guid).where(Idea.feed_id == feed.id, Idea.guid.in_(guids))))
    fresh: dict[str, FeedEntry] = {}
    for entry in entries:
        if entry.guid not in seen and entry.guid not in fresh:
            fresh[entry.guid] = entry
    ordered = sorted(
        fresh.values(), key=lambda e: e.published_at.timestamp() if e.published_at else 0.0
    )
    ordered.reverse()
    rows = [
        Idea(
            workspace_id=feed.workspace_id,
            title=entry.title,
            text=entry.text,
            link=entry.link,
            feed_id=feed.id,
            guid=entry.guid,
            state=IdeaState.NEW.value,
            created_at=now,
            published_at=entry.published_at,
        )
        for entry in ordered[:limit]
    ]
    s.add_all(rows)
    s.flush()
    return [r.id for r in rows], len(ordered) > limit


def due_feed_ids(s: Session, due_before: datetime) -> list[int]:
    """Active feeds of every workspace not fetched since ``due_before``, oldest fetch first."""
    query = (
        select(Feed.id)
        .where(
            Feed.is_active.is_(True),
            or_(Feed.last_fetched_at.is_(None), Feed.last_fetched_at <= due_before),
        )
        .order_by(Feed.last_fetched_at.is_not(None), Feed.last_fetched_at, Feed.id)
    )
    return list(s.scalars(query))


def refresh_problem(parsed: feedlib.ParsedFeed | None, more: bool, limit: int) -> str:
    """What to keep as the feed's ``last_error`` after a read that worked."""
    parts = [parsed.problem] if parsed is not None and parsed.problem else []
    if more:
        parts.append(f"Only {limit} new entries are taken per refresh; more follow.")
    return " ".join(parts)


def checked_fields(title: str, text: str, link: str) -> tuple[str, str, str]:
    """An idea's fields cleaned, or a ``ValidationError`` naming the field."""
    clean_title = feedlib.one_line(title, 10_000)
    if not clean_title:
        raise ValidationError("An idea needs a title.", field="title")
    if len(clean_title) > feedlib.TITLE_CHARS:
        raise ValidationError(
            f"An idea's title has at most {feedlib.TITLE_CHARS} characters.", field="title"
        )
    clean_link = feedlib.check_url(link, what="The link") if link.strip() else ""
    body = strip_controls(text).strip()
    if len(body) > TEXT_CHARS:
        raise ValidationError(f"An idea's text has at most {TEXT_CHARS} characters.", field="text")
    return clean_title, clip(body, TEXT_CHARS), clean_link
