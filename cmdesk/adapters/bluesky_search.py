"""Bluesky's side of listening: ``app.bsky.feed.searchPosts`` (``reference/networks.md`` 2.7).

Read through the account's PDS (the AppView may require authentication), ``sort=latest``,
``since`` the newest post kept, paged with its ``cursor``. A ``BadQueryString`` refusal comes back
as a ``note``.

A hashtag is asked with the ``tag`` parameter (the lexicon: an array of tags without the '#',
matched against the posts' tag facets and ``tags`` field, AND-ed) rather than found as text. The
lexicon requires ``q`` as well; it is sent as ``#tag``, the query Bluesky's own app sends for a
hashtag page, so the two agree and a server that does not know ``tag`` still finds the hashtag.

The stored cursor is ``{"since": newest post kept, "resume": the API cursor while paging back,
"run": newest post of this run}``; the first read takes only the newest page.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

from cmdesk.adapters import bluesky_inbox
from cmdesk.adapters.base import InboxNotice, TransientError
from cmdesk.adapters.bluesky_session import BlueskyRefused, XrpcClient
from cmdesk.adapters.search import CURSOR_CHARS, HASHTAG, KIND, SearchBatch, clean_tag
from cmdesk.text.facets_html import facets_to_html

METHOD = "app.bsky.feed.searchPosts"
FIRST_PAGE = 50
PAGE = 100


def _load(cursor: str | None) -> dict[str, str | None]:
    try:
        data = json.loads(cursor) if cursor else {}
    except ValueError:
        data = {}
    if not isinstance(data, Mapping):
        data = {}
    return {k: (str(data[k]) if data.get(k) else None) for k in ("since", "resume", "run")}


def search_params(kind: str, text: str) -> dict[str, Any]:
    """The query part of a search: ``q`` alone, or ``q`` and ``tag`` for a hashtag."""
    if kind == HASHTAG:
        tag = clean_tag(text)
        return {"q": f"#{tag}", "tag": [tag]}
    return {"q": text.strip()}


def search(xrpc: XrpcClient, kind: str, text: str, cursor: str | None) -> SearchBatch:
    state = _load(cursor)
    first = state["since"] is None and state["resume"] is None
    params = search_params(kind, text)
    params.update(sort="latest", limit=str(FIRST_PAGE if first else PAGE))
    if state["since"]:
        params["since"] = state["since"]
    if state["resume"]:
        params["cursor"] = state["resume"]
    try:
        body = xrpc.query(METHOD, cast(Mapping[str, str], params))
    except BlueskyRefused as exc:
        if exc.error != "BadQueryString":
            raise
        said = f"#{clean_tag(text)}" if kind == HASHTAG else text.strip()
        note = f"Bluesky did not accept the search {said!r}: {exc.message}"
        return SearchBatch((), cursor, note=note)
    posts = body.get("posts") if isinstance(body, Mapping) else None
    if not isinstance(posts, list):
        raise TransientError("Bluesky sent search results cmdesk cannot read; it will retry.")
    run = state["run"] or state["since"]
    items: list[InboxNotice] = []
    skipped: list[str] = []
    for view in posts:
        notice = _post(view, skipped)
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
    return SearchBatch(tuple(items), saved, more=more, skipped=tuple(skipped))


def _post(view: Any, skipped: list[str]) -> InboxNotice | None:
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
