"""Mastodon's side of listening: hashtag timelines and full-text search of posts.

``reference/networks.md`` (the REST API's timelines and search methods):

- a hashtag reads ``GET /api/v1/timelines/tag/:hashtag``, public and on every server, newest
  first; after the first read it asks ``min_id=<newest id kept>`` (the page right after it) and
  pages forward while pages come full;
- a text query reads ``GET /api/v2/search?type=statuses``. Full-text search of posts only works
  where the server runs a search index and allows it; elsewhere the server answers with only the
  account's own or interacted posts, or refuses. A refusal (4xx), or a first read that finds
  nothing, comes back as a ``note`` that says so and suggests a hashtag search instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from cmdesk.adapters.base import AuthExpired, InboxNotice, PermanentError, TransientError
from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.inbox import _from_status, _newest
from cmdesk.adapters.search import HASHTAG, KIND, QUERY, SearchBatch, clean_tag

FIRST_PAGE = 40
PAGE = 40  # the largest page of the tag timeline and of search


def search(api: _Api, kind: str, text: str, cursor: str | None) -> SearchBatch:
    params: dict[str, Any] = {"limit": PAGE if cursor else FIRST_PAGE}
    if cursor:
        params["min_id"] = cursor
    if kind == HASHTAG:
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
        if kind == HASHTAG:
            raise
        return SearchBatch((), cursor, note=_no_search(api.label, exc.message))
    body = json_body(response)
    page = body.get("statuses") if kind == QUERY and isinstance(body, Mapping) else body
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
    if kind == QUERY and not cursor and not page:
        note = _no_search(api.label, "")
    return SearchBatch(tuple(items), newest, more=more, note=note, skipped=tuple(skipped))


def _no_search(label: str, why: str) -> str:
    said = f" ({why})" if why else ""
    return (
        f"Search of posts may not be available on {label}{said}: without full-text search a "
        "Mastodon server finds only the account's own posts and posts it interacted with. "
        "A hashtag search works on every server."
    )
