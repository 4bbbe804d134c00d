"""The inbox half of the fake Bluesky: other people's posts, notifications and threads.

Mixed into :class:`tests.fakes.bluesky_server.FakeBluesky`. It serves what
``reference/networks.md`` 2.7 records: ``app.bsky.notification.listNotifications`` newest first
(``limit`` 1-100, default 50, an opaque ``cursor`` for older pages; every reason is sent, so the
client must filter), ``app.bsky.feed.getPostThread`` (a ``threadViewPost`` with ``parent`` and
``replies``, or ``notFoundPost``) and ``com.atproto.repo.getRecord`` for other people's posts
(which a reply needs for its root and parent).

It also takes ``app.bsky.notification.updateSeen {seenAt}`` (a procedure without output): the
notifications indexed at or before ``seenAt`` list as ``isRead``, listNotifications reports
``seenAt``, and :attr:`seen_calls` keeps every ``seenAt`` received (the fake stores what it is
given, later or not, so a test can see that the client never moves it back).

Knobs: :meth:`notify` (someone replies, mentions or quotes the account), :meth:`raw_notification`
(any JSON), and ``fail_next(..., only="app.bsky.notification.listNotifications")`` from the main
class for 429, 5xx, dropped connections and broken JSON.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

POST = "app.bsky.feed.post"
NO_OUTPUT = object()  # what a handler returns for a procedure that answers with no body
_BASE = datetime(2026, 3, 20, 9, 0, tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class BlueskyInboxMixin:
    """Other accounts' posts and the account's notifications (state under the server's lock)."""

    _lock: Any
    _state: Any
    did: str
    handle: str
    display_name: str

    def _inbox_init(self) -> None:
        self._foreign: dict[str, dict[str, Any]] = {}  # uri -> post view
        self._notes: list[Any] = []  # oldest first
        self._seq = itertools.count(1)
        self.seen_at = ""  # the account's seenAt, as the last updateSeen sent it
        self.seen_calls: list[str] = []

    # --- knobs -----------------------------------------------------------------------------------

    def notify(
        self,
        author: str,
        text: str,
        *,
        reason: str = "reply",
        parent: str | None = None,
        quote: str | None = None,
        display_name: str = "",
    ) -> dict[str, Any]:
        """``author`` (a handle) writes a post that notifies the account; returns the notification."""
        with self._lock:
            n = next(self._seq)
            did = f"did:plc:{author.replace('.', '')[:20]}"
            uri = f"at://{did}/{POST}/3kfake{n:07d}aa"
            when = _BASE + timedelta(seconds=n)
            record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": _iso(when)}
            if parent:
                parent_view = self._view(parent)
                if parent_view is None:
                    raise ValueError(f"unknown parent {parent}")
                parent_ref = {"uri": parent, "cid": parent_view["cid"]}
                root = parent_view["record"].get("reply", {}).get("root") or parent_ref
                record["reply"] = {"root": root, "parent": parent_ref}
            if quote:
                quoted = self._view(quote)
                assert quoted is not None
                record["embed"] = {
                    "$type": "app.bsky.embed.record",
                    "record": {"uri": quote, "cid": quoted["cid"]},
                }
            from tests.fakes.bluesky_server import record_cid

            view = {
                "uri": uri,
                "cid": record_cid(record),
                "author": {"did": did, "handle": author, "displayName": display_name},
                "record": record,
                "indexedAt": _iso(when),
            }
            self._foreign[uri] = view
            note = {**view, "reason": reason, "isRead": False}
            if parent or quote:
                note["reasonSubject"] = parent or quote
            self._notes.append(note)
            return note

    def raw_notification(self, body: Any) -> None:
        with self._lock:
            self._notes.append(body)

    def our_uri(self, rkey: str) -> str:
        return f"at://{self.did}/{POST}/{rkey}"

    # --- endpoints (called from FakeBluesky.handle_xrpc) -----------------------------------------

    def _inbox_xrpc(self, nsid: str, query: dict[str, str]) -> Any:
        if nsid == "app.bsky.notification.listNotifications":
            return self._list_notifications(query)
        if nsid == "app.bsky.feed.getPostThread":
            return self._post_thread(query.get("uri", ""))
        if nsid == "com.atproto.repo.getRecord" and query.get("repo") not in (
            self.did,
            self.handle,
        ):
            uri = f"at://{query.get('repo')}/{query.get('collection')}/{query.get('rkey')}"
            from tests.fakes.bluesky_server import XrpcError

            view = self._view(uri)
            if view is None:
                raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
            return {"uri": uri, "cid": view["cid"], "value": view["record"]}
        return None

    def _update_seen(self, data: Any) -> Any:
        from tests.fakes.bluesky_server import XrpcError

        seen = data.get("seenAt") if isinstance(data, dict) else None
        if not isinstance(seen, str) or _parse(seen) is None:
            raise XrpcError(400, "InvalidRequest", 'Input must have the property "seenAt"')
        with self._lock:
            self.seen_at = seen
            self.seen_calls.append(seen)
        return NO_OUTPUT

    def _list_notifications(self, query: dict[str, str]) -> dict[str, Any]:
        limit = max(1, min(int(query.get("limit") or 50), 100))
        start = int(query.get("cursor") or 0)
        with self._lock:
            newest_first = list(reversed(self._notes))
            seen = _parse(self.seen_at)
        page = [_with_read(n, seen) for n in newest_first[start : start + limit]]
        body: dict[str, Any] = {"notifications": page}
        if seen is not None:
            body["seenAt"] = self.seen_at
        if start + limit < len(newest_first):
            body["cursor"] = str(start + limit)
        return body

    def _post_thread(self, uri: str) -> dict[str, Any]:
        view = self._view(uri)
        if view is None:
            return {"thread": {"$type": "app.bsky.feed.defs#notFoundPost", "uri": uri}}
        return {"thread": self._thread_node(view, up=True)}

    # --- bits ------------------------------------------------------------------------------------

    def _view(self, uri: str) -> dict[str, Any] | None:
        with self._lock:
            if uri in self._foreign:
                return self._foreign[uri]
            prefix = f"at://{self.did}/{POST}/"
            rkey = uri.removeprefix(prefix)
            if uri.startswith(prefix) and rkey in self._state.posts:
                record = self._state.posts[rkey]
                return {
                    "uri": uri,
                    "cid": self._state.cids[rkey],
                    "author": {
                        "did": self.did,
                        "handle": self.handle,
                        "displayName": self.display_name,
                    },
                    "record": record,
                    "indexedAt": record.get("createdAt", _iso(_BASE)),
                }
        return None

    def _all_views(self) -> list[dict[str, Any]]:
        with self._lock:
            ours = [self.our_uri(k) for k in self._state.posts]
            uris = list(self._foreign) + ours
        return [v for v in (self._view(u) for u in uris) if v is not None]

    def _thread_node(self, view: dict[str, Any], *, up: bool) -> dict[str, Any]:
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": view}
        parent_uri = view["record"].get("reply", {}).get("parent", {}).get("uri")
        if up and parent_uri:
            parent = self._view(parent_uri)
            if parent is not None:
                node["parent"] = self._thread_node(parent, up=True)
        if not up or "replies" not in node:
            children = [
                v
                for v in self._all_views()
                if v["record"].get("reply", {}).get("parent", {}).get("uri") == view["uri"]
            ]
            node["replies"] = [self._thread_node(c, up=False) for c in children]
        return node


def _parse(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _with_read(note: Any, seen: datetime | None) -> Any:
    if not isinstance(note, dict) or seen is None or not isinstance(note.get("indexedAt"), str):
        return note
    when = _parse(note["indexedAt"])
    return {**note, "isRead": when is not None and when <= seen}
