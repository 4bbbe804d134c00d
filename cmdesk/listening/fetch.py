"""Reading one saved search from its network, one page a call, from where the last sync stopped.

Mastodon (``reference``: the REST API's timelines and search methods):

- a hashtag reads ``GET /api/v1/timelines/tag/:hashtag``, public and on every server, newest
  first; after the first sync it asks ``min_id=<newest id kept>`` (the page right after it) and
  pages forward while pages come full;
- a text query reads ``GET /api/v2/search?type=statuses``. Full-text search of posts only works
  where the server runs a search index and allows it; elsewhere the server answers with only the
  account's own or interacted posts, or refuses. A refusal, or a first sync that finds nothing,
  sets the search's ``note`` to say so, and suggests a hashtag search instead.

Bluesky: ``app.bsky.feed.searchPosts?q=&sort=latest`` through the account's PDS (the AppView may
require authentication), ``since`` the newest post kept, paged with its ``cursor``. A
``BadQueryString`` refusal becomes the note.

Items come back as :class:`cmdesk.adapters.base.InboxNotice` of kind ``"listening"``, not yet
sanitised; the service makes them safe as it stores them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests

from cmdesk.adapters import bluesky_inbox
from cmdesk.adapters.base import (
    AuthExpired,
    ChannelRef,
    CredentialHandle,
    InboxNotice,
    PermanentError,
    TransientError,
)
from cmdesk.adapters.bluesky_session import BlueskyRefused, XrpcClient
from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.inbox import _from_status, _newest
from cmdesk.text.facets_html import facets_to_html

KIND = "listening"
FIRST_PAGE = 40
PAGE = 40  # the largest page of the tag timeline and of search
BLUESKY_FIRST_PAGE = 50
BLUESKY_PAGE = 100
CURSOR_CHARS = 255


@dataclass(frozen=True, slots=True)
class ListenBatch:
    """One call's posts, the cursor to store once they are kept, and what to tell the person.

    ``more``: call again at once with ``cursor``. ``note``: why the search finds nothing ("" when
    it works); ``None`` leaves the stored note as it is.
    """

    items: tuple[InboxNotice, ...]
    cursor: str | None
    more: bool = False
    note: str | None = ""
    skipped: tuple[str, ...] = ()


def clean_tag(text: str) -> str:
    """A hashtag as the tag timeline takes it: no leading #, no spaces."""
    return text.strip().lstrip("#").strip()


# --- Mastodon -------------------------------------------------------------------------------------


def mastodon(api: _Api, kind: str, text: str, cursor: str | None) -> ListenBatch:
    params: dict[str, Any] = {"limit": PAGE if cursor else FIRST_PAGE}
    if cursor:
        params["min_id"] = cursor
    if kind == "hashtag":
        path = f"/api/v1/timelines/tag/{quote(clean_tag(text), safe='')}"
    else:
        path = "/api/v2/search"
        params.update(q=text, type="statuses", resolve="false")
    response = api.send("GET", path, params=params)
    try:
        api.check(response)
    except AuthExpired:
        raise
    except PermanentError as exc:
        if kind == "hashtag":
            raise
        return ListenBatch((), cursor, note=_no_search(api.label, exc.message))
    body = json_body(response)
    page = body.get("statuses") if kind == "query" and isinstance(body, Mapping) else body
    if not isinstance(page, list):
        raise TransientError(f"{api.label} sent search results cmdesk cannot read; it will retry.")
    skipped: list[str] = []
    items: list[InboxNotice] = []
    ids: list[str] = []
    for status in page:
        if not isinstance(status, Mapping):
            skipped.append("a result that is not an object")
            continue
        if isinstance(status.get("id"), str | int):
            ids.append(str(status["id"]))
        notice = _from_status(api, status, skipped, kind=KIND)
        if notice is not None:
            items.append(notice)
    newest = _newest(cursor, *ids)
    more = bool(cursor) and len(page) >= PAGE and newest != cursor
    note: str | None = None if cursor else ""
    if kind == "query" and not cursor and not page:
        note = _no_search(api.label, "")
    return ListenBatch(tuple(items), newest, more=more, note=note, skipped=tuple(skipped))


def _no_search(label: str, why: str) -> str:
    said = f" ({why})" if why else ""
    return (
        f"Search of posts may not be available on {label}{said}: without full-text search a "
        "Mastodon server finds only the account's own posts and posts it interacted with. "
        "A hashtag search works on every server."
    )


# --- Bluesky --------------------------------------------------------------------------------------


