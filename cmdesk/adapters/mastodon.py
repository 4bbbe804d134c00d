"""Mastodon and the servers that speak its client API: limits, validation, publishing, hand-off.

Facts come from ``reference/networks.md`` section 1 (cited as "1.x" in comments) and the sources it
cites; where the reference was silent, the choice made is written next to the code.

**Secret** (``credentials.read()``): ``{"access_token": str, ...}``. Only ``access_token`` is used
here; :mod:`cmdesk.adapters.mastodon_auth` also stores ``token_type``, ``scope``, ``created_at``,
``client_id`` and ``client_secret`` (needed to revoke the token). Mastodon tokens do not expire and
have no refresh token (1.1), so nothing is ever written back.

**Limits** (``ChannelRef.limits``, produced by :meth:`MastodonAdapter.verify`), a flat JSON object:

* ``software``: ``"mastodon"``, ``"gotosocial"``, ``"pleroma"``, ``"akkoma"``, ``"pixelfed"``,
  ``"snac"`` ... or ``"unknown"``; ``version``: the server's version string; ``api_version``: the
  integer ``api_versions.mastodon`` (4.3+) or ``None``; ``instance_api``: ``"v2"``, ``"v1"`` or
  ``"none"`` (which document the limits came from; ``"none"`` means Mastodon's defaults);
* every field of :class:`cmdesk.text.mastodon.MastodonLimits` under its own name
  (``max_characters``, ``characters_reserved_per_url``, ``max_media_attachments``,
  ``description_limit``, ``image_size_limit``, ``image_matrix_limit``, ``video_size_limit``,
  ``video_matrix_limit``, ``video_frame_rate_limit``, ``supported_mime_types`` as a list, ``poll_*``);
* ``idempotency_key``: whether the server deduplicates by ``Idempotency-Key`` (1.4: Mastodon proper
  only; GoToSocial, Pixelfed and snac do not; unknown software is trusted with nothing);
* ``native_scheduling``: whether ``scheduled_at`` hands the post to the server (1.5: Mastodon only;
  GoToSocial ignores the field and posts at once, snac has no scheduled-statuses list to track);
* ``min_schedule_lead_seconds`` (300) and ``read_at`` (when the limits were read, ISO 8601).

**State** (the outbox checkpoint): ``{"format": "mastodon/1", "digest", "scheduled_at", "parts":
[{"media": [id|None ...], "remote_id", "url", "created_at", "scheduled", "uncertain",
"first_sent_at", "last_sent_at"}], "published_parts": [remote ids]}``. ``uncertain`` is set
before every create call and cleared once the outcome is known, so a retry knows which part may
already exist. ``published_parts`` is for the engine (something exists remotely). The engine may
add ``"confirmed_not_sent": true`` when the person has checked that an unclear part did not go
out: the next attempt then sends it without looking again. The idempotency key of part ``i`` is
``f"{idempotency_token}-{i}"``, never stored, always derived.

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

import hashlib
import html
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests

from cmdesk.adapters.base import (
    AccountInfo,
    AmbiguousError,
    AuthExpired,
    Capabilities,
    ChannelRef,
    Checkpoint,
    CredentialHandle,
    Dedupe,
    MediaItem,
    MediaRules,
    NetworkUnavailable,
    PermanentError,
    PostPart,
    Problem,
    PublishRequest,
    PublishResult,
    RemotePost,
    TransientError,
)
from cmdesk.adapters.http import (
    MaybeSent,
    NotSent,
    error_text,
    json_body,
    raise_for_status,
    send,
    server_now,
)
from cmdesk.clock import Clock, SystemClock
from cmdesk.text.graphemes import count_graphemes
from cmdesk.text.mastodon import MastodonLimits, check_mastodon, mastodon_length

log = logging.getLogger(__name__)

NETWORK = "mastodon"
STATE_FORMAT = "mastodon/1"
VISIBILITIES = ("public", "unlisted", "private", "direct")
#: Keys are kept one hour per account (1.4); resend with the same key only well inside it.
IDEMPOTENCY_WINDOW = timedelta(minutes=50)
#: How long after a send a missing status is taken as "never created" (a slow server may still be
#: writing it: the Hachyderm duplicates of 1.4 / section 10). Decided here; the reference is silent.
SETTLE_TIME = timedelta(minutes=10)
#: ``scheduled_at <= now + 5 min`` is refused (1.5); one more minute absorbs clock differences.
SCHEDULE_MIN_LEAD = timedelta(minutes=5)
SCHEDULE_MARGIN = timedelta(minutes=1)
#: After a scheduled status left the server's list, how long its status may take to appear.
HANDOFF_GRACE = timedelta(minutes=10)
#: Slack on "created after the attempt started" (the server clock is corrected by its Date header).
CLOCK_MARGIN = timedelta(minutes=2)
MEDIA_DEADLINE = 600.0  # seconds; processing queues have lagged 12 minutes (1.6)
PAGE_SIZE = 40  # the maximum for account statuses and scheduled statuses (1.5)
RECONCILE_PAGES = 5
SCHEDULED_PAGES = 10  # 300 pending scheduled statuses at most (1.5)
SOURCE_CHECKS = 20
_ID_FORMAT = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


# --- limits and capabilities ---------------------------------------------------------------------


def detect_software(instance: Mapping[str, Any]) -> str:
    """Which server software an instance document comes from (``"unknown"`` when unsure).

    Mastodon's ``version`` is "4.3.2" (forks add "+glitch" ...); Pleroma, Akkoma and Pixelfed say
    "<mastodon version> (compatible; Pleroma 2.6)"; snac says "4.0.0 (not true; really snac/2.75)";
    GoToSocial sends its own "0.17.3 git-..." (or "3.5.3+0.17.3" when told to pretend) with a
    ``source_url`` naming it (GTS ``internaltofrontend.go``).
    """
    version = str(instance.get("version") or "")
    source = str(instance.get("source_url") or "").lower()
    lowered = version.lower()
    if "gotosocial" in source or "gotosocial" in lowered:
        return "gotosocial"
    compatible = re.search(r"\(compatible;\s*([A-Za-z][\w-]*)", version)
    if compatible:
        return compatible.group(1).lower()
    for name in ("snac", "takahe", "pixelfed", "friendica", "misskey", "sharkey", "mitra"):
        if name in lowered or name in source:
            return name
    api_versions = instance.get("api_versions")
    if isinstance(api_versions, Mapping) and "mastodon" in api_versions:
        return "mastodon"
    major = re.match(r"^(\d+)\.\d+", version)
    # Forks add "+glitch" or "+hometown-1.1"; "3.5.3+0.17.3" is GoToSocial pretending.
    if major and int(major.group(1)) >= 1 and not re.search(r"\s|\+\d", version.strip()):
        return "mastodon"
    return "unknown"


def limits_from_instance(
    instance: Mapping[str, Any], source: str, read_at: datetime
) -> dict[str, Any]:
    """The channel's limits dict (see the module docstring) from an instance document."""
    numbers = MastodonLimits.from_instance_json(instance)
    software = detect_software(instance) if source != "none" else "unknown"
    api_versions = instance.get("api_versions")
    api_version = api_versions.get("mastodon") if isinstance(api_versions, Mapping) else None
    limits: dict[str, Any] = asdict(numbers)
    limits["supported_mime_types"] = list(numbers.supported_mime_types)
    limits.update(
        software=software,
        version=str(instance.get("version") or ""),
        api_version=api_version if isinstance(api_version, int) else None,
        instance_api=source,
        idempotency_key=software == "mastodon",
        native_scheduling=software == "mastodon",
        min_schedule_lead_seconds=int(SCHEDULE_MIN_LEAD.total_seconds()),
        read_at=_iso(read_at),
    )
    return limits


