"""Writing a checked import plan inside the caller's one transaction.

Media files are copied into the content-addressed store first (a file already there is not copied
again); their ``MediaAsset`` rows, the missing campaigns and labels asked for, and every post are
added in the caller's session, so a failure anywhere leaves no row behind. A copied file whose row
was rolled back stays in the store unused: it is named by its content, so it is harmless and is
reused by the next import of that file.
"""

from __future__ import annotations

import mimetypes
import shutil
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from cmdesk.errors import ValidationError
from cmdesk.exchange.csv_import import ImportPlan, MediaFile, PlannedPost
from cmdesk.models import Campaign, MediaAsset, Post, PostMedia, PostTag, Tag, Target
from cmdesk.services.media import image_size
from cmdesk.status import PostStatus, TargetState


def write_plan(
    s: Session, plan: ImportPlan, media_root: Path, now: datetime
) -> list[tuple[str, int]]:
    """Create the plan's new posts (and labels); returns what was made as (kind, id) pairs.

    Posts come first, in file order, then the campaigns and labels created for them.

    Every row was checked against this workspace by :func:`~cmdesk.exchange.csv_import.check_table`
    (content, channels, labels, a time from now on), so the rows are written in bulk, as
    ``PlanRules.new_post`` would write them one by one: a scheduled post's targets are queued at
    its time, the others wait as pending. Bulk statements keep 5,000 rows to a few seconds.
    """
    wid = plan.workspace_id
    posts = plan.to_create
    if not posts:
        return []
    campaigns = _names(s, wid, plan.new_campaigns, "campaign")
    pillars = _names(s, wid, plan.new_pillars, "pillar")
    tags = _names(s, wid, plan.new_tags, "tag")
    assets: dict[str, int] = {}
    media = [[_asset(s, wid, m, media_root, now, assets) for m in p.media] for p in posts]
    # Core statements on the tables: the ORM's bulk path would send one INSERT a row.
    table = _table(Post)
    ids = list(
        s.execute(
            insert(table).returning(table.c.id, sort_by_parameter_order=True),
            [_post_row(wid, p, campaigns, pillars, now) for p in posts],
        ).scalars()
    )
    _links(s, posts, ids, tags, media, now)
    made = [("post", pid) for pid in ids]
    made += [("campaign", campaigns[n.casefold()]) for n in plan.new_campaigns]
    made += [
        ("tag", labels[n.casefold()])
        for new, labels in ((plan.new_pillars, pillars), (plan.new_tags, tags))
        for n in new
    ]
    return made


def _table(model: type[Any]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _post_row(
    wid: int, p: PlannedPost, campaigns: dict[str, int], pillars: dict[str, int], now: datetime
) -> dict[str, Any]:
    return {
        "workspace_id": wid,
        "title": p.title,
        "text": p.text,
        "status": p.status.value,
        "scheduled_at": p.scheduled_at,
        "campaign_id": campaigns.get(p.campaign.casefold()) if p.campaign else None,
        "pillar_id": pillars.get(p.pillar.casefold()) if p.pillar else None,
        "notes": "",
        "author": "",
        "revision": 1,
        "created_at": now,
        "updated_at": now,
    }


def _links(
    s: Session,
    posts: Sequence[PlannedPost],
    ids: Sequence[int],
    tags: dict[str, int],
    media: Sequence[Sequence[int]],
    now: datetime,
) -> None:
    """Targets (queued for scheduled posts), tags and media of the new posts."""
    targets: list[dict[str, Any]] = []
    labels: list[dict[str, Any]] = []
    attached: list[dict[str, Any]] = []
    for post, pid, media_ids in zip(posts, ids, media, strict=True):
        queued = post.status == PostStatus.SCHEDULED
        for cid in post.channel_ids:
            targets.append(
                {
                    "post_id": pid,
                    "channel_id": cid,
                    "state": (TargetState.QUEUED if queued else TargetState.PENDING).value,
                    "due_at": post.scheduled_at if queued else None,
                    "attempts": 0,
                    "last_error": "",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        for name in dict.fromkeys(t.casefold() for t in post.tags):
            labels.append({"post_id": pid, "tag_id": tags[name]})
        for position, mid in enumerate(dict.fromkeys(media_ids)):
            attached.append({"post_id": pid, "media_id": mid, "position": position})
    for model, rows in ((Target, targets), (PostTag, labels), (PostMedia, attached)):
        if rows:
            s.execute(insert(_table(model)), rows)


def _names(s: Session, wid: int, new: tuple[str, ...], kind: str) -> dict[str, int]:
    """Casefolded names to ids of the workspace's campaigns or labels, adding ``new`` ones."""
    if kind == "campaign":
        for name in new:
            s.add(Campaign(workspace_id=wid, name=name))
        s.flush()
        rows = s.execute(select(Campaign.name, Campaign.id).where(Campaign.workspace_id == wid))
    else:
        for name in new:
            s.add(Tag(workspace_id=wid, kind=kind, name=name))
        s.flush()
        rows = s.execute(select(Tag.name, Tag.id).where(Tag.workspace_id == wid, Tag.kind == kind))
    return {name.casefold(): tid for name, tid in rows}


def _asset(
    s: Session, wid: int, media: MediaFile, root: Path, now: datetime, seen: dict[str, int]
) -> int:
    """The workspace's asset for this file (copied into the store and added when new)."""
    known = seen.get(media.sha256)
    if known is None:
        asset = s.scalars(
            select(MediaAsset).where(
                MediaAsset.workspace_id == wid, MediaAsset.sha256 == media.sha256
            )
        ).first()
        if asset is None:
            asset = _store(media, root, wid, now)
            s.add(asset)
        if media.alt_text:
            asset.alt_text = media.alt_text
        s.flush()
        known = seen[media.sha256] = asset.id
    elif media.alt_text:
        asset = s.get(MediaAsset, known)
        if asset is not None:
            asset.alt_text = media.alt_text
    return known


def _store(media: MediaFile, root: Path, wid: int, now: datetime) -> MediaAsset:
    suffix = mimetypes.guess_extension(media.mime_type) or media.path.suffix
    relative = Path(media.sha256[:2]) / f"{media.sha256}{suffix}"
    stored = root / relative
    try:
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_suffix(stored.suffix + ".part")
            shutil.copyfile(media.path, tmp)
            tmp.replace(stored)
    except OSError as exc:
        raise ValidationError(
            f"Could not copy {media.path} into the media library ({exc.strerror or exc}). "
            "Nothing was imported."
        ) from None
    width, height = image_size(stored) if media.mime_type.startswith("image/") else (None, None)
    return MediaAsset(
        workspace_id=wid,
        sha256=media.sha256,
        path=str(relative),
        original_name=media.path.name,
        mime_type=media.mime_type,
        size_bytes=stored.stat().st_size,
        width=width,
        height=height,
        alt_text=media.alt_text,
        created_at=now,
    )


def planned_label(post: PlannedPost) -> str:
    """How a planned post is named in messages ("line 4: Launch teaser")."""
    return f"line {post.line}: {post.snippet}"
