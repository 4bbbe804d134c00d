"""Mastodon's inbox: mentions, replies and quotes from notifications, DMs from conversations.

Incremental polling follows ``reference/networks.md`` 1.9: ``GET /api/v1/notifications`` with
``types[]=mention&types[]=quote`` and ``min_id=<last seen id>``, paged forward through the
``Link`` header's ``rel="prev"`` (or, without one, the largest id seen). One page is read per call
(``NoticeBatch.more`` asks for the next), so a 429 or a 5xx part-way loses nothing already stored.
The first poll reads only the newest page: an account with years of mentions does not flood the
inbox. Direct conversations (1.8, ``GET /api/v1/conversations``) are read once the notifications
are caught up; a conversation whose last status is our own is not news.

The cursor stored for the channel is ``{"n": last notification id, "c": last DM status id}``.
A remote id is the *status* id, so a DM seen both as a mention and as a conversation is one item.
Items that are not objects, lack an id, an author or a status, or have a type cmdesk does not
handle, are skipped and named in ``NoticeBatch.skipped``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cmdesk.adapters.base import InboxNotice, NoticeBatch, PermanentError, ThreadPost
from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.timestamps import _parse_time

FIRST_PAGE = 40  # the default page: what a first poll shows
PAGE = 80  # the largest page since Mastodon 4.1 (1.9)
DM_PAGE = 20
TYPES = ("mention", "quote")


def _key(value: str) -> tuple[int, str]:
    """Snowflake ids compare as numbers; ULIDs (GoToSocial) as text of one length."""
    return (len(value), value)


def _newest(*values: str | None) -> str | None:
    present = [v for v in values if v]
    return max(present, key=_key) if present else None


def load_cursor(cursor: str | None) -> dict[str, str | None]:
    if not cursor:
        return {"n": None, "c": None}
    try:
        data = json.loads(cursor)
    except ValueError:
        data = {"n": cursor}  # a bare id (an older format) is the notifications' position
    if not isinstance(data, Mapping):
        data = {}
    return {k: (str(data[k]) if data.get(k) else None) for k in ("n", "c")}


def fetch_notifications(api: _Api, cursor: str | None) -> NoticeBatch:
    state = load_cursor(cursor)
    params: dict[str, Any] = {"types[]": list(TYPES)}
    if state["n"]:
        params.update(min_id=state["n"], limit=PAGE)
    else:
        params["limit"] = FIRST_PAGE
    response = api.send("GET", "/api/v1/notifications", params=params)
    api.check(response)
    page = json_body(response)
    if not isinstance(page, list):
        raise _unreadable(api)
    items: list[InboxNotice] = []
    skipped: list[str] = []
    ids: list[str] = []
    kept: list[str] = []  # notification ids that became items: the read marker's candidates
    for note in page:
        note_id = None
        if isinstance(note, Mapping) and isinstance(note.get("id"), str | int):
            note_id = str(note["id"])
            ids.append(note_id)
        notice = _from_notification(api, note, skipped)
        if notice is not None:
            items.append(notice)
            kept.append(note_id or "")
    more = bool(state["n"]) and len(page) >= PAGE
    state["n"] = _newest(state["n"], _prev_min_id(response), *ids)
    if not more:
        items.extend(_conversations(api, state, skipped))
    return NoticeBatch(
        tuple(items),
        json.dumps(state),
        more=more,
        skipped=tuple(skipped),
        seen_mark=_newest(*kept),
    )


def _prev_min_id(response: Any) -> str | None:
    link = response.links.get("prev", {}).get("url") if response.links else None
    if not link:
        return None
    values = parse_qs(urlsplit(link).query).get("min_id") or []
    return values[0] if values else None


def _unreadable(api: _Api) -> Exception:
    from cmdesk.adapters.base import TransientError

    return TransientError(f"{api.label} sent notifications cmdesk cannot read; it will try again.")


def _from_notification(api: _Api, note: Any, skipped: list[str]) -> InboxNotice | None:
    if not isinstance(note, Mapping):
        skipped.append("a notification that is not an object")
        return None
    kind = note.get("type")
    if kind not in TYPES:
        skipped.append(f"a notification of type {str(kind)[:40]!r}")
        return None
    status = note.get("status")
    if not isinstance(status, Mapping):
        skipped.append(f"a {kind} without its post (deleted?)")
        return None
    quoted = status.get("quote")
    target = None
    if kind == "quote" and isinstance(quoted, Mapping):
        inner = quoted.get("quoted_status")
        target = inner.get("id") if isinstance(inner, Mapping) else quoted.get("quoted_status_id")
    return _from_status(
        api, status, skipped, kind=str(kind), quoted=target, at=note.get("created_at")
    )


def _from_status(
    api: _Api,
    status: Mapping[str, Any],
    skipped: list[str],
    *,
    kind: str,
    quoted: Any = None,
    at: Any = None,
    conversation: str | None = None,
) -> InboxNotice | None:
    account = status.get("account")
    sid = status.get("id")
    when = _parse_time(at) or _parse_time(status.get("created_at"))
    if not isinstance(account, Mapping) or not isinstance(sid, str | int) or when is None:
        skipped.append(f"a malformed {kind}")
        return None
    reply_to = status.get("in_reply_to_id")
    if kind == "mention" and status.get("visibility") == "direct":
        kind = "dm"
    elif kind == "mention" and reply_to:
        kind = "reply"
    handle, name = _author(api, account)
    content = status.get("content")
    return InboxNotice(
        remote_id=str(sid),
        kind=kind,
        url=str(status.get("url") or status.get("uri") or ""),
        author_handle=handle,
        author_name=name,
        created_at=when,
        html=content if isinstance(content, str) else "",
        conversation_id=conversation,
        in_reply_to=str(quoted or reply_to) if (quoted or reply_to) else None,
    )


def _author(api: _Api, account: Mapping[str, Any]) -> tuple[str, str]:
    acct = str(account.get("acct") or account.get("username") or "")
    # A local account's acct has no domain: add the server's, so handles read the same everywhere.
    handle = f"@{acct}" if "@" in acct else f"@{acct}@{api.label}"
    name = str(account.get("display_name") or account.get("username") or acct)
    return handle, name


def _conversations(
    api: _Api, state: dict[str, str | None], skipped: list[str]
) -> list[InboxNotice]:
    page = api.get_json("/api/v1/conversations", {"limit": DM_PAGE})
    if not isinstance(page, list):
        raise _unreadable(api)
    found: list[InboxNotice] = []
    newest = state["c"]
    for conv in page:
        last = conv.get("last_status") if isinstance(conv, Mapping) else None
        if not isinstance(last, Mapping) or not isinstance(last.get("id"), str | int):
            continue  # a conversation whose last post was deleted: nothing to answer
        sid = str(last["id"])
        if state["c"] and _key(sid) <= _key(state["c"]):
            continue
        newest = _newest(newest, sid)
        others = {str(a.get("id")) for a in conv.get("accounts") or [] if isinstance(a, Mapping)}
        author = last.get("account")
        if isinstance(author, Mapping) and str(author.get("id")) not in others:
            continue  # our own message was the last word
        notice = _from_status(api, last, skipped, kind="dm", conversation=str(conv.get("id")))
        if notice is not None:
            found.append(notice)
    state["c"] = newest
    return found


def fetch_context(api: _Api, remote_id: str) -> tuple[ThreadPost, ...]:
    response = api.send("GET", f"/api/v1/statuses/{remote_id}")
    if response.status_code == 404:
        raise PermanentError(
            f"This post no longer exists on {api.label}; it may have been deleted."
        )
    api.check(response)
    status = json_body(response)
    context = api.get_json(f"/api/v1/statuses/{remote_id}/context")
    if not isinstance(context, Mapping) or not isinstance(status, Mapping):
        raise _unreadable(api)
    chain = [*(context.get("ancestors") or []), status, *(context.get("descendants") or [])]
    return tuple(p for p in (_thread_post(api, s) for s in chain) if p is not None)


def _thread_post(api: _Api, status: Any) -> ThreadPost | None:
    if not isinstance(status, Mapping) or not isinstance(status.get("id"), str | int):
        return None
    account = status.get("account")
    handle, name = _author(api, account) if isinstance(account, Mapping) else ("", "")
    content = status.get("content")
    return ThreadPost(
        remote_id=str(status["id"]),
        author_handle=handle,
        author_name=name,
        created_at=_parse_time(status.get("created_at")),
        url=str(status.get("url") or status.get("uri") or ""),
        html=content if isinstance(content, str) else "",
    )
