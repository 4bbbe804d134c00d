"""Inbox reads on a given Session, in SQLAlchemy Core, building DTOs straight from rows.

The inbox of a busy brand holds tens of thousands of items; a list page is read by keyset
(``received_at``, ``id``) so that scrolling deeper costs the same as the first page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Select, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from cmdesk.dto import InboxFilter, InboxItemDTO
from cmdesk.errors import NotFoundError
from cmdesk.models import Channel, InboxItem, Post, Target
from cmdesk.status import InboxState

_items = InboxItem.__table__
_chans = Channel.__table__
_targets = Target.__table__
_posts = Post.__table__
_item = _items.c
_chan = _chans.c
_target = _targets.c
_post = _posts.c


def _base_query() -> Select[Any]:
    return (
        select(
            _item.id,
            _chan.workspace_id,
            _item.channel_id,
            _chan.network,
            _item.kind,
            _item.remote_id,
            _item.remote_url,
            _item.conversation_id,
            _item.author_handle,
            _item.author_name,
            _item.text,
            _item.html,
            type_coerce(_item.received_at, Integer),
            _item.state,
            _target.post_id,
            _post.title,
        )
        .select_from(_items)
        .join(_chans, _chan.id == _item.channel_id)
        .outerjoin(_targets, _target.id == _item.target_id)
        .outerjoin(_posts, _post.id == _target.post_id)
    )


def _like(text: str) -> str:
    needle = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{needle}%"


def _apply(q: Select[Any], workspace_id: int, f: InboxFilter) -> Select[Any]:
    q = q.where(_chan.workspace_id == workspace_id, _chan.removed_at.is_(None))
    if f.channel_ids:
        q = q.where(_item.channel_id.in_(sorted(f.channel_ids)))
    if f.kinds:
        q = q.where(_item.kind.in_(sorted(f.kinds)))
    if f.states:
        q = q.where(_item.state.in_(sorted(s.value for s in f.states)))
    if f.text.strip():
        pattern = _like(f.text)
        q = q.where(
            or_(
                func.lower(_item.text).like(pattern, escape="\\"),
                func.lower(_item.author_handle).like(pattern, escape="\\"),
                func.lower(_item.author_name).like(pattern, escape="\\"),
            )
        )
    return q


def _dtos(rows: Sequence[Any]) -> list[InboxItemDTO]:
    states = {s.value: s for s in InboxState}
    return [
        InboxItemDTO(
            id=r[0],
            workspace_id=r[1],
            channel_id=r[2],
            network=r[3],
            kind=r[4],
            remote_id=r[5],
            remote_url=r[6] or "",
            conversation_id=r[7],
            author_handle=r[8] or "",
            author_name=r[9] or "",
            text=r[10] or "",
            safe_html=r[11] or "",
            received_at=datetime.fromtimestamp(r[12], UTC),
            state=states[r[13]],
            post_id=r[14],
            post_title=r[15] or "",
        )
        for r in rows
    ]


def list_items(
    s: Session,
    workspace_id: int,
    f: InboxFilter,
    *,
    limit: int,
    before: tuple[datetime, int] | None,
) -> list[InboxItemDTO]:
    """Items matching ``f``, newest first, strictly older than ``before`` (received_at, id)."""
    q = _apply(_base_query(), workspace_id, f)
    if before is not None:
        stamp, last_id = before
        q = q.where(
            or_(
                _item.received_at < stamp,
                and_(_item.received_at == stamp, _item.id < last_id),
            )
        )
    q = q.order_by(_item.received_at.desc(), _item.id.desc()).limit(max(1, limit))
    return _dtos(s.execute(q).all())


def get_items(s: Session, ids: Sequence[int]) -> list[InboxItemDTO]:
    return _dtos(s.execute(_base_query().where(_item.id.in_(list(ids)))).all())


def get_item(s: Session, item_id: int) -> InboxItemDTO:
    found = get_items(s, [item_id])
    if not found:
        raise NotFoundError("That inbox item no longer exists; refresh the inbox.")
    return found[0]


def unread_by_channel(s: Session, workspace_id: int) -> dict[int, int]:
    q = (
        select(_item.channel_id, func.count())
        .select_from(_items)
        .join(_chans, _chan.id == _item.channel_id)
        .where(
            _chan.workspace_id == workspace_id,
            _chan.removed_at.is_(None),
            _item.state == InboxState.NEW.value,
        )
        .group_by(_item.channel_id)
    )
    return {cid: n for cid, n in s.execute(q).all()}
