"""Media files: copied into the data folder under their content hash, with their alt text.

A post keeps working if the original file is moved or deleted, and the same picture attached to
ten posts is stored once. Alt text belongs to the file, since it describes the picture.
"""

from __future__ import annotations

import hashlib
import mimetypes
import shutil
from pathlib import Path

from sqlalchemy import select

from cmdesk import repositories as repo
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import MediaDTO
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import MediaAsset
from cmdesk.services.base import Service

MAX_FILE_BYTES = 200 * 1024 * 1024
_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def sniff_mime(path: Path, head: bytes) -> str:
    """The file's type from its first bytes where they say it, else from its name."""
    for magic, mime in _MAGIC.items():
        if head.startswith(magic):
            return mime
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "video/mp4"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def image_size(path: Path) -> tuple[int | None, int | None]:
    """Width and height of an image, if Pillow can read it."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - Pillow is a dependency; stay usable without it
        return None, None
    try:
        with Image.open(path) as img:
            return img.width, img.height
    except Exception:
        return None, None


def media_dto(a: MediaAsset, root: Path) -> MediaDTO:
    return MediaDTO(
        id=a.id,
        workspace_id=a.workspace_id,
        path=str(root / a.path),
        original_name=a.original_name,
        mime_type=a.mime_type,
        size_bytes=a.size_bytes,
        width=a.width,
        height=a.height,
        alt_text=a.alt_text,
    )


class MediaService(Service):
    """The media library of each workspace."""

    def __init__(self, db: Database, clock: Clock, hub: EventHub, root: Path) -> None:
        super().__init__(db, clock, hub)
        self.root = root

    def add_file(self, workspace_id: int, source: str | Path, *, alt_text: str = "") -> MediaDTO:
        """Copy a file into the library (or find it there already) and return it."""
        path = Path(source).expanduser()
        if not path.is_file():
            raise ValidationError(f"{path} is not a file that can be read.", field="media")
        size = path.stat().st_size
        if size == 0:
            raise ValidationError(f"{path.name} is empty.", field="media")
        if size > MAX_FILE_BYTES:
            raise ValidationError(
                f"{path.name} is {size // (1024 * 1024)} MB; cmdesk takes files up to "
                f"{MAX_FILE_BYTES // (1024 * 1024)} MB.",
                field="media",
            )
        digest = hashlib.sha256()
        with path.open("rb") as fh:
            head = fh.read(64)
            digest.update(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        mime = sniff_mime(path, head)
        if not mime.startswith(("image/", "video/")):
            raise ValidationError(
                f"{path.name} is not an image or a video cmdesk can attach ({mime}).", field="media"
            )
        suffix = mimetypes.guess_extension(mime) or path.suffix
        relative = Path(sha[:2]) / f"{sha}{suffix}"
        stored = self.root / relative
        if not stored.exists():
            stored.parent.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_suffix(stored.suffix + ".part")
            shutil.copyfile(path, tmp)
            tmp.replace(stored)  # atomic: a crash never leaves half a file under the final name
        width, height = image_size(stored) if mime.startswith("image/") else (None, None)
        with self._write() as s:
            repo.get_workspace(s, workspace_id)
            asset = s.scalars(
                select(MediaAsset).where(
                    MediaAsset.workspace_id == workspace_id, MediaAsset.sha256 == sha
                )
            ).first()
            if asset is None:
                asset = MediaAsset(
                    workspace_id=workspace_id,
                    sha256=sha,
                    path=str(relative),
                    original_name=path.name,
                    mime_type=mime,
                    size_bytes=size,
                    width=width,
                    height=height,
                    alt_text=alt_text,
                    created_at=self.clock.now(),
                )
                s.add(asset)
            elif alt_text:
                asset.alt_text = alt_text
            s.flush()
            dto = media_dto(asset, self.root)
        self._emit(ChangeSet.of(created=[("media", dto.id)], subject=dto.id))
        return dto
