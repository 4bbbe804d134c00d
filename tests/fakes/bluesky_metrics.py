"""The engagement half of the fake Bluesky: ``app.bsky.feed.getPosts`` with counts.

Mixed into :class:`tests.fakes.bluesky_server.FakeBluesky`. ``reference/networks.md`` 2.8:
getPosts takes up to 25 ``uris`` and answers a ``postView`` (with ``replyCount``,
``repostCount``, ``likeCount``, ``quoteCount``) for each post it can show, leaving the others out.
Counts are set with :meth:`set_counts`.
"""

from __future__ import annotations

from typing import Any

GET_POSTS = "app.bsky.feed.getPosts"
MAX_URIS = 25


class BlueskyMetricsMixin:
    """Counts on posts (state under the server's lock)."""

    _lock: Any

    def _metrics_init(self) -> None:
        self._counts: dict[str, dict[str, int]] = {}

    def set_counts(
        self, uri: str, *, replies: int = 0, reposts: int = 0, likes: int = 0, quotes: int = 0
    ) -> None:
        with self._lock:
            self._counts[uri] = {
                "replyCount": replies,
                "repostCount": reposts,
                "likeCount": likes,
                "quoteCount": quotes,
            }

    def _get_posts(self, query: dict[str, str]) -> dict[str, Any]:
        from tests.fakes.bluesky_server import XrpcError

        # The handler joins a repeated ``uris`` parameter with newlines.
        uris = [u for u in query.get("uris", "").split("\n") if u]
        if len(uris) > MAX_URIS:
            raise XrpcError(400, "InvalidRequest", f"uris must not have more than {MAX_URIS}")
        posts = []
        for uri in uris:
            view = self._view(uri)  # type: ignore[attr-defined]
            if view is None:
                continue
            with self._lock:
                counts = self._counts.get(uri, {})
            posts.append(
                {
                    **view,
                    "replyCount": 0,
                    "repostCount": 0,
                    "likeCount": 0,
                    "quoteCount": 0,
                    **counts,
                }
            )
        return {"posts": posts}
