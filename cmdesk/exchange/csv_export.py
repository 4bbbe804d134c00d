"""Writing posts as CSV rows in the documented columns, and what existing posts look like.

Times are written in the workspace's zone. The one exception is a time inside an autumn fold
that is the second of the two (01:30 after the clocks went back): its wall-clock time alone would
read back as the first, so such a row is written in UTC (``zone`` = ``UTC``) and re-imports to
the same instant.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cmdesk.exchange.csv_format import COLUMNS, join_list
from cmdesk.exchange.csv_import import Fingerprint
from cmdesk.models import Campaign, Channel, MediaAsset, Post, PostMedia, PostTag, Tag, Target
from cmdesk.status import TargetState
from cmdesk.timeutil import local_to_utc, utc_to_local

_CHUNK = 500
_POST_COLUMNS = (
    Post.id,
    Post.title,
    Post.text,
    Post.status,
    Post.scheduled_at,
    Post.published_at,
    Post.updated_at,
    Post.revision,
    Post.campaign_id,
    Post.pillar_id,
)


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A post with its names resolved, ready to become a CSV row or an iCalendar event."""

    id: int
    title: str
    text: str
    status: str
    scheduled_at: datetime | None
    published_at: datetime | None
    updated_at: datetime
    revision: int
    channels: tuple[str, ...]
    channel_ids: tuple[int, ...]
    campaign: str
    pillar: str
    tags: tuple[str, ...]
    media: tuple[tuple[str, str, str], ...]  # (absolute path, sha256, alt text)
    url: str


def load_records(
    s: Session, workspace_id: int, post_ids: Sequence[int], media_root: Path
) -> list[PostRecord]:
    """The posts (in the order of ``post_ids``) with channels, labels and media by name."""
    channels = _names(
        s, select(Channel.id, Channel.name).where(Channel.workspace_id == workspace_id)
    )
    campaigns = _names(
        s, select(Campaign.id, Campaign.name).where(Campaign.workspace_id == workspace_id)
    )
    labels = _names(s, select(Tag.id, Tag.name).where(Tag.workspace_id == workspace_id))
    out: list[PostRecord] = []
    for start in range(0, len(post_ids), _CHUNK):
        chunk = list(post_ids[start : start + _CHUNK])
        # Plain rows, not ORM objects: a 10,000-post export reads no more than it writes.
        posts = {row.id: row for row in s.execute(select(*_POST_COLUMNS).where(Post.id.in_(chunk)))}
        targets: dict[int, list[Any]] = defaultdict(list)
        for row in s.execute(
            select(Target.post_id, Target.channel_id, Target.state, Target.remote_url).where(
                Target.post_id.in_(chunk)
            )
        ):
            targets[row.post_id].append(row)
        tags: dict[int, list[str]] = defaultdict(list)
        for pid, tid in s.execute(
            select(PostTag.post_id, PostTag.tag_id).where(PostTag.post_id.in_(chunk))
        ):
            tags[pid].append(labels.get(tid, ""))
        media = _media(s, chunk, media_root)
        for pid in chunk:
            p = posts.get(pid)
            if p is not None:
                out.append(
                    _record(p, targets[pid], channels, campaigns, labels, tags[pid], media[pid])
                )
    return out


def _names(s: Session, query: Any) -> dict[int, str]:
    return {rid: name for rid, name in s.execute(query)}


def _media(s: Session, chunk: list[int], root: Path) -> dict[int, list[tuple[str, str, str]]]:
    """Each post's files in order: (absolute path, content hash, alt text)."""
    media: dict[int, list[tuple[str, str, str]]] = defaultdict(list)
    rows = s.execute(
        select(PostMedia.post_id, MediaAsset.path, MediaAsset.sha256, MediaAsset.alt_text)
        .join(MediaAsset, MediaAsset.id == PostMedia.media_id)
        .where(PostMedia.post_id.in_(chunk))
        .order_by(PostMedia.post_id, PostMedia.position)
    )
    for pid, path, sha, alt in rows:
        media[pid].append((str(root / path), sha, alt or ""))
    return media


def _record(
    p: Any,
    post_targets: list[Any],
    channels: dict[int, str],
    campaigns: dict[int, str],
    labels: dict[int, str],
    tags: list[str],
    media: list[tuple[str, str, str]],
) -> PostRecord:
    live = sorted(
        (t for t in post_targets if t.state != TargetState.CANCELLED.value),
        key=lambda t: (channels.get(t.channel_id, "").casefold(), t.channel_id),
    )
    url = next((t.remote_url for t in live if t.remote_url), "") or ""
    return PostRecord(
        id=p.id,
        title=p.title,
        text=p.text,
        status=p.status,
        scheduled_at=p.scheduled_at,
        published_at=p.published_at,
        updated_at=p.updated_at,
        revision=p.revision,
        channels=tuple(channels.get(t.channel_id, "") for t in live),
        channel_ids=tuple(t.channel_id for t in live),
        campaign=campaigns.get(p.campaign_id, "") if p.campaign_id else "",
        pillar=labels.get(p.pillar_id, "") if p.pillar_id else "",
        tags=tuple(sorted(tags, key=str.casefold)),
        media=tuple(media),
        url=url,
    )


def csv_cells(r: PostRecord, tz: str) -> list[str]:
    """One row in :data:`~cmdesk.exchange.csv_format.COLUMNS` order."""
    day = clock = zone_name = ""
    if r.scheduled_at is not None:
        local = utc_to_local(r.scheduled_at, tz)
        zone_name = tz
        if local_to_utc(local.replace(tzinfo=None), tz) != r.scheduled_at:
            local, zone_name = utc_to_local(r.scheduled_at, "UTC"), "UTC"
        day, clock = local.date().isoformat(), f"{local:%H:%M}"
    alts = [m[2] for m in r.media]
    cells = {
        "id": str(r.id),
        "date": day,
        "time": clock,
        "zone": zone_name,
        "channels": join_list(r.channels),
        "title": r.title,
        "text": r.text,
        "status": r.status,
        "campaign": r.campaign,
        "pillar": r.pillar,
        "tags": join_list(r.tags),
        "media path": join_list([m[0] for m in r.media]),
        "alt text": join_list(alts) if any(alts) else "",
    }
    return [cells[c] for c in COLUMNS]


def render_csv(records: Iterable[PostRecord], tz: str) -> str:
    """The CSV text (header included) of the records; CRLF between rows as RFC 4180 says."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in records:
        writer.writerow(csv_cells(r, tz))
    return buffer.getvalue()


def fingerprint_of(r: PostRecord) -> Fingerprint:
    """An existing post in the terms of :func:`cmdesk.exchange.csv_import.fingerprint`."""
    return {
        "title": r.title,
        "text": r.text,
        "status": r.status,
        "when": r.scheduled_at,
        "channels": frozenset(r.channel_ids),
        "campaign": r.campaign.casefold(),
        "pillar": r.pillar.casefold(),
        "tags": frozenset(t.casefold() for t in r.tags),
        "media": tuple(m[1] for m in r.media),
        "alt text": tuple(m[2] for m in r.media),
    }
