"""Finding a status that may exist after an unclear send, among the account's own statuses.

**After an ambiguous create** (timeout or reset after sending, malformed answer, a 5xx): a server
that honours the key may get the same request again within 50 minutes of the first send (keys live
one hour, 1.4). Otherwise the account's own statuses are read (matched on media ids, or on
in-reply-to, content warning and the exact source text) and a match is taken as the result; when
nothing matches and cmdesk cannot be sure (the send was recent, so the server may still be working
on it, or the listing did not reach back far enough) it raises ``AmbiguousError``. It is sure only
when the last send is over ``SETTLE_TIME`` old and the listing reached back past the first send:
then the part is sent again.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cmdesk.adapters.base import PublishResult, RemotePost
from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.timestamps import _parse_time

#: How long after a send a missing status is taken as "never created" (a slow server may still be
#: writing it: the Hachyderm duplicates of 1.4 / section 10). Decided here; the reference is silent.
SETTLE_TIME = timedelta(minutes=10)
#: Slack on "created after the attempt started" (the server clock is corrected by its Date header).
CLOCK_MARGIN = timedelta(minutes=2)
RECONCILE_PAGES = 5
SCHEDULED_PAGES = 10  # 300 pending scheduled statuses at most (1.5)
SOURCE_CHECKS = 20


def _exact(text: str) -> str:
    return text.replace("\r\n", "\n").strip()


_TAG = re.compile(r"<[^>]+>")
_REMOTE_MENTION = re.compile(r"(?<![\w/])@(\w+(?:[.-]\w+)*)@[\w.-]*\w")
_SPACE = re.compile(r"\s+")


def _loose(text: str) -> str:
    """Text reduced to what survives Mastodon's HTML rendering: no spacing, ``@user@host``->``@user``."""
    return _SPACE.sub("", _REMOTE_MENTION.sub(r"@\1", text))


def _content_text(content: object) -> str:
    return html.unescape(_TAG.sub(" ", content)) if isinstance(content, str) else ""


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a status cmdesk may have created looks like, for matching it on the server."""

    text: str
    spoiler: str
    reply_to: str | None
    media_ids: tuple[str, ...] | None  # None: not known here (then the text decides)


class _Finder:
    """Looks for a status cmdesk may have created among the account's own recent statuses."""

    def __init__(self, api: _Api) -> None:
        self.api = api
        self.source_works = True
        self.checks = 0
        self.exhausted = False  # too many look-alikes to read them all: never "sure"

    def find(self, expected: _Expected, since: datetime) -> tuple[dict[str, Any] | None, bool]:
        """(the status, or None; whether the listing reached back past ``since``, local time)."""
        account_id, ahead = self.api.whoami()
        lower = since + ahead - CLOCK_MARGIN
        path = f"/api/v1/accounts/{account_id}/statuses?exclude_reblogs=true"
        for page in self.api.pages(path, RECONCILE_PAGES):
            if not page:
                return None, True
            for status in page:
                if not isinstance(status, Mapping):
                    continue
                created = _parse_time(status.get("created_at"))
                if created is not None and created < lower:
                    return None, not self.exhausted
                if self.matches(status, expected):
                    return dict(status), True
        return None, False

    def matches(self, status: Mapping[str, Any], expected: _Expected) -> bool:
        if str(status.get("in_reply_to_id") or "") != (expected.reply_to or ""):
            return False
        if _exact(str(status.get("spoiler_text") or "")) != _exact(expected.spoiler):
            return False
        attached = status.get("media_attachments") or []
        media = sorted(str(m.get("id")) for m in attached if isinstance(m, Mapping))
        if expected.media_ids:  # an attachment belongs to one status: decisive
            return media == sorted(expected.media_ids)
        if expected.media_ids is not None and media:
            return False
        return self._same_text(status, expected.text)

    def _same_text(self, status: Mapping[str, Any], text: str) -> bool:
        """Compare with the exact source text (3.5+), else with the rendered HTML, loosely."""
        if self.source_works:
            if self.checks >= SOURCE_CHECKS:
                self.exhausted = True
                return False
            self.checks += 1
            response = self.api.send("GET", f"/api/v1/statuses/{status.get('id')}/source")
            if response.status_code == 200:
                body = json_body(response)
                if isinstance(body, Mapping) and isinstance(body.get("text"), str):
                    return _exact(body["text"]) == _exact(text)
            elif response.status_code in (404, 405, 410, 501):
                self.source_works = False  # not offered by this server
            else:
                self.api.check(response)
        return _loose(_content_text(status.get("content"))) == _loose(text)


def _status_result(status: Mapping[str, Any]) -> PublishResult:
    remote = RemotePost(str(status["id"]), status.get("url") or status.get("uri"))
    return PublishResult(
        remote_id=remote.remote_id,
        url=remote.url,
        parts=(remote,),
        published_at=_parse_time(status.get("created_at")),
    )


def _scheduled_match(item: Mapping[str, Any], expected: _Expected, due: datetime) -> bool:
    params = item.get("params")
    when = _parse_time(item.get("scheduled_at"))
    if not isinstance(params, Mapping) or when is None:
        return False
    if abs((when - due).total_seconds()) > 1:  # cmdesk sends whole seconds
        return False
    if _exact(str(params.get("text") or "")) != _exact(expected.text):
        return False
    if str(params.get("in_reply_to_id") or "") != (expected.reply_to or ""):
        return False
    media = sorted(str(m) for m in params.get("media_ids") or ())
    return not expected.media_ids or media == sorted(expected.media_ids)


def _find_scheduled(
    api: _Api, expected: _Expected, due: datetime
) -> tuple[dict[str, Any] | None, bool]:
    """(the scheduled status that matches, or None; whether the list was read far enough to tell)."""
    # Idempotency-Key is not relied on for scheduled statuses (mastodon#30039): match on
    # params.text and scheduled_at instead (1.4 recommendation).
    for page in api.pages("/api/v1/scheduled_statuses", SCHEDULED_PAGES):
        if not page:
            return None, True
        for item in page:
            if isinstance(item, Mapping) and _scheduled_match(item, expected, due):
                return dict(item), True
    return None, False
