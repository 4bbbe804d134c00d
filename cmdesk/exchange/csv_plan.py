"""What checking a CSV file gives: the posts it would create, its problems, and what it needs.

These frozen values travel from the service to the window (the import dialog's preview and
problems tables) and to the writer; :mod:`cmdesk.exchange.csv_import` makes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cmdesk.dto import ChannelDTO
from cmdesk.exchange.csv_format import ImportProblem
from cmdesk.status import PostStatus

#: Measures a text for a channel: (count, limit, unit); limit 0 when unknown.
Measure = Callable[[ChannelDTO, str], tuple[int, int, str]]
#: What an existing post looks like, by the keys of :func:`fingerprint`.
Fingerprint = dict[str, Any]


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file a row attaches: where it is, its content hash and its alt text."""

    path: Path
    sha256: str
    mime_type: str
    alt_text: str


@dataclass(frozen=True, slots=True)
class PlannedPost:
    """A row that passed every check: what the import will create (or skip).

    ``when_local`` is the time as the person wrote it ("2026-03-30 09:00 Europe/Madrid"), for the
    preview; ``existing_id`` is set when the row is already in the plan and will be skipped.
    """

    line: int
    title: str
    text: str
    status: PostStatus
    scheduled_at: datetime | None
    when_local: str
    channel_ids: tuple[int, ...]
    channel_names: tuple[str, ...]
    campaign: str
    pillar: str
    tags: tuple[str, ...]
    media: tuple[MediaFile, ...]
    existing_id: int | None = None

    @property
    def snippet(self) -> str:
        body = " ".join((self.title or self.text).split())
        return body if len(body) <= 80 else body[:79] + "…"


@dataclass(frozen=True, slots=True)
class ImportPlan:
    """The outcome of checking a file: the posts to create and every problem found.

    Importing is allowed only when ``problems`` is empty. ``text`` and ``base_dir`` are kept so
    the import checks the file again at the moment it writes (the plan may have changed since).
    """

    workspace_id: int
    posts: tuple[PlannedPost, ...]
    problems: tuple[ImportProblem, ...]
    text: str = field(repr=False, default="")
    base_dir: str = ""
    create_missing: bool = False
    new_campaigns: tuple[str, ...] = ()
    new_pillars: tuple[str, ...] = ()
    new_tags: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def to_create(self) -> tuple[PlannedPost, ...]:
        return tuple(p for p in self.posts if p.existing_id is None)

    @property
    def skipped(self) -> tuple[PlannedPost, ...]:
        return tuple(p for p in self.posts if p.existing_id is not None)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What checking needs to know about the workspace, read once by the service."""

    workspace_id: int
    timezone: str
    default_time: str
    now: datetime
    channels: tuple[ChannelDTO, ...]
    campaigns: Mapping[str, int]  # casefolded name -> id
    pillars: Mapping[str, int]
    tags: Mapping[str, int]
    measure: Measure
    existing: Callable[[Sequence[int]], dict[int, Fingerprint]]
    base_dir: Path | None = None
    create_missing: bool = False
    #: Casefolded label and campaign names to the names as written in cmdesk, for messages.
    names: Mapping[str, str] = field(default_factory=dict)


def fingerprint(post: PlannedPost, look: Lookup) -> Fingerprint:
    """A row's post in the terms :func:`cmdesk.exchange.csv_export.fingerprints` gives."""
    return {
        "title": post.title,
        "text": post.text,
        "status": post.status.value,
        "when": post.scheduled_at,
        "channels": frozenset(post.channel_ids),
        "campaign": post.campaign.casefold(),
        "pillar": post.pillar.casefold(),
        "tags": frozenset(t.casefold() for t in post.tags),
        "media": tuple(m.sha256 for m in post.media),
        "alt text": tuple(m.alt_text for m in post.media),
    }
