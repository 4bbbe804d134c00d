"""The vendor MIME types that carry posts between views, and ideas from the bin onto the calendar.

A drag carries post (or idea) ids, the workspace they belong to and whether Ctrl asked for a copy; never a
whole post, so a drop always acts on what the database holds now.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QMimeData

POST_MIME_TYPE = "application/x-cmdesk-posts"


@dataclass(frozen=True, slots=True)
class DraggedPosts:
    """What a drag of posts carries."""

    workspace_id: int
    post_ids: tuple[int, ...]


def encode_posts(workspace_id: int, post_ids: Iterable[int]) -> QMimeData:
    """Mime data for a drag of ``post_ids`` (also a plain-text fallback for other apps)."""
    ids = tuple(dict.fromkeys(int(p) for p in post_ids))
    mime = QMimeData()
    payload = json.dumps({"workspace_id": workspace_id, "post_ids": list(ids)})
    mime.setData(POST_MIME_TYPE, QByteArray(payload.encode("utf-8")))
    mime.setText(", ".join(f"post {i}" for i in ids))
    return mime


def decode_posts(mime: QMimeData | None) -> DraggedPosts | None:
    """The posts a drag carries, or None for anything that is not a well-formed cmdesk drag."""
    if mime is None or not mime.hasFormat(POST_MIME_TYPE):
        return None
    try:
        data = json.loads(bytes(mime.data(POST_MIME_TYPE).data()).decode("utf-8"))
        ids = tuple(int(p) for p in data["post_ids"])
        workspace_id = int(data["workspace_id"])
    except (ValueError, KeyError, TypeError):
        return None
    return DraggedPosts(workspace_id, ids) if ids else None


#: Ideas of the ideas bin dragged onto the calendar (each becomes a draft where it is dropped).
IDEA_MIME_TYPE = "application/x-cmdesk-idea"


@dataclass(frozen=True, slots=True)
class DraggedIdeas:
    """What a drag of ideas carries."""

    workspace_id: int
    idea_ids: tuple[int, ...]


def encode_ideas(workspace_id: int, idea_ids: Iterable[int]) -> QMimeData:
    """Mime data for a drag of ideas (a plain-text fallback names them)."""
    ids = tuple(dict.fromkeys(int(i) for i in idea_ids))
    mime = QMimeData()
    payload = json.dumps({"workspace_id": workspace_id, "idea_ids": list(ids)})
    mime.setData(IDEA_MIME_TYPE, QByteArray(payload.encode("utf-8")))
    mime.setText(", ".join(f"idea {i}" for i in ids))
    return mime


def decode_ideas(mime: QMimeData | None) -> DraggedIdeas | None:
    """The ideas a drag carries, or None for anything that is not a well-formed drag of ideas."""
    if mime is None or not mime.hasFormat(IDEA_MIME_TYPE):
        return None
    try:
        data = json.loads(bytes(mime.data(IDEA_MIME_TYPE).data()).decode("utf-8"))
        ids = tuple(int(i) for i in data["idea_ids"])
        workspace_id = int(data["workspace_id"])
    except (ValueError, KeyError, TypeError):
        return None
    return DraggedIdeas(workspace_id, ids) if ids else None


def carries_plan_items(mime: QMimeData | None) -> bool:
    """Whether a drag carries posts or ideas (what the calendar's cells take)."""
    return decode_posts(mime) is not None or decode_ideas(mime) is not None
