"""Read queries for the campaigns page and the calendar's bands (on a given session)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from cmdesk.campaigns.dto import CampaignBand
from cmdesk.dto import CampaignDTO
from cmdesk.models import Campaign, Post, PostTag, Tag
from cmdesk.repositories import campaign_dto
from cmdesk.status import PostStatus

_post = Post.__table__.c


def campaign_counts(s: Session, workspace_id: int) -> dict[int, tuple[int, int, int]]:
    """Per campaign id: (posts, published, scheduled), trashed and archived posts left out."""
    published = func.sum(case((_post.status == PostStatus.PUBLISHED.value, 1), else_=0))
    scheduled = func.sum(case((_post.status == PostStatus.SCHEDULED.value, 1), else_=0))
    q = (
        select(_post.campaign_id, func.count(), published, scheduled)
        .where(
            _post.workspace_id == workspace_id,
            _post.trashed_at.is_(None),
            _post.campaign_id.is_not(None),
            _post.status != PostStatus.ARCHIVED.value,
        )
        .group_by(_post.campaign_id)
    )
    return {cid: (int(n), int(p or 0), int(sc or 0)) for cid, n, p, sc in s.execute(q)}


def label_counts(s: Session, workspace_id: int) -> dict[int, int]:
    """Per tag or pillar id: how many live (not trashed) posts carry it."""
    live = and_(_post.workspace_id == workspace_id, _post.trashed_at.is_(None))
    pillars = (
        select(_post.pillar_id, func.count())
        .where(live, _post.pillar_id.is_not(None))
        .group_by(_post.pillar_id)
    )
    pt = PostTag.__table__.c
    tags = (
        select(pt.tag_id, func.count())
        .select_from(PostTag.__table__.join(Post.__table__, pt.post_id == _post.id))
        .where(live)
        .group_by(pt.tag_id)
    )
    counts: dict[int, int] = {}
    for tid, n in [*s.execute(pillars), *s.execute(tags)]:
        counts[tid] = counts.get(tid, 0) + int(n)
    return counts


def campaigns_overlapping(s: Session, workspace_id: int, first: date, last: date) -> list[Campaign]:
    """Campaigns with at least one date that run on some day of ``[first, last]``."""
    q = (
        select(Campaign)
        .where(
            Campaign.workspace_id == workspace_id,
            or_(Campaign.starts_on.is_not(None), Campaign.ends_on.is_not(None)),
            or_(Campaign.starts_on.is_(None), Campaign.starts_on <= last),
            or_(Campaign.ends_on.is_(None), Campaign.ends_on >= first),
        )
        .order_by(func.coalesce(Campaign.starts_on, first), Campaign.name)
    )
    return list(s.scalars(q))


def bands(campaigns: Sequence[CampaignDTO], first: date, last: date) -> list[CampaignBand]:
    """Each campaign's run clipped to ``[first, last]`` (campaigns outside it are left out)."""
    out: list[CampaignBand] = []
    for c in campaigns:
        if c.starts_on is None and c.ends_on is None:
            continue
        start = c.starts_on if c.starts_on is not None else first
        end = c.ends_on if c.ends_on is not None else last
        lo, hi = max(start, first), min(end, last)
        if lo <= hi:
            out.append(CampaignBand(c, lo, hi, c.starts_on is None, c.ends_on is None))
    return out


def tag_of(s: Session, tag_id: int) -> Tag | None:
    return s.get(Tag, tag_id)


def to_dtos(rows: Sequence[Campaign]) -> list[CampaignDTO]:
    return [campaign_dto(c) for c in rows]
