"""Mastodon engagement counts: replies, boosts, favourites and quotes of our statuses.

``reference/networks.md`` 1.10: the ``Status`` entity carries ``replies_count``,
``reblogs_count``, ``favourites_count`` and ``quotes_count`` (4.5+). Several statuses are read at
once with ``GET /api/v1/statuses?id[]=...`` (4.3+), which silently leaves out ids it cannot show;
an older server (or GoToSocial) answers that path with an error, and then each status is read
with ``GET /api/v1/statuses/:id``. An id left out of a batch is asked for alone, so a status is
called gone only on its own 404, never because a batch skipped it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.metrics import Metrics, count

#: Mastodon's ``StatusesController#index`` reads at most this many ids (DEFAULT_STATUSES_LIMIT).
BATCH = 20
#: Answers to the batch path that mean "this server has no such endpoint".
_NO_BATCH = frozenset({400, 404, 405, 422, 501})


def fetch_metrics(api: _Api, remote_ids: Sequence[str]) -> dict[str, Metrics]:
    wanted = list(dict.fromkeys(i for i in remote_ids if i))
    found: dict[str, Metrics] = {}
    batched = True
    for start in range(0, len(wanted), BATCH):
        if not batched:
            break
        batched = _batch(api, wanted[start : start + BATCH], found)
    for remote_id in wanted:
        if remote_id not in found:
            metrics = _one(api, remote_id)
            if metrics is not None:
                found[remote_id] = metrics
    return found


def _batch(api: _Api, ids: list[str], found: dict[str, Metrics]) -> bool:
    """Read ``ids`` in one request into ``found``; False when the server has no batch read."""
    response = api.send("GET", "/api/v1/statuses", params={"id[]": ids})
    if response.status_code in _NO_BATCH:
        return False
    api.check(response)
    body = json_body(response)
    if not isinstance(body, list):
        return False
    asked = set(ids)
    for status in body:
        sid = str(status.get("id")) if isinstance(status, Mapping) else ""
        if sid in asked:
            found[sid] = from_status(status)
    return True


def _one(api: _Api, remote_id: str) -> Metrics | None:
    """One status's counts; None when the server says it does not exist (deleted)."""
    response = api.send("GET", f"/api/v1/statuses/{remote_id}")
    if response.status_code in (404, 410):
        return None
    api.check(response)
    body = json_body(response)
    return from_status(body) if isinstance(body, Mapping) else Metrics()


def from_status(status: Mapping[str, Any]) -> Metrics:
    return Metrics(
        likes=count(status.get("favourites_count")),
        reposts=count(status.get("reblogs_count")),
        replies=count(status.get("replies_count")),
        quotes=count(status.get("quotes_count")),
    )