@dataclass(frozen=True, slots=True)
class _Config:
    """A channel's stored limits, read back defensively (an old or empty dict keeps defaults)."""

    limits: MastodonLimits
    software: str
    idempotency: bool
    native_scheduling: bool

    @classmethod
    def of(cls, channel: ChannelRef) -> _Config:
        raw = channel.limits or {}
        names = {f.name for f in fields(MastodonLimits)}
        flat = {k: v for k, v in raw.items() if k in names}
        # Back through the text module's tolerant reader: odd stored values become defaults.
        doc = {
            "configuration": {
                "statuses": flat,
                "media_attachments": flat,
                "polls": {k.removeprefix("poll_"): v for k, v in flat.items()},
            }
        }
        return cls(
            limits=MastodonLimits.from_instance_json(doc),
            software=str(raw.get("software") or "unknown"),
            idempotency=raw.get("idempotency_key") is True,
            native_scheduling=raw.get("native_scheduling") is True,
        )

    def media_rules(self) -> MediaRules:
        default = MediaRules()
        types = self.limits.supported_mime_types
        images = frozenset(t for t in types if t.startswith("image/")) or default.image_types
        # Video and audio share Mastodon's video size limit and its "only one" rule.
        videos = frozenset(t for t in types if t.startswith(("video/", "audio/")))
        return MediaRules(
            max_count=self.limits.max_media_attachments,
            max_image_bytes=self.limits.image_size_limit,
            max_video_bytes=self.limits.video_size_limit,
            image_types=images,
            video_types=videos or default.video_types,
            max_alt_chars=self.limits.description_limit,
            max_image_pixels=self.limits.image_matrix_limit,
        )


