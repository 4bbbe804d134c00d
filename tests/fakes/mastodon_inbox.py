"""The inbox half of the fake Mastodon server: notifications, direct conversations, thread context.

Mixed into :class:`tests.fakes.mastodon_server.FakeMastodon`. It serves what
``reference/networks.md`` 1.8 and 1.9 record: ``GET /api/v1/notifications`` newest first with
``max_id``/``since_id``/``min_id`` paging (``limit`` default 40, max 80), ``types[]`` filtering
and a ``Link`` header (``rel="next"`` older, ``rel="prev"`` newer); ``GET /api/v1/conversations``
(limit 20, max 40); ``GET /api/v1/statuses/:id/context`` (ancestors and descendants).

It keeps the notifications read marker (``GET``/``POST /api/v1/markers``, ``methods/markers.md``):
``{"notifications": {"last_read_id", "version", "updated_at"}}``; a POST stores what it is given
(later or not: the client must not move it back) and :attr:`marker_posts` keeps each id sent.
``markers_supported = False`` makes both answer 404, as a server without markers does.

Knobs for tests: :meth:`mention` (someone writes to the account: a mention, a reply, a direct
message or a quote), :meth:`raw_notification` (any JSON, for malformed and unknown items),
``ignore_types_filter`` (a server that sends every type), and ``fail_next(..., path=
"/api/v1/notifications", method="GET")`` from the main class for 429, 5xx and broken JSON.
"""

from __future__ import annotations

