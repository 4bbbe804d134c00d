"""HTTP plumbing every adapter shares: timeouts, what a failure means, rate limits, error bodies.

The question that matters after a failed request is *did it reach the server?* A connection that
was never made (refused, DNS failure, connect timeout) can be retried freely. A request that was
sent but got no answer (read timeout, connection reset mid-response, a truncated body) may have
created the post: only a network that deduplicates may resend it blindly. ``send`` answers that
question with two exception types, and adapters decide.
"""

from __future__ import annotations

import email.utils
import json
import socket
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase
from requests.models import PreparedRequest

from cmdesk import __version__
from cmdesk.adapters.base import (
    AdapterError,
    AuthExpired,
    NetworkUnavailable,
    PermanentError,
    RateLimited,
    TransientError,
)

USER_AGENT = f"cmdesk/{__version__} (+desktop scheduler)"
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 60.0
#: Longest wait a rate limit may impose before cmdesk tries again anyway (a broken Reset header
#: must not park a post for a year).
MAX_RATE_LIMIT_WAIT = timedelta(hours=3)


class NotSent(TransientError):
    """The request never reached the server: resending it cannot post twice."""


class MaybeSent(AdapterError):
    """The request went out but no usable answer came back: it may have taken effect."""


#: How long the proxy settings read from the environment for one server are reused.
ENVIRONMENT_TTL = 60.0


class _OwnHeaders(AuthBase):
    """No authentication from requests itself: adapters send their own Authorization header.

    Without it, requests looks in ``~/.netrc`` on every request (a file check each time) and an
    entry for the server there would replace the adapter's token.
    """

    def __call__(self, r: PreparedRequest) -> PreparedRequest:
        return r


class TimeoutSession(requests.Session):
    """A session whose requests always have a timeout (requests has none by default).

    It also remembers, per server, the proxy settings requests reads from the environment: on
    every request requests otherwise walks the whole environment, which at a thousand posts a
    minute was a noticeable share of each publish's time (benchmarks/RESULTS.md).
    """

    def __init__(self, timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT)) -> None:
        super().__init__()
        self.default_timeout = timeout
        self.headers["User-Agent"] = USER_AGENT
        self.auth = _OwnHeaders()
        # No automatic retries: the engine decides what may be retried, and when.
        adapter = HTTPAdapter(max_retries=0, pool_connections=4, pool_maxsize=8)
        self.mount("https://", adapter)
        self.mount("http://", adapter)
        self._environment: dict[str, tuple[float, dict[str, Any]]] = {}

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)

    def merge_environment_settings(
        self, url: Any, proxies: Any, stream: Any, verify: Any, cert: Any
    ) -> Any:
        if proxies or stream is not None or verify is not None or cert is not None:
            return super().merge_environment_settings(url, proxies, stream, verify, cert)
        parts = urlsplit(str(url))
        origin = f"{parts.scheme}://{parts.netloc}"
        now = time.monotonic()
        cached = self._environment.get(origin)
        if cached is None or now - cached[0] > ENVIRONMENT_TTL:
            settings = super().merge_environment_settings(url, proxies, stream, verify, cert)
            cached = (now, dict(settings))
            self._environment[origin] = cached
        fresh = dict(cached[1])  # requests may change what it is given
        fresh["proxies"] = dict(fresh.get("proxies") or {})
        return fresh


def make_session() -> requests.Session:
    return TimeoutSession()


def _no_network(exc: BaseException) -> bool:
    """Whether a connection error means "this machine is offline" rather than "server down"."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, socket.gaierror):
            return True
        if isinstance(cur, OSError) and cur.errno in (101, 113):  # ENETUNREACH, EHOSTUNREACH
            return True
        name = type(cur).__name__
        if name == "NameResolutionError":
            return True
        cur = (
            cur.__cause__
            or cur.__context__
            or (cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None)
        )
    return "Name or service not known" in str(exc) or "Temporary failure in name resolution" in str(
        exc
    )


def send(session: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
    """Make a request; turn transport failures into ``NotSent``/``NetworkUnavailable``/``MaybeSent``."""
    try:
        return session.request(method, url, **kwargs)
    except requests.exceptions.ConnectTimeout as exc:
        raise NotSent(
            "The server did not answer the connection in time.", detail=str(exc)
        ) from None
    except requests.exceptions.SSLError as exc:
        raise PermanentError(
            "The server's security certificate is not valid; check the server address.",
            detail=str(exc),
        ) from None
    except requests.exceptions.ReadTimeout as exc:
        raise MaybeSent("The server took too long to answer.", detail=str(exc)) from None
    except requests.exceptions.ChunkedEncodingError as exc:
        raise MaybeSent("The server's answer was cut off.", detail=str(exc)) from None
    except requests.exceptions.ConnectionError as exc:
        if _no_network(exc):
            raise NetworkUnavailable("No network connection.", detail=str(exc)) from None
        if _connection_never_made(exc):
            raise NotSent("Could not connect to the server.", detail=str(exc)) from None
        raise MaybeSent(
            "The connection dropped before the server answered.", detail=str(exc)
        ) from None
    except (
        # MissingSchema and InvalidSchema ("bsky.social", "ftp://...") are not InvalidURLs.
        requests.exceptions.InvalidURL,
        requests.exceptions.MissingSchema,
        requests.exceptions.InvalidSchema,
    ) as exc:
        raise PermanentError(f"{url!r} is not a valid address.", detail=str(exc)) from None


def _connection_never_made(exc: requests.exceptions.ConnectionError) -> bool:
    text = repr(exc)
    return any(
        marker in text
        for marker in ("NewConnectionError", "Connection refused", "ConnectionRefusedError")
    )


# --- answers ------------------------------------------------------------------------------------


def json_body(response: requests.Response) -> Any:
    """The JSON of a response; a body that is not JSON is a ``TransientError`` (proxies do that)."""
    try:
        return response.json()
    except (ValueError, json.JSONDecodeError):
        snippet = response.text[:120].replace("\n", " ")
        raise TransientError(
            f"The server sent an answer cmdesk cannot read (HTTP {response.status_code}).",
            detail=f"not JSON: {snippet!r}",
        ) from None


def error_text(response: requests.Response) -> str:
    """The server's own words about an error, from the usual JSON shapes, else the status line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping):
        parts = [body.get(k) for k in ("error", "message", "error_description")]
        words = [str(p) for p in parts if isinstance(p, str | int) and str(p).strip()]
        if words:
            return ": ".join(dict.fromkeys(words))[:500]
    return f"HTTP {response.status_code} {response.reason or ''}".strip()


