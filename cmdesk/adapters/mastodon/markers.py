"""Mastodon's notifications read marker (``reference/networks.md`` 1.9, ``methods/markers.md``).

``GET /api/v1/markers?timeline[]=notifications`` reads where the account's apps have read to;
``POST /api/v1/markers`` with ``notifications[last_read_id]`` moves it. The marker is only ever
moved forward. A server without markers (an old Mastodon, some other servers) answers 404 or
422: :class:`NoMarkers` says so, and the adapter stops asking that server.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cmdesk.adapters.base import AdapterError, TransientError
from cmdesk.adapters.http import MaybeSent, json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.inbox import _key, _newest

PATH = "/api/v1/markers"
UNSUPPORTED = (404, 410, 422)


class NoMarkers(AdapterError):
    """The server has no read markers."""


def mark_seen(api: _Api, marks: Sequence[str]) -> bool:
    newest = _newest(*marks)
    if newest is None:
        return False
    response = api.send("GET", PATH, params={"timeline[]": "notifications"})
    _unsupported(api, response.status_code)
    api.check(response)
    current = _last_read(json_body(response))
    if current is not None and _key(current) >= _key(newest):
        return False  # read that far already, here or in another app
    try:
        response = api.send("POST", PATH, data={"notifications[last_read_id]": newest})
    except MaybeSent as exc:
        # Setting a marker twice does no harm: the next poll with new items tries again.
        raise TransientError(exc.message, detail=exc.detail) from None
    _unsupported(api, response.status_code)
    api.check(response)
    return True


def _unsupported(api: _Api, status: int) -> None:
    if status in UNSUPPORTED:
        raise NoMarkers(
            f"{api.label} does not keep read markers.", detail=f"HTTP {status} from {PATH}"
        )


def _last_read(body: object) -> str | None:
    marker = body.get("notifications") if isinstance(body, Mapping) else None
    value = marker.get("last_read_id") if isinstance(marker, Mapping) else None
    return str(value) if isinstance(value, str | int) and str(value) else None
