"""The listening half of the fake Mastodon server: the hashtag timeline and status search.

``FakeListeningMastodon`` answers, besides everything ``FakeMastodon`` does:

- ``GET /api/v1/timelines/tag/:hashtag`` (public): statuses whose ``tags`` hold the tag
  (case-insensitive), newest first, ``limit`` (default 20, max 40), ``max_id``/``since_id``/
  ``min_id`` paging (``min_id``: the page right after it, still newest first) and a ``Link``
  header;
- ``GET /api/v2/search?type=statuses&q=``: with ``full_text_search`` (the default) statuses whose
  text holds every word of ``q``; without it, what a server without a search index answers:
  only the account's own statuses that match (usually nothing). ``search_refused`` makes it
  answer 422 instead.

Knobs: :meth:`post_public` (someone posts, with hashtags). ``fail_next(..., path=...,
method="GET")`` from the main class injects 429, 5xx and broken answers here too.
"""

from __future__ import annotations

import html
import re
from typing import Any

from tests.fakes.mastodon_inbox import _id_key
from tests.fakes.mastodon_server import FakeMastodon, _Reply, _Request

_TAG_PATH = re.compile(r"/api/v1/timelines/tag/([^/]+)")


class FakeListeningMastodon(FakeMastodon):
    """A fake Mastodon server whose tag timeline and search can be listened to."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.full_text_search = True
        self.search_refused = False

    def post_public(
        self, username: str, text: str, *, tags: tuple[str, ...] = (), display_name: str = ""
    ) -> dict[str, Any]:
        """``username`` (created on first use) posts publicly; returns the status."""
        server: Any = self
        with self._lock:
            author = next((a for a in server._accounts.values() if a.username == username), None)
            if author is None:
                account_id = server.add_account(username, f"token-{username}")
                author = server._accounts[account_id]
            if display_name:
                author.display_name = display_name
            words = " ".join(f"#{t}" for t in tags)
            status: dict[str, Any] = server._create_status(
                author,
                text=f"{text} {words}".strip(),
                spoiler="",
                visibility="public",
                language="en",
                reply_to=None,
                media_ids=[],
                sensitive=False,
            )
            status["tags"] = [{"name": t.lower(), "url": f"{self.url}/tags/{t}"} for t in tags]
            return status

    def _dispatch(self, req: _Request) -> _Reply:
        if req.method == "GET":
            tag = _TAG_PATH.fullmatch(req.path)
            if tag:
                with self._lock:
                    return self._tag_timeline(req, tag.group(1))
            if req.path == "/api/v2/search":
                denied = self._authenticate(req)
                if denied:
                    return denied
                with self._lock:
                    return self._search(req)
        return super()._dispatch(req)

    def _tag_timeline(self, req: _Request, tag: str) -> _Reply:
        wanted = tag.lower()
        found = [
            s for s in self._statuses if any(t.get("name") == wanted for t in s.get("tags") or [])
        ]
        return self._page(req, found, f"/api/v1/timelines/tag/{tag}")

    def _search(self, req: _Request) -> _Reply:
        if self.search_refused:
            return _Reply(422, {"error": "Search is not enabled on this server"})
        words = req.one("q").lower().split()

        def hit(status: dict[str, Any]) -> bool:
            plain = html.unescape(re.sub(r"<[^>]+>", " ", status["content"])).lower()
            return bool(words) and all(w in plain for w in words)

        found = [s for s in self._statuses if hit(s)]
        if not self.full_text_search:
            found = [s for s in found if req.account and s["account"]["id"] == req.account.id]
        reply = self._page(req, found, "/api/v2/search")
        return _Reply(200, {"accounts": [], "statuses": reply.body, "hashtags": []})

    def _page(self, req: _Request, found: list[dict[str, Any]], path: str) -> _Reply:
        try:
            limit = max(1, min(int(req.one("limit", "20")), 40))
        except ValueError:
            limit = 20
        keyed = sorted(((s["id"], s) for s in found), key=lambda p: _id_key(p[0]), reverse=True)
        max_id, since_id, min_id = req.one("max_id"), req.one("since_id"), req.one("min_id")
        if max_id:
            keyed = [p for p in keyed if _id_key(p[0]) < _id_key(max_id)]
        if since_id:
            keyed = [p for p in keyed if _id_key(p[0]) > _id_key(since_id)]
        # min_id: the page right after it (the oldest newer ones), still newest first.
        newer = [p for p in keyed if _id_key(p[0]) > _id_key(min_id)] if min_id else []
        page = newer[-limit:] if min_id else keyed[:limit]
        return _Reply(200, [s for _, s in page], self._links(path, page, limit))