def server_now(response: requests.Response, local_now: datetime) -> datetime:
    """The server's idea of now (its Date header), to correct reset times for clock skew."""
    header = response.headers.get("Date")
    if not header:
        return local_now
    try:
        parsed = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError, IndexError):
        return local_now
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _parse_reset(value: str) -> datetime | None:
    """A reset time as Unix seconds (GoToSocial, Bluesky) or ISO 8601 (Mastodon)."""
    value = value.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        return datetime.fromtimestamp(number, UTC) if number > 10**9 else None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def retry_at(response: requests.Response, local_now: datetime, body: Any = None) -> datetime:
    """When a rate-limited request may be tried again, in the local clock.

    Reads, in order: ``Retry-After`` (seconds or an HTTP date), a ``retry_after`` in the JSON body
    (Telegram, Discord), then a reset header (``X-RateLimit-Reset`` / ``RateLimit-Reset``, ISO
    8601 or Unix seconds). Absolute times are shifted by the server clock's offset from ours.
    Falls back to one minute; never more than ``MAX_RATE_LIMIT_WAIT``.
    """
    skew = local_now - server_now(response, local_now)
    delay: timedelta | None = None
    header = response.headers.get("Retry-After")
    if header:
        try:
            delay = timedelta(seconds=float(header))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(header)
                delay = when.astimezone(UTC) + skew - local_now
            except (TypeError, ValueError, IndexError):
                delay = None
    if delay is None and isinstance(body, Mapping):
        candidate = body.get("retry_after")
        params = body.get("parameters")
        if candidate is None and isinstance(params, Mapping):
            candidate = params.get("retry_after")
        if isinstance(candidate, int | float) and not isinstance(candidate, bool):
            delay = timedelta(seconds=float(candidate))
    if delay is None:
        for name in ("X-RateLimit-Reset", "RateLimit-Reset"):
            reset = response.headers.get(name)
            parsed = _parse_reset(reset) if reset else None
            if parsed is not None:
                delay = parsed + skew - local_now
                break
    if delay is None:
        delay = timedelta(minutes=1)
    delay = max(timedelta(seconds=1), min(delay, MAX_RATE_LIMIT_WAIT))
    return local_now + delay


def raise_for_status(
    response: requests.Response, *, network: str, local_now: datetime | None = None
) -> None:
    """Turn an HTTP error answer into the adapter error that says what to do next."""
    status = response.status_code
    if status < 400:
        return
    now = local_now or datetime.now(UTC)
    words = error_text(response)
    if status == 429:
        try:
            body = response.json()
        except ValueError:
            body = None
        raise RateLimited(
            f"{network} asks cmdesk to slow down; it will try again later.",
            retry_at=retry_at(response, now, body),
            detail=words,
        )
    if status == 401:
        raise AuthExpired(
            f"{network} no longer accepts this channel's sign-in ({words}). "
            "Reconnect the channel in Channels.",
            detail=words,
        )
    if status >= 500 or status in (408, 425):
        raise TransientError(
            f"{network} had a problem ({words}); cmdesk will try again.", detail=words
        )
    if status == 403:
        raise PermanentError(f"{network} refused the post: {words}.", detail=words)
    if status == 404:
        raise PermanentError(
            f"{network} does not know this address or item ({words}). Check the channel's server "
            "address.",
            detail=words,
        )
    raise PermanentError(f"{network} refused the post: {words}.", detail=words)
