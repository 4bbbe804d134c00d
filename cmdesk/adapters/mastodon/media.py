"""Media for a post (1.6): the upload, and the wait while the server processes the file."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

import requests

from cmdesk.adapters.base import MediaItem, PermanentError, TransientError
from cmdesk.adapters.http import MaybeSent, error_text, json_body
from cmdesk.adapters.mastodon.api import _Api, _json_or_none, _media_refusal

if TYPE_CHECKING:
    from cmdesk.adapters.mastodon.adapter import MastodonAdapter

MEDIA_DEADLINE = 600.0  # seconds; processing queues have lagged 12 minutes (1.6)


class _MediaUploads:
    """One publication's uploads: send a file, then wait until the server has processed it."""

    def __init__(self, adapter: MastodonAdapter, api: _Api, now: Callable[[], datetime]) -> None:
        self.adapter = adapter  # media_deadline, media_poll_interval and sleep, read when used
        self.api = api
        self.label = api.label
        self.now = now

    def upload(self, item: MediaItem) -> tuple[str, bool]:
        response = self._post("/api/v2/media", item)
        if response.status_code == 404:  # a server from before media v2
            response = self._post("/api/v1/media", item)
        if response.status_code not in (200, 202):
            raise _media_refusal(self.label, item, response, self.now())
        body = json_body(response)
        media_id = body.get("id") if isinstance(body, Mapping) else None
        if not isinstance(media_id, str | int):
            raise TransientError(f"{self.label} sent an upload answer cmdesk cannot read.")
        # 202: still processing, url is null until done (1.6).
        return str(media_id), response.status_code == 200 and bool(body.get("url"))

    def _post(self, path: str, item: MediaItem) -> requests.Response:
        name = os.path.basename(item.path) or item.path
        data = {"description": item.alt_text} if item.alt_text.strip() else {}
        try:
            handle = open(item.path, "rb")  # noqa: SIM115 - closed by the with below
        except OSError as exc:
            raise PermanentError(
                f"{name} cannot be read ({exc.strerror}); it may have been moved or deleted. "
                "Attach it again."
            ) from None
        with handle:
            try:
                return self.api.send(
                    "POST", path, files={"file": (name, handle, item.mime_type)}, data=data
                )
            except MaybeSent as exc:
                # An upload that may have arrived only leaves an unattached file on the server.
                raise TransientError(
                    f"The upload of {name} was cut off ({exc.message}); cmdesk will send it again.",
                    detail=exc.detail,
                ) from None

    def wait_processed(self, media_id: str, item: MediaItem, *, may_be_gone: bool) -> bool:
        """Poll until the server has processed the file (200 with a url; 206 while working).

        Mastodon.py waits with no deadline (1.6); here a stuck queue ends in a ``TransientError``
        and the next attempt polls the same upload again. ``False``: the upload is gone (404).
        """
        name = os.path.basename(item.path) or item.path
        deadline = time.monotonic() + self.adapter.media_deadline
        delay = self.adapter.media_poll_interval
        while True:
            response = self.api.send("GET", f"/api/v1/media/{media_id}")
            code = response.status_code
            if code == 200 and _has_url(response):
                return True
            if code == 404 and may_be_gone:
                return False
            if code == 422:
                raise PermanentError(
                    f"{self.label} could not process {name} ({error_text(response)}). "
                    "Try another file.",
                )
            if code not in (200, 206):
                self.api.check(response)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                minutes = self.adapter.media_deadline / 60
                raise TransientError(
                    f"{self.label} is still processing {name} after {minutes:.0f} minute(s). "
                    "cmdesk will try again later and reuse the upload.",
                    retry_after=60,
                )
            self.adapter.sleep(min(delay, remaining))
            delay = min(delay * 1.5, 5.0)


def _has_url(response: requests.Response) -> bool:
    body = _json_or_none(response)
    return isinstance(body, Mapping) and bool(body.get("url"))
