"""Queries on a given Session. Repositories read and stage; they never commit.

The calendar reads are written in SQLAlchemy Core against the indexed columns and build DTOs
directly from rows: a month of a busy plan is thousands of posts, and ORM identity-map bookkeeping
for read-only chips is wasted work (see ``benchmarks/bench_month_window.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, Select, String, and_, cast, exists, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from cmdesk.dto import (
    CampaignDTO,
    ChannelDTO,
    PostDetail,
    PostFilter,
    PostSummary,
    TagDTO,
    TargetDTO,
    VariantDTO,
    WorkspaceDTO,
)
from cmdesk.errors import NotFoundError
from cmdesk.models import (
    Campaign,
    Channel,
    Post,
    PostMedia,
    PostTag,
    Tag,
    Target,
    Variant,
    Workspace,
)
from cmdesk.status import PostStatus, TargetState

SNIPPET_CHARS = 140
_post = Post.__table__.c
_target = Target.__table__.c
_fromts = datetime.fromtimestamp


def workspace_dto(w: Workspace) -> WorkspaceDTO:
    return WorkspaceDTO(
        id=w.id,
        name=w.name,
        timezone=w.timezone,
        color=w.color,
        description=w.description,
        objectives=w.objectives,
        week_start=w.week_start,
        default_post_time=w.default_post_time,
        is_demo=w.is_demo,
    )


def channel_dto(c: Channel) -> ChannelDTO:
    return ChannelDTO(
        id=c.id,
        workspace_id=c.workspace_id,
        network=c.network,
        name=c.name,
        handle=c.handle,
        base_url=c.base_url,
        health=c.health,
        health_detail=c.health_detail,
        color=c.color,
        is_demo=c.is_demo,
        has_credential=c.credential_ref is not None,
        removed=c.removed_at is not None,
        limits=dict(c.limits or {}),
    )


def campaign_dto(c: Campaign) -> CampaignDTO:
    return CampaignDTO(
        id=c.id,
        workspace_id=c.workspace_id,
        name=c.name,
        color=c.color,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        objective=c.objective,
        notes=c.notes,
    )


def tag_dto(t: Tag) -> TagDTO:
    return TagDTO(id=t.id, workspace_id=t.workspace_id, kind=t.kind, name=t.name, color=t.color)


def target_dto(t: Target) -> TargetDTO:
    return TargetDTO(
        id=t.id,
        post_id=t.post_id,
        channel_id=t.channel_id,
        state=TargetState(t.state),
        due_at=t.due_at,
        remote_id=t.remote_id,
        remote_url=t.remote_url,
        attempts=t.attempts,
        last_error=t.last_error,
        next_retry_at=t.next_retry_at,
        published_at=t.published_at,
    )


def variant_dto(v: Variant) -> VariantDTO:
    return VariantDTO(
        channel_id=v.channel_id,
        text=v.text,
        thread_parts=tuple(v.thread_parts) if v.thread_parts is not None else None,
        media_ids=tuple(v.media_ids) if v.media_ids is not None else None,
        options=dict(v.options or {}),
    )


# --- single rows -------------------------------------------------------------------------------


def get_workspace(s: Session, workspace_id: int) -> Workspace:
    w = s.get(Workspace, workspace_id)
    if w is None:
        raise NotFoundError(f"Workspace {workspace_id} does not exist.")
    return w


def get_channel(s: Session, channel_id: int) -> Channel:
    c = s.get(Channel, channel_id)
    if c is None:
        raise NotFoundError(f"Channel {channel_id} does not exist.")
    return c


def get_post(s: Session, post_id: int, *, include_trashed: bool = False) -> Post:
    """A post of the plan; a trashed one only with ``include_trashed`` (undo, restore, purge)."""
    p = s.get(Post, post_id)
    if p is None or (p.trashed_at is not None and not include_trashed):
        raise NotFoundError(f"Post {post_id} does not exist (it may have been deleted).")
    return p


def post_tag_ids(s: Session, post_id: int) -> list[int]:
    return list(
        s.scalars(select(PostTag.tag_id).where(PostTag.post_id == post_id).order_by(PostTag.tag_id))
    )


def post_media_ids(s: Session, post_id: int) -> list[int]:
    q = select(PostMedia.media_id).where(PostMedia.post_id == post_id).order_by(PostMedia.position)
    return list(s.scalars(q))


def post_detail(s: Session, p: Post) -> PostDetail:
    targets = sorted(p.targets, key=lambda t: t.channel_id)
    return PostDetail(
        id=p.id,
        workspace_id=p.workspace_id,
        title=p.title,
        text=p.text,
        status=PostStatus(p.status),
        scheduled_at=p.scheduled_at,
        campaign_id=p.campaign_id,
        pillar_id=p.pillar_id,
        tag_ids=tuple(post_tag_ids(s, p.id)),
        notes=p.notes,
        author=p.author,
        channel_ids=tuple(t.channel_id for t in targets),
        media_ids=tuple(post_media_ids(s, p.id)),
        targets=tuple(target_dto(t) for t in targets),
        variants=tuple(variant_dto(v) for v in sorted(p.variants, key=lambda v: v.channel_id)),
        created_at=p.created_at,
        updated_at=p.updated_at,
        published_at=p.published_at,
        revision=p.revision,
    )


# --- lists -------------------------------------------------------------------------------------


def list_workspaces(s: Session) -> list[WorkspaceDTO]:
    return [workspace_dto(w) for w in s.scalars(select(Workspace).order_by(Workspace.name))]


def list_channels(
    s: Session, workspace_id: int | None, *, include_removed: bool
) -> list[ChannelDTO]:
    q = select(Channel).order_by(Channel.workspace_id, Channel.name)
    if workspace_id is not None:
        q = q.where(Channel.workspace_id == workspace_id)
    if not include_removed:
        q = q.where(Channel.removed_at.is_(None))
    return [channel_dto(c) for c in s.scalars(q)]


def list_campaigns(s: Session, workspace_id: int) -> list[CampaignDTO]:
    q = select(Campaign).where(Campaign.workspace_id == workspace_id).order_by(Campaign.name)
    return [campaign_dto(c) for c in s.scalars(q)]


def list_tags(s: Session, workspace_id: int) -> list[TagDTO]:
    q = select(Tag).where(Tag.workspace_id == workspace_id).order_by(Tag.kind, Tag.name)
    return [tag_dto(t) for t in s.scalars(q)]


def _apply_filter(q: Select[Any], workspace_id: int, f: PostFilter) -> Select[Any]:
    q = q.where(_post.workspace_id == workspace_id, _post.trashed_at.is_(None))
    if f.start is not None:
        q = q.where(_post.scheduled_at >= f.start)
    if f.end is not None:
        q = q.where(_post.scheduled_at < f.end)
    if f.scheduled is True:
        q = q.where(_post.scheduled_at.is_not(None))
    elif f.scheduled is False:
        q = q.where(_post.scheduled_at.is_(None))
    if f.statuses:
        q = q.where(_post.status.in_(sorted(s.value for s in f.statuses)))
    if f.needs_attention:
        q = q.where(or_(_post.status.in_(_ATTENTION_STATUSES), _has_target_to_confirm()))
    if f.campaign_ids:
        q = q.where(_post.campaign_id.in_(sorted(f.campaign_ids)))
    if f.pillar_ids:
        q = q.where(_post.pillar_id.in_(sorted(f.pillar_ids)))
    if f.channel_ids:
        q = q.where(
            exists().where(
                and_(_target.post_id == _post.id, _target.channel_id.in_(sorted(f.channel_ids)))
            )
        )
    if f.tag_ids:
        pt = PostTag.__table__.c
        q = q.where(
            or_(
                _post.pillar_id.in_(sorted(f.tag_ids)),
                exists().where(and_(pt.post_id == _post.id, pt.tag_id.in_(sorted(f.tag_ids)))),
            )
        )
    if f.text.strip():
        # Case-insensitive substring on title and text; LIKE's wildcards in the input are literal.
        needle = (
            f.text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        )
        pattern = f"%{needle}%"
        q = q.where(
            or_(
                func.lower(_post.title).like(pattern, escape="\\"),
                func.lower(_post.text).like(pattern, escape="\\"),
            )
        )
    return q


def post_summaries(
    s: Session,
    workspace_id: int,
    f: PostFilter,
    *,
    limit: int | None = None,
    ids: Sequence[int] | None = None,
) -> list[PostSummary]:
    """Posts matching a filter, as summaries ordered by time (unscheduled last) then id.

    One query: each post's live channel ids come back aggregated in a correlated subquery
    (``group_concat`` on SQLite, ``string_agg`` on PostgreSQL) that reads only the covering index
    ``ix_target_post_state_channel``. Times come back as integers and are turned into datetimes
    once per distinct value; channel-id strings are parsed once per distinct combination.
    """
    channels = (
        select(func.aggregate_strings(cast(_target.channel_id, String), ","))
        .where(_target.post_id == _post.id, _target.state != TargetState.CANCELLED.value)
        .scalar_subquery()
    )
    q = select(
        _post.id,
        _post.title,
        func.substr(_post.text, 1, SNIPPET_CHARS),
        _post.status,
        type_coerce(_post.scheduled_at, Integer),
        _post.campaign_id,
        _post.revision,
        channels,
    )
    q = _apply_filter(q, workspace_id, f)
    if ids is not None:
        q = q.where(_post.id.in_(ids))
    if f.scheduled is True:
        # Every row has a time: the (workspace_id, scheduled_at) index already gives this order.
        q = q.order_by(_post.scheduled_at, _post.id)
    else:
        q = q.order_by(_post.scheduled_at.is_(None), _post.scheduled_at, _post.id)
    if limit is not None:
        q = q.limit(limit)
    return _summaries(workspace_id, s.execute(q).all())


def window_times(
    s: Session, workspace_id: int, f: PostFilter
) -> tuple[Sequence[int], Sequence[int]]:
    """Post ids and their epoch seconds for a filtered time window, both in time order.

    Two integers a row from the (workspace_id, scheduled_at) index: cheap even for a month of
    thousands of posts, so a calendar can count every day but build DTOs only for what it shows.
    """
    q = select(_post.id, type_coerce(_post.scheduled_at, Integer))
    q = _apply_filter(q, workspace_id, f).order_by(_post.scheduled_at, _post.id)
    result = s.connection().execute(q)
    try:
        # Plain DBAPI tuples: the two columns are integers with no type processing, and building
        # SQLAlchemy Row objects for ten thousand of them was most of a month view's wait.
        rows = result.cursor.fetchall()
    finally:
        result.close()
    if not rows:
        return (), ()
    ids, stamps = zip(*rows, strict=True)
    return ids, stamps


def _summaries(workspace_id: int, rows: Sequence[Any]) -> list[PostSummary]:
    statuses = {st.value: st for st in PostStatus}
    times: dict[int | None, datetime | None] = {None: None}
    combos: dict[str | None, tuple[int, ...]] = {None: ()}
    out: list[PostSummary] = []
    append = out.append
    for pid, title, snippet, status, ts, campaign, rev, chans in rows:
        when = times.get(ts)
        if when is None and ts is not None:
            when = times[ts] = _fromts(ts, UTC)
        ids = combos.get(chans)
        if ids is None:
            ids = combos[chans] = tuple(sorted(map(int, chans.split(","))))
        append(
            PostSummary(
                pid, workspace_id, title, snippet or "", statuses[status], when, campaign, ids, rev
            )
        )
    return out


def count_by_status(s: Session, workspace_id: int) -> dict[PostStatus, int]:
    q = (
        select(_post.status, func.count())
        .where(_post.workspace_id == workspace_id, _post.trashed_at.is_(None))
        .group_by(_post.status)
    )
    counts = {st: 0 for st in PostStatus}
    for status, n in s.execute(q):
        counts[PostStatus(status)] = n
    return counts


_ATTENTION_STATUSES = (PostStatus.FAILED.value, PostStatus.MISSED.value)


def _has_target_to_confirm() -> Any:
    return exists().where(
        Target.post_id == _post.id, Target.state == TargetState.NEEDS_CONFIRMATION.value
    )


def count_to_confirm(s: Session, workspace_id: int) -> int:
    """Posts with a delivery only the person can settle (did it go out or not?)."""
    q = select(func.count()).where(
        _post.workspace_id == workspace_id, _post.trashed_at.is_(None), _has_target_to_confirm()
    )
    return int(s.execute(q).scalar_one())


def targets_of(s: Session, post_id: int) -> list[Target]:
    return list(s.scalars(select(Target).where(Target.post_id == post_id)))


def channels_in_workspace(s: Session, workspace_id: int, ids: Iterable[int]) -> list[Channel]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    q = select(Channel).where(Channel.id.in_(wanted), Channel.workspace_id == workspace_id)
    return list(s.scalars(q))


def any_rows(s: Session, model: type[Any]) -> bool:
    return s.execute(select(exists().select_from(model))).scalar_one()