from typing import Any


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids sort as numbers (snowflakes); ULIDs (GoToSocial) sort as text of one length."""
    return (len(value), value)


class MastodonInboxMixin:
    """Notifications and threads for the fake server (state lives on the server, under its lock)."""

    # Provided by FakeMastodon.
    _lock: Any
    _statuses: list[dict[str, Any]]
    url: str

    def _inbox_init(self) -> None:
        self._notifications: list[dict[str, Any]] = []  # oldest first
        self._conversations: dict[str, dict[str, Any]] = {}
        self.ignore_types_filter = False
        self.markers_supported = True
        self.last_read_id = ""
        self.marker_posts: list[str] = []
        self._marker_version = 0

    # --- knobs -----------------------------------------------------------------------------------

    def mention(
        self,
        username: str,
        text: str = "",
        *,
        html: str | None = None,
        reply_to: str | None = None,
        visibility: str = "public",
        kind: str = "mention",
        quote_of: str | None = None,
        display_name: str = "",
    ) -> dict[str, Any]:
        """Someone (created on first use) writes to the first account; returns the notification."""
        server: Any = self
        with self._lock:
            author = next((a for a in server._accounts.values() if a.username == username), None)
            if author is None:
                account_id = server.add_account(username, f"token-{username}")
                author = server._accounts[account_id]
            if display_name:
                author.display_name = display_name
            status = server._create_status(
                author,
                text=text,
                spoiler="",
                visibility=visibility,
                language="en",
                reply_to=reply_to,
                media_ids=[],
                sensitive=False,
            )
            if html is not None:
                status["content"] = html
            if quote_of:
                quoted = next((s for s in self._statuses if s["id"] == quote_of), None)
                status["quote"] = {"state": "accepted", "quoted_status": quoted}
            if visibility == "direct":
                conv = self._conversations.setdefault(
                    reply_to or status["id"], {"id": server._next_id(), "unread": True}
                )
                conv["last_status"] = status
                conv["accounts"] = [status["account"]]
                conv["_order"] = server._next_id()
            note = {
                "id": server._next_id(),
                "type": kind,
                "created_at": status["created_at"],
                "account": status["account"],
                "status": status,
            }
            self._notifications.append(note)
            return note

    def raw_notification(self, body: Any) -> None:
        """Add any JSON as a notification (malformed or of an unknown type)."""
        server: Any = self
        with self._lock:
            if isinstance(body, dict) and "id" not in body:
                body = {**body, "id": server._next_id()}
            self._notifications.append(body)

    @property
    def notifications(self) -> list[Any]:
        with self._lock:
            return list(self._notifications)

    # --- endpoints -------------------------------------------------------------------------------

    def _notifications_list(self, req: Any) -> Any:
        from tests.fakes.mastodon_server import _Reply

        try:
            limit = max(1, min(int(req.one("limit", "40")), 80))
        except ValueError:
            limit = 40
        types = req.query.get("types[]") or []
        items = [
            n
            for n in self._notifications
            if self.ignore_types_filter
            or not types
            or not isinstance(n, dict)
            or n.get("type") in types
        ]
        keyed = [(self._note_id(n), n) for n in items]
        keyed.sort(key=lambda pair: _id_key(pair[0]), reverse=True)  # newest first
        max_id, since_id, min_id = req.one("max_id"), req.one("since_id"), req.one("min_id")
        if max_id:
            keyed = [p for p in keyed if _id_key(p[0]) < _id_key(max_id)]
        if since_id:
            keyed = [p for p in keyed if _id_key(p[0]) > _id_key(since_id)]
        if min_id:
            # min_id: the page right after min_id (the oldest newer ones), still newest first.
            newer = [p for p in keyed if _id_key(p[0]) > _id_key(min_id)]
            page = newer[-limit:]
        else:
            page = keyed[:limit]
        return _Reply(200, [n for _, n in page], self._links("/api/v1/notifications", page, limit))

    def _conversations_list(self, req: Any) -> Any:
        from tests.fakes.mastodon_server import _public, _Reply

        try:
            limit = max(1, min(int(req.one("limit", "20")), 40))
        except ValueError:
            limit = 20
        convs = sorted(
            self._conversations.values(), key=lambda c: _id_key(c["_order"]), reverse=True
        )
        max_id = req.one("max_id")
        if max_id:
            convs = [c for c in convs if _id_key(c["_order"]) < _id_key(max_id)]
        page = convs[:limit]
        return _Reply(200, [_public(c) for c in page])

    def _markers_get(self, req: Any) -> Any:
        from tests.fakes.mastodon_server import _Reply

        if not self.markers_supported:
            return _Reply(404, {"error": "Record not found"})
        wanted = req.query.get("timeline[]") or []
        if "notifications" not in wanted or not self.last_read_id:
            return _Reply(200, {})
        return _Reply(200, {"notifications": self._marker()})

    def _markers_set(self, req: Any) -> Any:
        from tests.fakes.mastodon_server import _Reply

        if not self.markers_supported:
            return _Reply(404, {"error": "Record not found"})
        last = req.one("notifications[last_read_id]")
        if not last:
            return _Reply(422, {"error": "Validation failed: Last read can't be blank"})
        self.last_read_id = last
        self.marker_posts.append(last)
        self._marker_version += 1
        return _Reply(200, {"notifications": self._marker()})

    def _marker(self) -> dict[str, Any]:
        return {
            "last_read_id": self.last_read_id,
            "version": self._marker_version,
            "updated_at": "2026-03-20T09:00:00.000Z",
        }

    def _status_context(self, req: Any, status_id: str) -> Any:
        from tests.fakes.mastodon_server import _Reply

        by_id = {s["id"]: s for s in self._statuses}
        if status_id not in by_id:
            return _Reply(404, {"error": "Record not found"})
        ancestors: list[dict[str, Any]] = []
        parent = by_id[status_id].get("in_reply_to_id")
        while parent and parent in by_id:
            ancestors.insert(0, by_id[parent])
            parent = by_id[parent].get("in_reply_to_id")
        descendants: list[dict[str, Any]] = []
        frontier = {status_id}
        for s in self._statuses:  # creation order: children come after their parents
            if s.get("in_reply_to_id") in frontier:
                descendants.append(s)
                frontier.add(s["id"])
        return _Reply(200, {"ancestors": ancestors, "descendants": descendants})

    # --- bits ------------------------------------------------------------------------------------

    @staticmethod
    def _note_id(note: Any) -> str:
        if isinstance(note, dict) and isinstance(note.get("id"), str | int):
            return str(note["id"])
        return "0"

    def _links(self, path: str, page: list[tuple[str, Any]], limit: int) -> dict[str, str]:
        if not page:
            return {}
        newest, oldest = page[0][0], page[-1][0]
        return {
            "Link": (
                f'<{self.url}{path}?limit={limit}&max_id={oldest}>; rel="next", '
                f'<{self.url}{path}?limit={limit}&min_id={newest}>; rel="prev"'
            )
        }