# --- small helpers ------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


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


def _token(credentials: CredentialHandle) -> str:
    secret = credentials.read()
    token = secret.get("access_token") if isinstance(secret, Mapping) else None
    if not isinstance(token, str) or not token:
        raise AuthExpired("This channel has no Mastodon sign-in stored. Reconnect it in Channels.")
    return token


@dataclass(frozen=True, slots=True)
class _Expected:
    """What a status cmdesk may have created looks like, for matching it on the server."""

    text: str
    spoiler: str
    reply_to: str | None
    media_ids: tuple[str, ...] | None  # None: not known here (then the text decides)


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


# --- the adapter ---------------------------------------------------------------------------------


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
        config = _Config.of(channel)
        if not parts:
            return [Problem("empty", "There is nothing to publish: write some text.")]
        problems: list[Problem] = []
        visibility = options.get("visibility")
        if visibility is not None and visibility not in VISIBILITIES:
            problems.append(
                Problem(
                    "bad_visibility",
                    f"Unknown visibility {visibility!r}: choose one of "
                    + ", ".join(VISIBILITIES)
                    + ".",
                )
            )
        spoiler = str(options.get("spoiler_text") or "")
        for index, part in enumerate(parts):
            problems += self._part_problems(config, index, part, spoiler, len(parts) > 1)
        return problems

    def _part_problems(
        self, config: _Config, index: int, part: PostPart, spoiler: str, thread: bool
    ) -> list[Problem]:
        where = f"Part {index + 1}: " if thread else ""
        if not part.text.strip() and not part.media:
            return [Problem("empty", f"{where}the post is empty: add text or media.", index)]
        problems = [
            Problem("too_long", where + p.message, index)
            for p in check_mastodon(part.text, spoiler, config.limits)
        ]
        rules = config.media_rules()
        if len(part.media) > rules.max_count:
            problems.append(
                Problem(
                    "too_many_media",
                    f"{where}{len(part.media)} attachments; this server takes at most "
                    f"{rules.max_count} per post. Remove some or move them to another part.",
                    index,
                )
            )
        if len(part.media) > 1 and any(_is_video(m) for m in part.media):
            problems.append(
                Problem(
                    "video_not_alone",
                    f"{where}a video or audio file must be the only attachment of its post.",
                    index,
                )
            )
        for item in part.media:
            problems += _media_problems(rules, item, index, where)
        return problems

    # --- verify ----------------------------------------------------------------------------------

    def verify(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> AccountInfo:
        api = _Api(channel, credentials, http, self.clock)
        response = api.send("GET", "/api/v1/accounts/verify_credentials")
        if response.status_code == 404:
            # Not even the account endpoint: say whether this is a Mastodon server at all,
            # which is what a person who typed the wrong address needs to hear.
            from cmdesk.adapters.mastodon_auth import check_server

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


def _is_video(item: MediaItem) -> bool:
    return item.mime_type.startswith(("video/", "audio/"))


def _media_problems(rules: MediaRules, item: MediaItem, index: int, where: str) -> list[Problem]:
    name = os.path.basename(item.path) or item.path
    if item.mime_type not in rules.image_types | rules.video_types:
        return [
            Problem(
                "unsupported_media_type",
                f"{where}{name} is a {item.mime_type} file, which this server does not accept.",
                index,
            )
        ]
    return _size_problems(rules, item, index, where + name) + _alt_problems(
        rules, item, index, where + name
    )


def _size_problems(rules: MediaRules, item: MediaItem, index: int, name: str) -> list[Problem]:
    size = item.size_bytes
    if size is None:
        try:
            size = os.path.getsize(item.path)
        except OSError:
            return [Problem("media_missing", f"{name} cannot be found; attach it again.", index)]
    limit = rules.max_video_bytes if _is_video(item) else rules.max_image_bytes
    if size <= limit:
        return []
    return [
        Problem(
            "media_too_large",
            f"{name} is {size / 1_048_576:.1f} MB; this server takes at most "
            f"{limit / 1_048_576:.0f} MB for this kind of file.",
            index,
        )
    ]


def _alt_problems(rules: MediaRules, item: MediaItem, index: int, name: str) -> list[Problem]:
    if not item.alt_text.strip():
        return [
            Problem(
                "missing_alt",
                f"{name} has no description (alt text); people using screen readers will not "
                "know what it shows.",
                index,
                blocking=False,
            )
        ]
    if count_graphemes(item.alt_text) > rules.max_alt_chars:
        return [
            Problem(
                "alt_too_long",
                f"{name}: the description is over {rules.max_alt_chars} characters.",
                index,
            )
        ]
    return []


def _read_instance(api: _Api) -> tuple[dict[str, Any], str]:
    """The instance document: v2, else v1 (1.2); ``({}, "none")`` when neither is readable."""
    for path, name in (("/api/v2/instance", "v2"), ("/api/v1/instance", "v1")):
        response = api.send("GET", path)
        if response.status_code == 429 or response.status_code >= 500:
            api.check(response)
        if response.status_code != 200:
            continue  # 404: an older server without v2, or not Mastodon at all
        try:
            body = response.json()
        except ValueError:
            log.warning("%s: %s is not JSON; trying the next source", api.label, path)
            continue
        if isinstance(body, dict) and ("version" in body or "configuration" in body):
            return body, name
    return {}, "none"


# --- the outbox state ---------------------------------------------------------------------------


@dataclass
class _Part:
    """One thread part as the outbox remembers it (JSON-able)."""

    media: list[str | None]
    remote_id: str | None = None
    url: str | None = None
    created_at: str | None = None
    scheduled: bool = False  # remote_id is a ScheduledStatus id
    uncertain: bool = False  # a create was sent and its outcome is unknown
    first_sent_at: str | None = None
    last_sent_at: str | None = None


@dataclass
class _State:
    digest: str
    parts: list[_Part]
    scheduled_at: str | None = None

    def dump(self) -> dict[str, Any]:
        return {
            "format": STATE_FORMAT,
            "digest": self.digest,
            "scheduled_at": self.scheduled_at,
            "parts": [asdict(part) for part in self.parts],
            # What the engine reads to know whether anything exists remotely.
            "published_parts": [p.remote_id for p in self.parts if p.remote_id],
        }

    @property
    def touched(self) -> bool:
        """Whether anything may already exist on the server."""
        return any(p.remote_id or p.uncertain for p in self.parts)


def _digest(request: PublishRequest) -> str:
    """A fingerprint of the frozen payload, so a state is never applied to another post."""
    payload = {
        "parts": [
            [p.text, [[m.path, m.mime_type, m.alt_text] for m in p.media]] for p in request.parts
        ],
        "options": {
            k: request.options.get(k)
            for k in ("visibility", "spoiler_text", "language", "sensitive")
        },
        "in_reply_to": request.in_reply_to,
        "scheduled_at": _iso(request.scheduled_at) if request.scheduled_at else None,
    }
    encoded = json.dumps(payload, sort_keys=True, default=str).encode()
    return hashlib.sha256(encoded).hexdigest()[:32]


def _load_state(request: PublishRequest) -> _State:
    """The outbox state to resume from; a fresh one on the first attempt."""
    digest = _digest(request)
    scheduled_at = _iso(request.scheduled_at) if request.scheduled_at else None
    fresh = _State(
        digest, [_Part(media=[None] * len(p.media)) for p in request.parts], scheduled_at
    )
    raw = request.state
    if not raw:
        return fresh
    state = _parse_state(raw)
    same = state is not None and raw.get("format") == STATE_FORMAT and state.digest == digest
    if same and state is not None and _shape(state) == [len(p.media) for p in request.parts]:
        if raw.get("confirmed_not_sent") is True:
            # The person checked the account: the unclear part did not go out.
            for part in state.parts:
                part.uncertain = False
        return state
    if state is not None and not state.touched:
        return fresh
    raise AmbiguousError(
        "This post changed (or its saved progress is unreadable) after cmdesk had started "
        "publishing it, so cmdesk cannot tell what already went out. Check the account and "
        "confirm, or publish it again as a new post.",
        detail=f"state digest {raw.get('digest')!r} != {digest!r}",
    )


def _shape(state: _State) -> list[int]:
    return [len(p.media) for p in state.parts]


def _parse_state(raw: Mapping[str, Any]) -> _State | None:
    known = {f.name for f in fields(_Part)}
    try:
        parts = [_Part(**{k: v for k, v in p.items() if k in known}) for p in raw["parts"]]
        return _State(str(raw["digest"]), parts, raw.get("scheduled_at"))
    except (KeyError, TypeError, AttributeError):
        return None


# --- one publication -----------------------------------------------------------------------------


class _Publication:
    """One call of ``publish``: the request, its outbox state and the channel's API."""

    def __init__(
        self, adapter: MastodonAdapter, request: PublishRequest, api: _Api, checkpoint: Checkpoint
    ) -> None:
        self.adapter = adapter
        self.request = request
        self.api = api
        self.label = api.label
        self._checkpoint = checkpoint
        self.config = _Config.of(request.channel)
        self.state = _load_state(request)
        self.finder = _Finder(api)

    def save(self) -> None:
        self._checkpoint(self.state.dump())

    def now(self) -> datetime:
        return self.adapter.clock.now()

    # --- thread (or single post) ------------------------------------------------------------------

    def thread(self) -> PublishResult:
        for index in range(len(self.request.parts)):
            if self.state.parts[index].remote_id is None:
                self._part(index)
        return self._result()

    def _part(self, index: int) -> None:
        part = self.state.parts[index]
        resent = False
        if part.uncertain:
            if self._key_safe(part):
                resent = True  # the same key: the server answers with the status it made (1.4)
            elif self._settle(index):
                return
        self._ensure_media(index)
        self._create(index, resent=resent)

    def _settle(self, index: int) -> bool:
        """Resolve an earlier unclear send: True if the status exists (now recorded)."""
        part = self.state.parts[index]
        since = _parse_time(part.first_sent_at) or self.now()
        status, covered = self.finder.find(self.expected(index), since)
        if status is not None:
            log.info("%s: found part %d from an earlier attempt", self.label, index)
            self._record(index, status)
            return True
        if covered and self._settled(part):
            part.uncertain = False
            return False
        raise self._ambiguous(index)

    # --- hand-off to the server's scheduler (1.5) ---------------------------------------------------

    def scheduled(self) -> PublishResult:
        self._check_can_schedule()
        part = self.state.parts[0]
        if part.remote_id is None and not (part.uncertain and self._settle_scheduled()):
            self._check_lead()
            self._ensure_media(0)
            self._create(0, resent=False)
        return self._result()

    def _check_can_schedule(self) -> None:
        due = self.request.scheduled_at
        if due is None or due.tzinfo is None or due.utcoffset() is None:
            raise PermanentError("The scheduled time has no time zone; cmdesk cannot hand it over.")
        if not self.config.native_scheduling:
            raise PermanentError(
                f"{self.label} ({self.config.software}) cannot schedule posts itself. "
                "Let cmdesk publish this post at its time instead."
            )
        if len(self.request.parts) != 1:
            raise PermanentError(
                "A Mastodon server can schedule a single post, not a thread: each reply needs the "
                "post before it to exist. Let cmdesk publish the thread at its time instead."
            )

    def _check_lead(self) -> None:
        assert self.request.scheduled_at is not None
        lead = self.request.scheduled_at - self.now()
        needed = SCHEDULE_MIN_LEAD + SCHEDULE_MARGIN
        if lead < needed:
            minutes = max(0, int(lead.total_seconds() // 60))
            raise PermanentError(
                "A Mastodon server schedules a post only more than 5 minutes ahead, and this one "
                f"is due in {minutes} minute(s). Pick a time at least "
                f"{int(needed.total_seconds() // 60)} minutes from now, or let cmdesk publish it "
                "itself."
            )

    def _settle_scheduled(self) -> bool:
        """Resolve an earlier unclear hand-off: True if it exists (scheduled or already out)."""
        part = self.state.parts[0]
        item, covered = self._find_scheduled()
        if item is not None:
            self._record(0, item)
            return True
        due = self.request.scheduled_at
        assert due is not None
        if due <= self.now() + CLOCK_MARGIN:  # its time came: it may be a status by now
            since = _parse_time(part.first_sent_at) or self.now()
            status, seen_all = self.finder.find(self.expected(0), since)
            if status is not None:
                self._record(0, status)
                return True
            covered = covered and seen_all
        if covered and self._settled(part):
            part.uncertain = False
            return False
        raise self._ambiguous(0)

    def _find_scheduled(self) -> tuple[dict[str, Any] | None, bool]:
        # Idempotency-Key is not relied on for scheduled statuses (mastodon#30039): match on
        # params.text and scheduled_at instead (1.4 recommendation).
        due = self.request.scheduled_at
        assert due is not None
        expected = self.expected(0)
        for page in self.api.pages("/api/v1/scheduled_statuses", SCHEDULED_PAGES):
            if not page:
                return None, True
            for item in page:
                if isinstance(item, Mapping) and _scheduled_match(item, expected, due):
                    return dict(item), True
        return None, False

    # --- creating a status ---------------------------------------------------------------------------

    def _create(self, index: int, *, resent: bool) -> None:
        part = self.state.parts[index]
        now = self.now()
        part.uncertain = True
        part.first_sent_at = part.first_sent_at or _iso(now)
        part.last_sent_at = _iso(now)
        self.save()  # the outbox: stored before the request leaves
        headers = {"Idempotency-Key": f"{self.request.idempotency_token}-{index}"}
        try:
            response = self.api.send(
                "POST", "/api/v1/statuses", data=self._form(index), headers=headers
            )
        except (NotSent, NetworkUnavailable, PermanentError):
            self._not_created(part, resent)
            raise
        except MaybeSent as exc:
            self._unclear(index, resent=resent, server_error=False, why=exc.message)
            return
        self._answer(index, response, resent=resent)

    def _answer(self, index: int, response: requests.Response, *, resent: bool) -> None:
        code = response.status_code
        if code < 300:
            body = _json_or_none(response)
            if isinstance(body, Mapping) and isinstance(body.get("id"), str | int):
                self._record(index, body)
                return
            # A 200 whose body cannot be read: the status may well exist (handled like a timeout).
            why = f"its answer could not be read (HTTP {code})"
            self._unclear(index, resent=resent, server_error=False, why=why)
            return
        if code >= 500 and code != 503:  # 503: a proxy or throttle answered, nothing was done
            self._unclear(index, resent=resent, server_error=True, why=error_text(response))
            return
        self._not_created(self.state.parts[index], resent)
        raise _refusal(self.label, self._what(index), response, self.now())

    def _unclear(self, index: int, *, resent: bool, server_error: bool, why: str) -> None:
        part = self.state.parts[index]
        what = self._what(index)
        if self._key_safe(part):
            if server_error and resent:
                # A 5xx on a repeated key may mean "already posted" (1.4, mastodon#40399).
                since = _parse_time(part.first_sent_at) or self.now()
                status, _ = self.finder.find(self.expected(index), since)
                if status is not None:
                    self._record(index, status)
                    return
            raise TransientError(
                f"{self.label} did not confirm {what} ({why}). cmdesk will send it again with "
                "the same idempotency key, which cannot post it twice.",
                retry_after=30,
            )
        if server_error:
            raise TransientError(
                f"{self.label} had a problem ({why}). Before trying again cmdesk will look on "
                f"the account for {what}, in case it went out.",
                retry_after=SETTLE_TIME.total_seconds(),
            )
        scheduled = self.request.scheduled_at is not None
        if not (self._settle_scheduled() if scheduled else self._settle(index)):
            raise TransientError(f"{what} did not reach {self.label}; cmdesk will try again.")

    def _not_created(self, part: _Part, resent: bool) -> None:
        if not resent:  # this was the only send: the server surely made nothing
            part.uncertain = False
            self.save()

    def _record(self, index: int, body: Mapping[str, Any]) -> None:
        part = self.state.parts[index]
        scheduled = "params" in body and "scheduled_at" in body and "content" not in body
        if self.request.scheduled_at is not None and not scheduled:
            log.warning("%s ignored scheduled_at and published at once", self.label)
        part.remote_id = str(body["id"])
        part.scheduled = scheduled
        url = None if scheduled else body.get("url") or body.get("uri")
        part.url = url if isinstance(url, str) else None
        created = body.get("created_at")
        part.created_at = created if isinstance(created, str) else None
        part.uncertain = False
        self.save()

    def _form(self, index: int) -> list[tuple[str, str]]:
        part = self.request.parts[index]
        options = self.request.options
        form = [("status", part.text)]
        form += [("media_ids[]", m) for m in self.state.parts[index].media if m]
        reply_to = self._reply_to(index)
        if reply_to:
            form.append(("in_reply_to_id", reply_to))
        spoiler = str(options.get("spoiler_text") or "")
        if spoiler:
            form.append(("spoiler_text", spoiler))
        if options.get("sensitive") is True:
            form.append(("sensitive", "true"))
        for name in ("visibility", "language"):
            if options.get(name):
                form.append((name, str(options[name])))
        if self.request.scheduled_at is not None:
            form.append(("scheduled_at", _iso(self.request.scheduled_at)))  # aware UTC (1.5)
        return form

    # --- media (1.6) ------------------------------------------------------------------------------

    def _ensure_media(self, index: int) -> None:
        part = self.state.parts[index]
        for slot, item in enumerate(self.request.parts[index].media):
            media_id = part.media[slot]
            if media_id is not None and self._wait_processed(media_id, item, may_be_gone=True):
                continue  # uploaded by an earlier attempt and still there
            media_id, ready = self._upload(item)
            part.media[slot] = media_id
            self.save()  # a retry reuses this upload instead of sending the file again
            if not ready:
                self._wait_processed(media_id, item, may_be_gone=False)

    def _upload(self, item: MediaItem) -> tuple[str, bool]:
        response = self._post_media("/api/v2/media", item)
        if response.status_code == 404:  # a server from before media v2
            response = self._post_media("/api/v1/media", item)
        if response.status_code not in (200, 202):
            raise _media_refusal(self.label, item, response, self.now())
        body = json_body(response)
        media_id = body.get("id") if isinstance(body, Mapping) else None
        if not isinstance(media_id, str | int):
            raise TransientError(f"{self.label} sent an upload answer cmdesk cannot read.")
        # 202: still processing, url is null until done (1.6).
        return str(media_id), response.status_code == 200 and bool(body.get("url"))

    def _post_media(self, path: str, item: MediaItem) -> requests.Response:
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

    def _wait_processed(self, media_id: str, item: MediaItem, *, may_be_gone: bool) -> bool:
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

    # --- bits -----------------------------------------------------------------------------------

    def _reply_to(self, index: int) -> str | None:
        # A self-thread is a reply chain (1.8); the first part may answer someone (inbox reply).
        return self.state.parts[index - 1].remote_id if index else self.request.in_reply_to

    def expected(self, index: int) -> _Expected:
        return _Expected(
            text=self.request.parts[index].text,
            spoiler=str(self.request.options.get("spoiler_text") or ""),
            reply_to=self._reply_to(index),
            media_ids=tuple(m for m in self.state.parts[index].media if m),
        )

    def _key_safe(self, part: _Part) -> bool:
        """Whether resending with the same key cannot post twice (1.4: kept for one hour)."""
        first = _parse_time(part.first_sent_at)
        return (
            self.config.idempotency
            and self.request.scheduled_at is None  # ignored with scheduled_at (mastodon#30039)
            and first is not None
            and self.now() - first < IDEMPOTENCY_WINDOW
        )

    def _settled(self, part: _Part) -> bool:
        last = _parse_time(part.last_sent_at)
        return last is not None and self.now() - last >= SETTLE_TIME

    def _what(self, index: int) -> str:
        if len(self.request.parts) == 1:
            return "the post"
        return f"part {index + 1} of the thread"

    def _ambiguous(self, index: int) -> AmbiguousError:
        where = (
            "among the posts scheduled there"
            if self.request.scheduled_at is not None
            else "on the account"
        )
        return AmbiguousError(
            f"cmdesk cannot tell whether {self._what(index)} reached {self.label}: the answer "
            f"was lost after it was sent, and it is not {where} (yet). Check the account, then "
            "confirm it went out or publish it again."
        )

    def _result(self) -> PublishResult:
        parts = self.state.parts
        posts = tuple(RemotePost(str(p.remote_id), p.url) for p in parts)
        first = parts[0]
        return PublishResult(
            remote_id=posts[0].remote_id,
            url=first.url,
            parts=posts,
            published_at=None if first.scheduled else _parse_time(first.created_at),
            handed_off=first.scheduled,
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


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _has_url(response: requests.Response) -> bool:
    body = _json_or_none(response)
    return isinstance(body, Mapping) and bool(body.get("url"))


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
