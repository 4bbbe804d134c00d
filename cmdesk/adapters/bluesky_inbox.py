"""Bluesky's inbox: replies, mentions and quotes from ``listNotifications``; threads.

Polling follows ``reference/networks.md`` 2.7: ``app.bsky.notification.listNotifications`` with
``reasons`` mention, reply and quote, newest first, paged back with its ``cursor`` until items
already seen (by ``indexedAt``) are reached. A server that ignores ``reasons`` is fine: other
reasons (likes, follows, and any added later) are skipped. One page is read per call.

The stored cursor is ``{"top": newest indexedAt kept, "until": the previous top while paging back,
"resume": the API cursor of the next older page, "run": newest indexedAt of this run}``; the
first poll reads only the newest page. Equal timestamps are read again rather than missed:
the database keeps each item once.

``NoticeBatch.seen_mark`` is the newest kept notification's ``indexedAt`` when it is later than
the ``seenAt`` the server reports; :func:`mark_seen` sends it to ``updateSeen`` (an option, see
:mod:`cmdesk.adapters.seen`).

Threads come from ``app.bsky.feed.getPostThread`` (parents up to the root, replies below),
flattened oldest first. Bluesky text is plain (``InboxNotice.text``); its facets become the
links of ``InboxNotice.html`` (:mod:`cmdesk.text.facets_html`), sanitised like any HTML.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from cmdesk.adapters.base import (
    InboxNotice,
    NoticeBatch,
    PermanentError,
    ThreadPost,
    TransientError,
)
from cmdesk.adapters.bluesky_session import XrpcClient
from cmdesk.text.facets_html import facets_to_html

REASONS = ("mention", "reply", "quote")
FIRST_PAGE = 50
PAGE = 100
CURSOR_CHARS = 255


def _time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _load(cursor: str | None) -> dict[str, str | None]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError:
        data = {}
    if not isinstance(data, Mapping):
        data = {}
    return {k: (str(data[k]) if data.get(k) else None) for k in ("top", "until", "resume", "run")}


def _later(a: str | None, b: datetime | None) -> str | None:
    if b is None:
        return a
    current = _time(a)
    return b.isoformat() if current is None or b > current else a


def fetch_notifications(xrpc: XrpcClient, cursor: str | None) -> NoticeBatch:
    state = _load(cursor)
    first = state["top"] is None and state["resume"] is None
    params: dict[str, Any] = {"limit": str(FIRST_PAGE if first else PAGE), "reasons": list(REASONS)}
    if state["resume"]:
        params["cursor"] = state["resume"]
    until = state["until"] if state["resume"] else state["top"]
    body = xrpc.query("app.bsky.notification.listNotifications", cast(Mapping[str, str], params))
    notes = body.get("notifications") if isinstance(body, Mapping) else None
    if not isinstance(notes, list):
        raise TransientError("Bluesky sent notifications cmdesk cannot read; it will try again.")
    boundary = _time(until)
    run = state["run"] or state["top"]
    items: list[InboxNotice] = []
    skipped: list[str] = []
    reached = False
    mark: str | None = None  # the newest kept notification's indexedAt, as the server wrote it
    for note in notes:
        when = _time(note.get("indexedAt")) if isinstance(note, Mapping) else None
        if boundary is not None and when is not None and when < boundary:
            reached = True
            continue
        run = _later(run, when)
        notice = _notice(note, when, skipped)
        if notice is not None:
            items.append(notice)
            mark = _newest_mark(mark, note.get("indexedAt"))
    next_page = body.get("cursor") if isinstance(body.get("cursor"), str) else None
    more = not first and not reached and bool(notes) and bool(next_page)
    if more:
        new = {"top": state["top"], "until": until, "resume": next_page, "run": run}
    else:
        new = {"top": run, "until": None, "resume": None, "run": None}
    text = json.dumps({k: v for k, v in new.items() if v})
    if len(text) > CURSOR_CHARS:  # an odd server cursor: start again from the top next time
        more, text = False, json.dumps({"top": state["top"]} if state["top"] else {})
    seen = _time(body.get("seenAt"))
    if mark is not None and seen is not None and seen >= (_time(mark) or seen):
        mark = None  # the account has read that far already (here or in the app)
    return NoticeBatch(tuple(items), text, more=more, skipped=tuple(skipped), seen_mark=mark)


def _newest_mark(current: str | None, candidate: object) -> str | None:
    new = _time(candidate)
    if new is None or not isinstance(candidate, str):
        return current
    old = _time(current)
    return candidate if old is None or new > old else current


def mark_seen(xrpc: XrpcClient, marks: Sequence[str]) -> bool:
    """``app.bsky.notification.updateSeen`` with the newest of ``marks`` (cmdesk.adapters.seen)."""
    newest: str | None = None
    for mark in marks:
        newest = _newest_mark(newest, mark)
    if newest is None:
        return False
    xrpc.procedure("app.bsky.notification.updateSeen", body={"seenAt": newest})
    return True


def _notice(note: Any, when: datetime | None, skipped: list[str]) -> InboxNotice | None:
    if not isinstance(note, Mapping):
        skipped.append("a notification that is not an object")
        return None
    reason = note.get("reason")
    if reason not in REASONS:
        skipped.append(f"a notification for {str(reason)[:40]!r}")
        return None
    uri, author, record = note.get("uri"), note.get("author"), note.get("record")
    if (
        not isinstance(uri, str)
        or not isinstance(author, Mapping)
        or not isinstance(record, Mapping)
        or when is None
    ):
        skipped.append(f"a malformed {reason}")
        return None
    handle, name = _who(author)
    parent, root = _reply_refs(record)
    target = _quoted(record) if reason == "quote" else parent
    return InboxNotice(
        remote_id=uri,
        kind=str(reason),
        url=_web_url(author, uri),
        author_handle=handle,
        author_name=name,
        created_at=when,
        text=str(record.get("text") or ""),
        html=facets_to_html(str(record.get("text") or ""), record.get("facets")),
        conversation_id=root or uri,
        in_reply_to=target,
        root_id=root,
    )


def _who(author: Mapping[str, Any]) -> tuple[str, str]:
    handle = str(author.get("handle") or author.get("did") or "")
    return f"@{handle}", str(author.get("displayName") or handle)


def _reply_refs(record: Mapping[str, Any]) -> tuple[str | None, str | None]:
    reply = record.get("reply")
    if not isinstance(reply, Mapping):
        return None, None
    refs = [reply.get(k) for k in ("parent", "root")]
    uris = [r.get("uri") if isinstance(r, Mapping) else None for r in refs]
    return tuple(u if isinstance(u, str) else None for u in uris)  # type: ignore[return-value]


def _quoted(record: Mapping[str, Any]) -> str | None:
    embed = record.get("embed")
    inner = embed.get("record") if isinstance(embed, Mapping) else None
    if isinstance(inner, Mapping) and isinstance(inner.get("record"), Mapping):
        inner = inner["record"]  # recordWithMedia: {record: {record: strongRef}, media}
    uri = inner.get("uri") if isinstance(inner, Mapping) else None
    return uri if isinstance(uri, str) else None


def _web_url(author: Mapping[str, Any], uri: str) -> str:
    who = author.get("handle") or author.get("did")
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{who}/post/{rkey}" if who and rkey else ""


# --- threads ----------------------------------------------------------------------------------------


def fetch_context(xrpc: XrpcClient, uri: str) -> tuple[ThreadPost, ...]:
    body = xrpc.query(
        "app.bsky.feed.getPostThread", {"uri": uri, "depth": "6", "parentHeight": "80"}
    )
    thread = body.get("thread") if isinstance(body, Mapping) else None
    if not isinstance(thread, Mapping) or not isinstance(thread.get("post"), Mapping):
        raise PermanentError("This Bluesky post no longer exists; it may have been deleted.")
    seen: dict[str, ThreadPost] = {}
    for view in _walk(thread):
        post = _thread_post(view)
        if post is not None:
            seen.setdefault(post.remote_id, post)
    oldest = datetime.min.replace(tzinfo=UTC)
    return tuple(sorted(seen.values(), key=lambda p: p.created_at or oldest))


def _walk(node: Mapping[str, Any], *, up: bool = True, down: bool = True) -> Iterator[Any]:
    parent = node.get("parent")
    if up and isinstance(parent, Mapping):
        yield from _walk(parent, down=False)
    yield node.get("post")
    replies = node.get("replies")
    if down and isinstance(replies, list):
        for child in replies:
            if isinstance(child, Mapping):
                yield from _walk(child, up=False)


def _thread_post(view: Any) -> ThreadPost | None:
    if not isinstance(view, Mapping) or not isinstance(view.get("uri"), str):
        return None  # a blocked or deleted post in the thread
    found_author, found_record = view.get("author"), view.get("record")
    author: Mapping[str, Any] = found_author if isinstance(found_author, Mapping) else {}
    record: Mapping[str, Any] = found_record if isinstance(found_record, Mapping) else {}
    handle, name = _who(author)
    return ThreadPost(
        remote_id=view["uri"],
        author_handle=handle,
        author_name=name,
        created_at=_time(record.get("createdAt")) or _time(view.get("indexedAt")),
        url=_web_url(author, view["uri"]),
        text=str(record.get("text") or ""),
        html=facets_to_html(str(record.get("text") or ""), record.get("facets")),
    )
