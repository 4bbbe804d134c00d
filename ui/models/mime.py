"""The vendor MIME type that carries posts between views (calendar, side list, board, list).

A drag carries post ids, the workspace they belong to and whether Ctrl asked for a copy; never a
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
