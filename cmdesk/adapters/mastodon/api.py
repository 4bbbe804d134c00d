"""One channel's authenticated calls to a Mastodon server, and what its refusals mean.

:class:`_Api` sends with the channel's token (``credentials.read()["access_token"]``; Mastodon
tokens do not expire and have no refresh token, 1.1, so nothing is ever written back) and turns a
read that got no answer into a plain ``TransientError``. The ``_refusal`` family turns an error
answer into the message a person can act on.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from cmdesk.adapters.base import (
    AuthExpired,
    ChannelRef,
    CredentialHandle,
    MediaItem,
    PermanentError,
    TransientError,
)
from cmdesk.adapters.http import (
    MaybeSent,
    error_text,
    json_body,
    raise_for_status,
    send,
    server_now,
)
from cmdesk.clock import Clock

PAGE_SIZE = 40  # the maximum for account statuses and scheduled statuses (1.5)


def _token(credentials: CredentialHandle) -> str:
    secret = credentials.read()
    token = secret.get("access_token") if isinstance(secret, Mapping) else None
    if not isinstance(token, str) or not token:
        raise AuthExpired("This channel has no Mastodon sign-in stored. Reconnect it in Channels.")
    return token


class _Api:
    """One channel's authenticated calls; ``label`` (the host) names the server in messages."""

    def __init__(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        clock: Clock,
    ) -> None:
        base = channel.base_url.strip().rstrip("/")
        # A server typed without a scheme ("mastodon.social") means https.
        self.base = base if "://" in base else f"https://{base}"
        self.label = urlsplit(self.base).netloc or self.base
        self.http = http
        self.clock = clock
        self._auth = {"Authorization": f"Bearer {_token(credentials)}"}

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {**self._auth, **kwargs.pop("headers", {})}
        try:
            return send(self.http, method, self.base + path, headers=headers, **kwargs)
        except MaybeSent as exc:
            if method != "GET":
                raise
            # A read that got no answer changed nothing: plain "try again later".
            raise TransientError(exc.message, detail=exc.detail) from None

    def check(self, response: requests.Response) -> None:
        raise_for_status(response, network=self.label, local_now=self.clock.now())

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        response = self.send("GET", path, params=dict(params or {}))
        self.check(response)
        return json_body(response)

    def whoami(self) -> tuple[str, timedelta]:
        """The account id, and how far the server's clock is ahead of ours (its Date header)."""
        response = self.send("GET", "/api/v1/accounts/verify_credentials")
        self.check(response)
        body = json_body(response)
        account_id = body.get("id") if isinstance(body, Mapping) else None
        if not isinstance(account_id, str | int):
            raise TransientError(f"{self.label} sent an account cmdesk cannot read.")
        local = self.clock.now()
        return str(account_id), server_now(response, local) - local

    def pages(self, path: str, limit_pages: int) -> Iterator[list[Any]]:
        """Newest-first pages of a list endpoint (``max_id`` paging); stops at an empty page."""
        max_id: str | None = None
        for _ in range(limit_pages):
            params: dict[str, Any] = {"limit": PAGE_SIZE}
            if max_id:
                params["max_id"] = max_id
            page = self.get_json(path, params)
            if not isinstance(page, list):
                raise TransientError(f"{self.label} sent a list cmdesk cannot read.")
            yield page
            if not page:
                return
            last = page[-1].get("id") if isinstance(page[-1], Mapping) else None
            if not isinstance(last, str | int):
                return
            max_id = str(last)


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


# --- what a refusal means -------------------------------------------------------------------------


#: For a 400/422 on create: words in the server's error -> what the person should do (1.12).
_REFUSALS: tuple[tuple[Callable[[str], bool], str], ...] = (
    (
        lambda w: "character limit" in w or "too long" in w,
        "{What} is too long for {label} ({words}). Shorten it or split it into a thread; if the "
        "server's limit changed, reconnect the channel to read it again.",
    ),
    (
        lambda w: "blank" in w or "no status" in w,
        "{label} says {what} is empty ({words}): add text or media.",
    ),
    (
        lambda w: "scheduled" in w and "limit" in w,
        "{label} already holds as many scheduled posts as it allows (25 a day, 300 in all). Let "
        "cmdesk publish this one at its time, or delete posts scheduled there.",
    ),
    (
        lambda w: "scheduled" in w,
        "{label} refused the scheduled time ({words}): it must be more than 5 minutes ahead. "
        "Pick a later time or let cmdesk publish the post itself.",
    ),
    (lambda w: True, "{label} refused {what}: {words}. Edit the post and try again."),
)


def _refusal(label: str, what: str, response: requests.Response, now: datetime) -> Exception:
    """The error for a create the server refused, with its words turned into an action."""
    words = error_text(response)
    low = words.lower()
    code = response.status_code
    if code in (400, 422) and "not finished processing" in low:  # 1.6: wait a little
        return TransientError(
            f"{label} is still processing the media of {what}; cmdesk will try again soon.",
            retry_after=30,
            detail=words,
        )
    if code in (400, 422):
        template = next(text for test, text in _REFUSALS if test(low))
        message = template.format(label=label, what=what, What=what.capitalize(), words=words)
        return PermanentError(message, detail=words)
    if code == 404:  # the status answered (or the previous part) is gone
        return PermanentError(
            f"{label} cannot find the post that {what} answers; it may have been deleted. "
            "Edit the post or publish it on its own.",
            detail=words,
        )
    if code == 403 and "scope" in low:
        return AuthExpired(
            f"This channel's sign-in on {label} does not allow posting ({words}). Reconnect the "
            "channel and allow cmdesk to post.",
            detail=words,
        )
    return _http_error(label, response, now)


def _media_refusal(
    label: str, item: MediaItem, response: requests.Response, now: datetime
) -> Exception:
    name = os.path.basename(item.path) or item.path
    words = error_text(response)
    if response.status_code in (413, 422):
        return PermanentError(
            f"{label} does not accept {name}: {words}. Use a smaller file or another format.",
            detail=words,
        )
    return _http_error(label, response, now)


def _http_error(label: str, response: requests.Response, now: datetime) -> Exception:
    try:
        raise_for_status(response, network=label, local_now=now)
    except (TransientError, PermanentError) as exc:
        return exc
    return TransientError(
        f"{label} answered HTTP {response.status_code}; cmdesk will try again.",
        detail=error_text(response),
    )
