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
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk.dto import PostInput
from cmdesk.errors import UserError, ValidationError
from cmdesk.exchange.csv_import import ImportPlan, MediaFile, PlannedPost
from cmdesk.models import Campaign, MediaAsset, Tag
from cmdesk.services.media import image_size
from cmdesk.services.plan_rules import PlanRules


def write_plan(
    s: Session, plan: ImportPlan, rules: PlanRules, media_root: Path, now: datetime
) -> list[int]:
    """Create the plan's new posts; returns their ids in file order."""
    wid = plan.workspace_id
    campaigns = _names(s, wid, plan.new_campaigns, "campaign")
    pillars = _names(s, wid, plan.new_pillars, "pillar")
    tags = _names(s, wid, plan.new_tags, "tag")
    assets: dict[str, int] = {}
    created: list[int] = []
    for post in plan.to_create:
        media_ids = tuple(_asset(s, wid, m, media_root, now, assets) for m in post.media)
        data = PostInput(
            title=post.title,
            text=post.text,
            channel_ids=post.channel_ids,
            campaign_id=campaigns.get(post.campaign.casefold()) if post.campaign else None,
            pillar_id=pillars.get(post.pillar.casefold()) if post.pillar else None,
            tag_ids=tuple(tags[t.casefold()] for t in post.tags),
            media_ids=media_ids,
        )
        try:
            row = rules.new_post(s, wid, data, post.status, post.scheduled_at)
        except UserError as exc:
            raise ValidationError(f"{post.line}:0: {exc.message} Nothing was imported.") from None
        row.created_at = now
        created.append(row.id)
    return created


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
