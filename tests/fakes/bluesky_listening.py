"""The listening half of the fake Bluesky: ``app.bsky.feed.searchPosts`` over other people's posts.

``FakeListeningBluesky`` answers, besides everything ``FakeBluesky`` does, searchPosts as
``reference/networks.md`` 2.7 records it: ``q`` (words that must all be in the text; ``#tag``
finds the tag), ``sort=latest`` (newest first), ``since`` (``indexedAt`` at or after it),
``limit`` (1-100, default 25), ``tag`` (repeatable, no '#': every tag must be on the post, as a
``#tag`` word of its text or in the record's ``tags``) and an opaque ``cursor``. ``bad_query``
makes it refuse with ``BadQueryString``. ``fail_next(..., only="app.bsky.feed.searchPosts")``
injects 429 and 5xx.

Knob: :meth:`post_public` (someone posts; not a notification).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.fakes.bluesky_inbox import _BASE, POST, _iso
from tests.fakes.bluesky_server import FakeBluesky, XrpcError, record_cid

SEARCH = "app.bsky.feed.searchPosts"


class FakeListeningBluesky(FakeBluesky):
    """A fake PDS that also searches posts."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bad_query = False
        self._public: list[dict[str, Any]] = []  # oldest first

    def post_public(self, author: str, text: str, *, display_name: str = "") -> dict[str, Any]:
        """``author`` (a handle) posts ``text``; returns the post view."""
        with self._lock:
            n = next(self._seq)
            did = f"did:plc:{author.replace('.', '')[:20]}"
            when = _BASE + timedelta(seconds=n)
            record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _iso(when)}
            view = {
                "uri": f"at://{did}/{POST}/3kpub{n:08d}aa",
                "cid": record_cid(record),
                "author": {"did": did, "handle": author, "displayName": display_name},
                "record": record,
                "indexedAt": _iso(when),
            }
            self._foreign[view["uri"]] = view
            self._public.append(view)
            return view

    def _inbox_xrpc(self, nsid: str, query: dict[str, str]) -> Any:
        if nsid == SEARCH:
            return self._search(query)
        return super()._inbox_xrpc(nsid, query)

    def _search(self, query: dict[str, str]) -> dict[str, Any]:
        q = query.get("q", "").strip()
        if self.bad_query or not q:
            raise XrpcError(400, "BadQueryString", "Error parsing query string")
        words = q.lower().split()
        tags = [t.lower() for t in (query.get("tag") or "").split("\n") if t]
        if any(t.startswith("#") for t in tags):
            raise XrpcError(400, "BadQueryString", "A tag is given without its '#'")
        limit = max(1, min(int(query.get("limit") or 25), 100))
        start = int(query.get("cursor") or 0)
        since = query.get("since") or ""
        with self._lock:
            found = [
                v
                for v in reversed(self._public)
                if all(w in v["record"]["text"].lower() for w in words)
                and all(t in _tags(v["record"]) for t in tags)
                and (not since or v["indexedAt"] >= _norm(since))
            ]
        page = found[start : start + limit]
        body: dict[str, Any] = {"posts": page}
        if start + limit < len(found):
            body["cursor"] = str(start + limit)
        return body


def _norm(since: str) -> str:
    """``since`` as the fake's own timestamp text, so the two compare as strings."""
    from datetime import datetime

    moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    return _iso(moment)


def _tags(record: dict[str, Any]) -> set[str]:
    """The hashtags of a post: ``#words`` of its text and its ``tags`` field, lower case."""
    found = {w[1:].lower().rstrip(".,!?") for w in record["text"].split() if w.startswith("#")}
    return found | {str(t).lower() for t in record.get("tags") or []}
