"""Bluesky engagement counts: replies, reposts, likes and quotes of our posts.

``reference/networks.md`` 2.8: ``app.bsky.feed.getPosts?uris=...`` takes up to 25 AT-URIs and
answers a ``postView`` for each post it can show, with ``replyCount``, ``repostCount``,
``likeCount`` and ``quoteCount``. A post it leaves out was deleted (or taken down).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from cmdesk.adapters.base import TransientError
from cmdesk.adapters.bluesky_session import XrpcClient
from cmdesk.adapters.metrics import Metrics, count

BATCH = 25


def fetch_metrics(xrpc: XrpcClient, remote_ids: Sequence[str]) -> dict[str, Metrics]:
    wanted = list(dict.fromkeys(i for i in remote_ids if i))
    found: dict[str, Metrics] = {}
    for start in range(0, len(wanted), BATCH):
        chunk = wanted[start : start + BATCH]
        # ``uris`` repeats (uris=a&uris=b); requests encodes a list value that way.
        params = cast(Mapping[str, str], {"uris": chunk})
        body = xrpc.query("app.bsky.feed.getPosts", params)
        posts = body.get("posts") if isinstance(body, Mapping) else None
        if not isinstance(posts, list):
            raise TransientError("Bluesky sent post counts cmdesk cannot read; it will try again.")
        asked = set(chunk)
        for view in posts:
            uri = view.get("uri") if isinstance(view, Mapping) else None
            if isinstance(uri, str) and uri in asked:
                found[uri] = from_view(view)
    return found


def from_view(view: Mapping[str, Any]) -> Metrics:
    return Metrics(
        likes=count(view.get("likeCount")),
        reposts=count(view.get("repostCount")),
        replies=count(view.get("replyCount")),
        quotes=count(view.get("quoteCount")),
    )