def _load(cursor: str | None) -> dict[str, str | None]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError:
        data = {}
    if not isinstance(data, Mapping):
        data = {}
    return {k: (str(data[k]) if data.get(k) else None) for k in ("since", "resume", "run")}


def bluesky(xrpc: XrpcClient, kind: str, text: str, cursor: str | None) -> ListenBatch:
    state = _load(cursor)
    first = state["since"] is None and state["resume"] is None
    q = f"#{clean_tag(text)}" if kind == "hashtag" else text.strip()
    params: dict[str, Any] = {
        "q": q,
        "sort": "latest",
        "limit": str(BLUESKY_FIRST_PAGE if first else BLUESKY_PAGE),
    }
    if state["since"]:
        params["since"] = state["since"]
    if state["resume"]:
        params["cursor"] = state["resume"]
    try:
        body = xrpc.query("app.bsky.feed.searchPosts", params)
    except BlueskyRefused as exc:
        if exc.error != "BadQueryString":
            raise
        return ListenBatch(
            (), cursor, note=f"Bluesky did not accept the search {q!r}: {exc.message}"
        )
    posts = body.get("posts") if isinstance(body, Mapping) else None
    if not isinstance(posts, list):
        raise TransientError("Bluesky sent search results cmdesk cannot read; it will retry.")
    run = state["run"] or state["since"]
    items: list[InboxNotice] = []
    skipped: list[str] = []
    for view in posts:
        notice = _bluesky_post(view, skipped)
        if notice is not None:
            items.append(notice)
            run = bluesky_inbox._later(run, notice.created_at)
    next_page = body.get("cursor") if isinstance(body.get("cursor"), str) else None
    more = not first and bool(posts) and bool(next_page)
    new = (
        {"since": state["since"], "resume": next_page, "run": run}
        if more
        else {"since": run, "resume": None, "run": None}
    )
    saved = json.dumps({k: v for k, v in new.items() if v})
    if len(saved) > CURSOR_CHARS:  # an odd server cursor: read from the newest kept next time
        more, saved = False, json.dumps({"since": run} if run else {})
    return ListenBatch(tuple(items), saved, more=more, skipped=tuple(skipped))


def _bluesky_post(view: Any, skipped: list[str]) -> InboxNotice | None:
    if not isinstance(view, Mapping):
        skipped.append("a result that is not an object")
        return None
    uri, author, record = view.get("uri"), view.get("author"), view.get("record")
    when = bluesky_inbox._time(view.get("indexedAt"))
    if isinstance(record, Mapping):
        when = bluesky_inbox._time(record.get("createdAt")) or when
    if (
        not isinstance(uri, str)
        or not isinstance(author, Mapping)
        or not isinstance(record, Mapping)
        or when is None
    ):
        skipped.append("a malformed post")
        return None
    handle, name = bluesky_inbox._who(author)
    plain = str(record.get("text") or "")
    return InboxNotice(
        remote_id=uri,
        kind=KIND,
        url=bluesky_inbox._web_url(author, uri),
        author_handle=handle,
        author_name=name,
        created_at=when,
        text=plain,
        html=facets_to_html(plain, record.get("facets")),
    )


# --- which adapters listen ------------------------------------------------------------------------

Listener = Callable[
    [ChannelRef, CredentialHandle, requests.Session, str, str, str | None], ListenBatch
]


def listener_for(adapter: object) -> Listener | None:
    """How to read a saved search through ``adapter``'s channels; None when it cannot listen."""
    from cmdesk.adapters.bluesky import BlueskyAdapter
    from cmdesk.adapters.mastodon.adapter import MastodonAdapter

    if isinstance(adapter, MastodonAdapter):
        masto = adapter

        def read_mastodon(
            ch: ChannelRef,
            creds: CredentialHandle,
            http: requests.Session,
            kind: str,
            text: str,
            cursor: str | None,
        ) -> ListenBatch:
            return mastodon(_Api(ch, creds, http, masto.clock), kind, text, cursor)

        return read_mastodon
    if isinstance(adapter, BlueskyAdapter):
        sky = adapter

        def read_bluesky(
            ch: ChannelRef,
            creds: CredentialHandle,
            http: requests.Session,
            kind: str,
            text: str,
            cursor: str | None,
        ) -> ListenBatch:
            # The adapter keeps the sessions (and refreshes them); listening borrows them.
            return bluesky(XrpcClient(sky._sessions, ch, creds, http), kind, text, cursor)

        return read_bluesky
    return None
