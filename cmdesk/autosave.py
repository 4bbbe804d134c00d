"""A crash-safe local journal of what is typed in the composer before it is saved.

Nothing typed is ever lost: while the person writes, the composer hands its content to
:class:`DraftJournal` every second or two and when it loses focus. Each draft is one small JSON
file in the data folder's ``drafts`` folder, written to a temporary file, flushed with ``fsync``
and moved over the old one with ``os.replace``, so after a crash or a power cut the file holds
either the previous or the new content, never half of one. The folder itself is synced too, so
the rename survives a power cut.

On the next start :meth:`DraftJournal.pending` lists what was never saved, and the composer
reopens it; a draft leaves the journal when its post is saved or the person discards it. A file
that cannot be read is set aside (renamed ``*.unreadable``), never deleted.

The journal holds post content only (text, channel ids, media ids, a time): no secrets.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cmdesk.paths import data_dir

log = logging.getLogger(__name__)

FORMAT = 1
_KEY_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class VariantDraft:
    """A channel's own version as typed: ``text`` None means the master text."""

    channel_id: int
    text: str | None = None
    thread_parts: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class DraftSnapshot:
    """Everything the composer shows that is not saved yet.

    ``post_id`` is None for a new post; ``revision`` is the post's revision when editing began,
    so a save after recovery still notices an edit made elsewhere meanwhile.
    """

    key: str
    workspace_id: int
    post_id: int | None = None
    revision: int | None = None
    title: str = ""
    text: str = ""
    channel_ids: tuple[int, ...] = ()
    media_ids: tuple[int, ...] = ()
    variants: tuple[VariantDraft, ...] = ()
    scheduled_at: datetime | None = None
    saved_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scheduled_at"] = self.scheduled_at.isoformat() if self.scheduled_at else None
        data["saved_at"] = self.saved_at.isoformat()
        data["format"] = FORMAT
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> DraftSnapshot:
        """Read a snapshot back; raises ``ValueError``/``KeyError``/``TypeError`` when malformed."""
        scheduled = data.get("scheduled_at")
        variants = tuple(
            VariantDraft(
                channel_id=int(v["channel_id"]),
                text=None if v.get("text") is None else str(v["text"]),
                thread_parts=None
                if v.get("thread_parts") is None
                else tuple(str(p) for p in v["thread_parts"]),
            )
            for v in data.get("variants") or ()
        )
        return cls(
            key=str(data["key"]),
            workspace_id=int(data["workspace_id"]),
            post_id=None if data.get("post_id") is None else int(data["post_id"]),
            revision=None if data.get("revision") is None else int(data["revision"]),
            title=str(data.get("title") or ""),
            text=str(data.get("text") or ""),
            channel_ids=tuple(int(c) for c in data.get("channel_ids") or ()),
            media_ids=tuple(int(m) for m in data.get("media_ids") or ()),
            variants=variants,
            scheduled_at=datetime.fromisoformat(scheduled) if scheduled else None,
            saved_at=datetime.fromisoformat(str(data["saved_at"])),
        )


def new_key() -> str:
    """A fresh journal key for one composer window."""
    return uuid.uuid4().hex


class DraftJournal:
    """Unsaved composer content, one atomically replaced file per composer window."""

    def __init__(self, folder: Path | None = None) -> None:
        self._folder = folder

    @property
    def folder(self) -> Path:
        # Resolved late, so a data folder chosen after start-up (tests, --data-dir) is honoured.
        return self._folder if self._folder is not None else data_dir() / "drafts"

    def save(self, snapshot: DraftSnapshot) -> None:
        """Write ``snapshot`` durably, replacing the earlier one with the same key."""
        path = self._path(snapshot.key)
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(snapshot.to_json(), ensure_ascii=False).encode("utf-8")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            fh.write(body)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _sync_folder(path.parent)

    def pending(self) -> list[DraftSnapshot]:
        """Drafts never saved, oldest first; unreadable files are set aside and logged."""
        folder = self.folder
        if not folder.is_dir():
            return []
        found: list[DraftSnapshot] = []
        for path in sorted(folder.glob("*.json")):
            try:
                found.append(DraftSnapshot.from_json(json.loads(path.read_text("utf-8"))))
            except (OSError, ValueError, KeyError, TypeError):
                log.warning("autosaved draft %s cannot be read; kept as *.unreadable", path.name)
                with contextlib.suppress(OSError):
                    path.replace(path.with_suffix(".unreadable"))
        return sorted(found, key=lambda d: d.saved_at)

    def get(self, key: str) -> DraftSnapshot | None:
        path = self._path(key)
        try:
            return DraftSnapshot.from_json(json.loads(path.read_text("utf-8")))
        except FileNotFoundError:
            return None

    def discard(self, key: str) -> None:
        """Forget a draft (its post was saved, or the person threw it away)."""
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def _path(self, key: str) -> Path:
        if not _KEY_RE.match(key):
            raise ValueError(f"not a journal key: {key!r}")
        return self.folder / f"{key}.json"


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
