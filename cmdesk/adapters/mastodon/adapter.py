"""The Mastodon adapter: capabilities, validation, length, verify, publish and hand-off checks.

Facts come from ``reference/networks.md`` section 1 (cited as "1.x" in comments) and the sources it
cites; where the reference was silent, the choice made is written next to the code. The steps live
in the sibling modules; this one wires them to the adapter protocol.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from cmdesk.adapters.base import (
    AccountInfo,
    AmbiguousError,
    Capabilities,
    ChannelRef,
    Checkpoint,
    CredentialHandle,
    Dedupe,
    NoticeBatch,
    PermanentError,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
    ThreadPost,
)
from cmdesk.adapters.http import json_body
from cmdesk.adapters.mastodon import inbox, markers, metrics, search
from cmdesk.adapters.mastodon.api import _Api
from cmdesk.adapters.mastodon.limits import (
    SCHEDULE_MARGIN,
    SCHEDULE_MIN_LEAD,
    _Config,
    _read_instance,
    limits_from_instance,
)
from cmdesk.adapters.mastodon.media import MEDIA_DEADLINE
from cmdesk.adapters.mastodon.publication import _Publication
from cmdesk.adapters.mastodon.reconcile import CLOCK_MARGIN, _Expected, _Finder, _status_result
from cmdesk.adapters.mastodon.state import _load_state
from cmdesk.adapters.mastodon.timestamps import _iso, _parse_time
from cmdesk.adapters.mastodon.validation import VISIBILITIES, _problems
from cmdesk.adapters.metrics import Metrics
from cmdesk.adapters.search import SearchBatch
from cmdesk.clock import Clock, SystemClock
from cmdesk.text.mastodon import mastodon_length

log = logging.getLogger(__name__)

NETWORK = "mastodon"
#: After a scheduled status left the server's list, how long its status may take to appear.
HANDOFF_GRACE = timedelta(minutes=10)
_ID_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class MastodonAdapter:
    """Publishes to Mastodon and Mastodon-compatible servers."""

    network = NETWORK
    display_name = "Mastodon"

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        sleep: Callable[[float], None] = time.sleep,
        media_deadline: float = MEDIA_DEADLINE,
        media_poll_interval: float = 1.0,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.sleep = sleep
        self.media_deadline = media_deadline
        self.media_poll_interval = media_poll_interval
        self._lock = threading.Lock()
        # What each handed-off status looks like, so check_handoff can find it once published.
        self._handoffs: dict[tuple[str, str], tuple[_Expected, datetime]] = {}
        # Servers that answered that they keep no read markers: not asked again by this process.
        self._no_markers: set[str] = set()

    # --- capabilities, length, validation --------------------------------------------------------

    def capabilities(self, channel: ChannelRef) -> Capabilities:
        config = _Config.of(channel)
        url = config.limits.characters_reserved_per_url
        return Capabilities(
            network=self.network,
            max_chars=config.limits.max_characters,
            length_rule=f"characters as people see them, each link counts {url}, "
            "the content warning counts too",
            media=config.media_rules(),
            threads=True,
            native_scheduling=config.native_scheduling,
            min_schedule_lead=SCHEDULE_MIN_LEAD + SCHEDULE_MARGIN
            if config.native_scheduling
            else None,
            dedupe=Dedupe.IDEMPOTENCY_KEY if config.idempotency else Dedupe.NONE,
            content_warning=True,
            visibility=VISIBILITIES,
            languages=True,
        )

    def measure(self, channel: ChannelRef, text: str, options: Mapping[str, Any]) -> int:
        limits = _Config.of(channel).limits
        spoiler = str(options.get("spoiler_text") or "")
        return mastodon_length(text, spoiler, url_length=limits.characters_reserved_per_url)

    def validate(
        self, channel: ChannelRef, parts: tuple[PostPart, ...], options: Mapping[str, Any]
    ) -> list[Problem]:
        return _problems(_Config.of(channel), parts, options)

    # --- verify ----------------------------------------------------------------------------------

    # --- inbox (cmdesk.adapters.mastodon.inbox) ----------------------------------------------------

    def fetch_notifications(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        cursor: str | None,
    ) -> NoticeBatch:
        return inbox.fetch_notifications(_Api(channel, credentials, http, self.clock), cursor)

    def fetch_context(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_id: str,
    ) -> tuple[ThreadPost, ...]:
        return inbox.fetch_context(_Api(channel, credentials, http, self.clock), remote_id)

    def mark_seen(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        marks: Sequence[str],
    ) -> bool:
        """Move the notifications read marker forward (cmdesk.adapters.seen)."""
        api = _Api(channel, credentials, http, self.clock)
        if api.base in self._no_markers:
            return False
        try:
            return markers.mark_seen(api, marks)
        except markers.NoMarkers as exc:
            with self._lock:
                self._no_markers.add(api.base)
            log.info("%s (%s): notifications stay unread there", exc.message, exc.detail)
            return False

    # --- listening (cmdesk.adapters.mastodon.search) ---------------------------------------------

    def search(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        kind: str,
        text: str,
        cursor: str | None,
    ) -> SearchBatch:
        return search.search(_Api(channel, credentials, http, self.clock), kind, text, cursor)

    def fetch_metrics(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_ids: Sequence[str],
    ) -> dict[str, Metrics]:
        api = _Api(channel, credentials, http, self.clock)
        return metrics.fetch_metrics(api, remote_ids)

    def verify(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> AccountInfo:
        api = _Api(channel, credentials, http, self.clock)
        response = api.send("GET", "/api/v1/accounts/verify_credentials")
        if response.status_code == 404:
            # Not even the account endpoint: say whether this is a Mastodon server at all,
            # which is what a person who typed the wrong address needs to hear.
            from cmdesk.adapters.mastodon.auth import check_server

            check_server(http, channel.base_url)
        api.check(response)
        account = json_body(response)
        if not isinstance(account, Mapping) or not isinstance(account.get("username"), str):
            raise PermanentError(
                f"{api.label} answered, but not like a Mastodon server. Check the server address."
            )
        instance, source = _read_instance(api)
        domain = instance.get("domain") or instance.get("uri") or api.label
        domain = urlsplit(str(domain)).netloc or str(domain)
        username = account["username"]
        return AccountInfo(
            handle=f"@{username}@{domain}",
            display_name=str(account.get("display_name") or username),
            url=account.get("url") if isinstance(account.get("url"), str) else None,
            limits=limits_from_instance(instance, source, self.clock.now()),
        )

    # --- publish ---------------------------------------------------------------------------------

    def prepare(self, request: PublishRequest) -> Mapping[str, Any] | None:
        """The first checkpoint of a single post without media, stored before its time.

        Only on a server that honours ``Idempotency-Key`` and for a post published now (not a
        hand-off, where the key is ignored, 1.4): the part is marked "possibly sent" from now on,
        and a resume resends it with the same key, which cannot post it twice. The key's hour is
        counted from now, a little before the real send: on the safe side.
        """
        if (
            request.state
            or request.scheduled_at is not None
            or len(request.parts) != 1
            or request.parts[0].media
            or not _Config.of(request.channel).idempotency
        ):
            return None
        state = _load_state(request)
        part = state.parts[0]
        part.uncertain = True
        part.first_sent_at = part.last_sent_at = _iso(self.clock.now())
        return state.dump()

    def publish(
        self,
        request: PublishRequest,
        credentials: CredentialHandle,
        http: requests.Session,
        checkpoint: Checkpoint,
    ) -> PublishResult:
        api = _Api(request.channel, credentials, http, self.clock)
        run = _Publication(self, request, api, checkpoint)
        result = run.scheduled() if request.scheduled_at is not None else run.thread()
        if result.handed_off and request.scheduled_at is not None:
            expected = run.expected(0)
            with self._lock:
                self._handoffs[(api.base, result.remote_id)] = (expected, request.scheduled_at)
        return result

    def check_handoff(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        scheduled_id: str,
        *,
        text: str | None = None,
        scheduled_at: datetime | None = None,
        spoiler_text: str = "",
        in_reply_to: str | None = None,
    ) -> PublishResult | None:
        """Whether a status handed to the server's scheduler is out; ``None`` while it waits.

        ``text`` and ``scheduled_at`` (with ``spoiler_text`` and ``in_reply_to``, from the frozen
        payload) identify the published status once the scheduled one is gone; without them the
        adapter uses what it saw in this process, and if it saw nothing it cannot tell and raises
        ``AmbiguousError``. A scheduled status deleted on the server, or dropped by it, is a
        ``PermanentError``.
        """
        api = _Api(channel, credentials, http, self.clock)
        if not _ID_FORMAT.match(scheduled_id):
            raise PermanentError(f"{scheduled_id!r} is not a scheduled status id.")
        response = api.send("GET", f"/api/v1/scheduled_statuses/{scheduled_id}")
        if response.status_code != 404:
            api.check(response)
            self._remember(api.base, scheduled_id, json_body(response))
            return None
        given = (
            (_Expected(text, spoiler_text, in_reply_to, None), scheduled_at)
            if text is not None and scheduled_at is not None
            else None
        )
        expected = given or self._seen_handoff(api.base, scheduled_id)
        status, covered = _Finder(api).find(expected[0], expected[1] - CLOCK_MARGIN)
        if status is not None:
            return _status_result(status)
        if not covered:
            raise AmbiguousError(
                f"The post handed to {api.label}'s scheduler is no longer scheduled there, and "
                "too much has been posted since to find it. Check the account and confirm."
            )
        return self._missing_handoff(api, expected[1])

    def _remember(self, base: str, scheduled_id: str, body: Any) -> None:
        params = body.get("params") if isinstance(body, Mapping) else None
        when = _parse_time(body.get("scheduled_at")) if isinstance(body, Mapping) else None
        if not isinstance(params, Mapping) or when is None:
            return
        expected = _Expected(
            text=str(params.get("text") or ""),
            spoiler=str(params.get("spoiler_text") or ""),
            reply_to=str(params["in_reply_to_id"]) if params.get("in_reply_to_id") else None,
            media_ids=tuple(str(m) for m in params.get("media_ids") or ()),
        )
        with self._lock:
            self._handoffs[(base, scheduled_id)] = (expected, when)

    def _seen_handoff(self, base: str, scheduled_id: str) -> tuple[_Expected, datetime]:
        with self._lock:
            seen = self._handoffs.get((base, scheduled_id))
        if seen is None:
            raise AmbiguousError(
                "The post handed to the server's scheduler is no longer scheduled there, and "
                "cmdesk cannot tell whether it was published. Check the account and confirm."
            )
        return seen

    def _missing_handoff(self, api: _Api, due: datetime) -> PublishResult | None:
        now = self.clock.now()
        if now < due - CLOCK_MARGIN:
            raise PermanentError(
                f"The post scheduled on {api.label} was deleted there before its time. "
                "Schedule it again if it should still go out."
            )
        if now < due + HANDOFF_GRACE:
            return None  # the server removes it from the list just before posting it
        raise PermanentError(
            f"{api.label} did not publish the post it had scheduled: it is no longer scheduled "
            "and is not on the account. Publish it again if it should still go out."
        )
