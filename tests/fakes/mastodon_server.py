"""A fake Mastodon (or GoToSocial) server on 127.0.0.1 for adapter and end-to-end tests.

``FakeMastodon`` is a real HTTP server (``ThreadingHTTPServer`` in a daemon thread, port 0) that
answers the part of the Mastodon client API cmdesk uses with the shapes, status codes, headers and
error bodies ``reference/networks.md`` section 1 records: app registration and OAuth, the account,
instance v1/v2, media v2 with asynchronous processing (202, then 206 until done), statuses
(honouring ``Idempotency-Key`` per account, 1.4), account timelines, scheduled statuses (where the
key is ignored, 1.4 / mastodon#30039), rate-limit headers (Mastodon's ISO reset, GoToSocial's Unix
one, 1.11) and ``{"error": ...}`` bodies (1.12).

Every piece of state lives on the server object, behind one lock, so a test can inspect it while a
daemon in another process talks to the server by URL. Knobs:

* ``software="gotosocial"``: GoToSocial's version string and ``source_url``, a Unix reset header,
  ``Idempotency-Key`` ignored, code-point counting, 400 for validation errors, and ``scheduled_at``
  silently ignored (the status is posted at once, as in the GoToSocial source networks.md cites);
* ``fail_next(n, status)``: the next ``n`` matching requests fail with an HTTP status (503, 429 ...),
  ``"drop"`` (connection closed after reading the request), ``"slow"`` (answer after the client's
  timeout) or ``"malformed"`` (200 with broken JSON); ``after_create`` says whether the status is
  created server-side first;
* ``media_processing_polls`` / ``media_never_finishes`` / ``media_processing_error``;
* ``instance_v2_body`` / ``instance_v1_body``: ``None`` for 404, ``bytes`` for a raw body;
* ``clock_skew``: seconds the server's clock is ahead of the machine's (Date and reset headers).

Notifications, direct conversations and thread context (the inbox) live in
:mod:`tests.fakes.mastodon_inbox`.
"""

from __future__ import annotations

import base64
import contextlib
import email.utils
import hashlib
import html
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cmdesk.text.mastodon import mastodon_length
from tests.fakes.mastodon_inbox import MastodonInboxMixin
from tests.fakes.mastodon_metrics import MastodonMetricsMixin

DEFAULT_TOKEN = "token-alice"
OOB = "urn:ietf:wg:oauth:2.0:oob"
MASTODON_MIME_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/avif",
    "video/mp4",
    "video/webm",
    "video/quicktime",
    "audio/mpeg",
    "audio/ogg",
)
_NOT_FOUND_HTML = b"<!DOCTYPE html><html><body><h1>The page you are looking for isn't here.</h1>"
_DEFAULT = object()

Params = dict[str, list[str]]


@dataclass(frozen=True)
class RequestRecord:
    """One request as the server saw it (the Authorization header redacted)."""

    method: str
    path: str
    query: Params
    headers: dict[str, str]
    params: Params
    files: tuple[str, ...]
    status: int  # 0 when the connection was dropped without an answer


@dataclass
class _Fault:
    kind: int | str
    remaining: int
    method: str | None
    path: str | None
    after_create: bool
    retry_in: float
    reset_style: str | None


@dataclass
class _Reply:
    status: int
    body: Any = None  # JSON-able, or bytes sent as they are
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class _Account:
    id: str
    username: str
    display_name: str


@dataclass
class _Request:
    method: str
    path: str
    query: Params
    headers: dict[str, str]
    params: Params
    files: dict[str, tuple[str, str, bytes]]
    account: _Account | None = None

    def one(self, name: str, default: str = "") -> str:
        values = self.params.get(name) or self.query.get(name)
        return values[0] if values else default


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so thousands of requests stay fast
    disable_nagle_algorithm = True
    timeout = 30
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.fake._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._track(self.connection, add=False)

    def do_GET(self) -> None:
        self.server.fake._serve(self)

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_PUT(self) -> None:
        self.server.fake._serve(self)

    def do_DELETE(self) -> None:
        self.server.fake._serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests read server.requests instead


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    # socketserver's default backlog is 5: a burst of new connections (32 workers waking at the
    # same instant) then has its handshakes dropped and retried by TCP after 1, 3, 7 ... 31 s.
    # Real servers (nginx: 511) queue them.
    request_queue_size = 512
    fake: FakeMastodon


class FakeMastodon(MastodonInboxMixin, MastodonMetricsMixin):
    """A Mastodon-compatible server for tests; use it as a context manager."""

    def __init__(
        self,
        *,
        software: str = "mastodon",
        version: str | None = None,
        max_characters: int | None = None,
        characters_reserved_per_url: int | None = None,
        max_media_attachments: int = 4,
        description_limit: int = 1500,
        image_size_limit: int = 16 * 1024 * 1024,
        video_size_limit: int = 99 * 1024 * 1024,
        supported_mime_types: tuple[str, ...] = MASTODON_MIME_TYPES,
        idempotency: bool | None = None,
        idempotency_ttl: float = 3600.0,
        slow_seconds: float = 1.6,
        clock_skew: float = 0.0,
    ) -> None:
        gts = software == "gotosocial"
        self.software = software
        self.version = version or ("0.17.3 git-8d3c1c8" if gts else "4.3.2")
        self.max_characters = max_characters or (5000 if gts else 500)
        self.characters_reserved_per_url = characters_reserved_per_url or (25 if gts else 23)
        self.max_media_attachments = max_media_attachments
        self.description_limit = description_limit
        self.image_size_limit = image_size_limit
        self.video_size_limit = video_size_limit
        self.supported_mime_types = supported_mime_types
        self.idempotency = (not gts) if idempotency is None else idempotency
        self.idempotency_ttl = idempotency_ttl
        self.slow_seconds = slow_seconds
        self.clock_skew = clock_skew
        self.media_processing_polls = 0
        self.media_never_finishes = False
        self.media_processing_error = False
        self.source_endpoint = True
        self.deny_authorization = False
        self.instance_v2_body: Any = _DEFAULT
        self.instance_v1_body: Any = _DEFAULT

        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._connections: set[socket.socket] = set()
        self._seq = 0
        self._accounts: dict[str, _Account] = {}
        self.tokens: dict[str, str] = {}  # token -> account id
        self._apps: dict[str, dict[str, Any]] = {}
        self._codes: dict[str, dict[str, Any]] = {}
        self._statuses: list[dict[str, Any]] = []
        self._sources: dict[str, tuple[str, str]] = {}
        self._scheduled: list[dict[str, Any]] = []
        self._media: dict[str, dict[str, Any]] = {}
        self._keys: dict[tuple[str, str], tuple[str, float]] = {}
        self._faults: list[_Fault] = []
        self._log: list[RequestRecord] = []
        self._inbox_init()
        self.alice = self.add_account("alice", DEFAULT_TOKEN, display_name="Alice")

        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # --- life cycle -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    def __enter__(self) -> FakeMastodon:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop serving, cut open connections and join the server thread."""
        if self._stop.is_set():
            return
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._thread.join(timeout=5)

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    # --- knobs and inspection -------------------------------------------------------------------

    def add_account(self, username: str, token: str, *, display_name: str = "") -> str:
        with self._lock:
            account = _Account(self._next_id(), username, display_name or username.title())
            self._accounts[account.id] = account
            self.tokens[token] = account.id
            return account.id

    def fail_next(
        self,
        n: int = 1,
        status: int | str = 503,
        *,
        method: str | None = "POST",
        path: str | None = "/api/v1/statuses",
        after_create: bool | None = None,
        retry_in: float = 30.0,
        reset_style: str | None = None,
    ) -> None:
        """Make the next ``n`` requests matching ``method`` and ``path`` (prefix) fail.

        ``status``: an HTTP status, ``"drop"``, ``"slow"`` or ``"malformed"``. ``after_create``:
        the request takes effect first (the status exists) and only the answer is lost or wrong;
        by default true for the transport faults and false for an HTTP status (a 429 or a 503
        from a proxy means nothing happened). ``retry_in``: for 429, seconds until the rate limit
        resets, in the server's clock; ``reset_style``: ``"iso"`` (Mastodon) or ``"unix"``
        (GoToSocial) for its reset header, by default the software's own.
        """
        effect = isinstance(status, str) if after_create is None else after_create
        with self._lock:
            self._faults.append(_Fault(status, n, method, path, effect, retry_in, reset_style))

    @property
    def statuses(self) -> list[dict[str, Any]]:
        """Every status created so far (oldest first), as the API shows them."""
        with self._lock:
            return [dict(s) for s in self._statuses]

    @property
    def scheduled(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(s) for s in self._scheduled]

    @property
    def media(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(m) for m in self._media.values()]

    @property
    def requests(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._log)

    def source(self, status_id: str) -> tuple[str, str]:
        """The (text, spoiler_text) a status was created with."""
        with self._lock:
            return self._sources[status_id]

    def delete_status(self, status_id: str) -> None:
        with self._lock:
            self._statuses = [s for s in self._statuses if s["id"] != status_id]

    def publish_scheduled(self, scheduled_id: str | None = None) -> list[dict[str, Any]]:
        """Do what Mastodon's worker does at the time: turn scheduled statuses into statuses.

        The statuses are dated at their scheduled time, as if the worker had run then.
        """
        with self._lock:
            chosen = [s for s in self._scheduled if scheduled_id in (None, s["id"])]
            made = []
            for item in chosen:
                self._scheduled.remove(item)
                account = self._accounts[item["_account"]]
                params = item["params"]
                made.append(
                    self._create_status(
                        account,
                        text=params["text"],
                        spoiler=params["spoiler_text"] or "",
                        visibility=params["visibility"],
                        language=params["language"],
                        reply_to=params["in_reply_to_id"],
                        media_ids=params["media_ids"] or [],
                        sensitive=params["sensitive"],
                        created=datetime.fromisoformat(
                            item["scheduled_at"].replace("Z", "+00:00")
                        ).timestamp(),
                    )
                )
            return made

    # --- plumbing -------------------------------------------------------------------------------

    def _now(self) -> float:
        return time.time() + self.clock_skew

    def _iso(self, ts: float) -> str:
        moment = datetime.fromtimestamp(ts, UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

    def _next_id(self) -> str:
        self._seq += 1
        if self.software == "gotosocial":
            return f"01J{self._seq:023d}"  # ULID-like: 26 characters, sorted by creation
        return str((int(time.time() * 1000) << 16) + self._seq)

    def _serve(self, handler: _Handler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in handler.headers.items()}
        params, files = _parse_body(headers.get("content-type", ""), body)
        req = _Request(handler.command, parts.path, parse_qs(parts.query), headers, params, files)
        fault = self._take_fault(req)
        reply = self._apply(fault, req) if fault else self._dispatch(req)
        self._record(req, reply.status if reply else 0)
        if reply is None:
            handler.close_connection = True  # "drop": the request was read, no answer comes
            return
        self._write(handler, reply)

    def _record(self, req: _Request, status: int) -> None:
        shown = dict(req.headers)
        if "authorization" in shown:
            shown["authorization"] = "Bearer <redacted>"
        with self._lock:
            self._log.append(
                RequestRecord(
                    req.method, req.path, req.query, shown, req.params, tuple(req.files), status
                )
            )

    def _write(self, handler: _Handler, reply: _Reply) -> None:
        if isinstance(reply.body, bytes):
            payload = reply.body
        else:
            payload = json.dumps(reply.body, ensure_ascii=False).encode()
        try:
            handler.send_response_only(reply.status)
            handler.send_header("Date", email.utils.formatdate(self._now(), usegmt=True))
            handler.send_header("Content-Type", reply.content_type)
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in {**self._rate_headers(), **reply.headers}.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except OSError:
            handler.close_connection = True  # the client gave up (a "slow" answer)

    def _rate_headers(
        self, *, remaining: int = 299, reset_in: float | None = None, style: str | None = None
    ) -> dict[str, str]:
        now = self._now()
        reset = now + reset_in if reset_in is not None else (now // 300 + 1) * 300
        style = style or ("unix" if self.software == "gotosocial" else "iso")
        if style == "unix":  # GoToSocial: Unix seconds (networks.md 1.11)
            value = str(int(reset))
        else:  # ISO 8601 with microseconds, as Mastodon's rack_attack sends it
            value = datetime.fromtimestamp(reset, UTC).isoformat(timespec="microseconds")
            value = value.replace("+00:00", "Z")
        return {
            "X-RateLimit-Limit": "300",
            "X-RateLimit-Remaining": str(remaining),
            "X-RateLimit-Reset": value,
        }

    # --- faults ---------------------------------------------------------------------------------

    def _take_fault(self, req: _Request) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method not in (None, req.method):
                    continue
                if fault.path is not None and not req.path.startswith(fault.path):
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None

    def _apply(self, fault: _Fault, req: _Request) -> _Reply | None:
        if fault.kind == "slow":
            reply = self._dispatch(req) if fault.after_create else None
            self._stop.wait(self.slow_seconds)
            return reply or self._dispatch(req)
        if fault.after_create:
            done = self._dispatch(req)
            if fault.kind == "malformed":
                return _Reply(done.status, b'{"id": "1', content_type="application/json")
        elif fault.kind == "malformed":
            return _Reply(200, b"<html>not json", content_type="text/html")
        if fault.kind == "drop":
            return None
        assert isinstance(fault.kind, int), fault.kind
        return self._error_reply(fault)

    def _error_reply(self, fault: _Fault) -> _Reply:
        status = fault.kind
        assert isinstance(status, int)
        if status == 429:
            headers = self._rate_headers(
                remaining=0, reset_in=fault.retry_in, style=fault.reset_style
            )
            return _Reply(429, {"error": "Too many requests"}, headers)
        if status == 503:  # what a proxy in front of the app answers
            return _Reply(503, b"<html><h1>503 Service Unavailable</h1></html>", {}, "text/html")
        return _Reply(status, {"error": f"Simulated error {status}"})

    # --- routing --------------------------------------------------------------------------------

    def _dispatch(self, req: _Request) -> _Reply:
        for method, pattern, name, auth in _ROUTES:
            if method != req.method:
                continue
            match = pattern.fullmatch(req.path)
            if not match:
                continue
            if auth:
                denied = self._authenticate(req)
                if denied:
                    return denied
            handler: Callable[..., _Reply] = getattr(self, name)
            with self._lock:
                return handler(req, *match.groups())
        return _Reply(404, _NOT_FOUND_HTML, content_type="text/html; charset=utf-8")

    def _authenticate(self, req: _Request) -> _Reply | None:
        header = req.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _Reply(401, {"error": "This method requires an authenticated user"})
        with self._lock:
            account_id = self.tokens.get(header[7:])
        if account_id is None:
            return _Reply(
                401,
                {"error": "The access token is invalid"},
                {"WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token"'},
            )
        req.account = self._accounts[account_id]
        return None

    def _invalid(self, message: str) -> _Reply:
        if self.software == "gotosocial":
            return _Reply(400, {"error": f"Bad Request: {message}"})
        return _Reply(422, {"error": message})

    # --- apps and OAuth (networks.md 1.1) -------------------------------------------------------

    def _apps_create(self, req: _Request) -> _Reply:
        name = req.one("client_name")
        uris = req.params.get("redirect_uris[]") or req.params.get("redirect_uris") or []
        uris = [u for value in uris for u in value.split()]
        if not name:
            return _Reply(422, {"error": "Validation failed: Application name can't be blank"})
        if not uris:
            return _Reply(422, {"error": "Validation failed: Redirect URI can't be blank"})
        app: dict[str, Any] = {
            "id": self._next_id(),
            "name": name,
            "website": req.one("website") or None,
            "scopes": req.one("scopes", "read").split(),
            "redirect_uri": "\n".join(uris),
            "redirect_uris": uris,
            "client_id": secrets.token_urlsafe(16),
            "client_secret": secrets.token_urlsafe(24),
            "client_secret_expires_at": 0,
            "vapid_key": "BCk-fake",
        }
        self._apps[app["client_id"]] = app
        return _Reply(200, app)

    def _authorize(self, req: _Request) -> _Reply:
        app = self._apps.get(req.one("client_id"))
        redirect = req.one("redirect_uri")
        if app is None or redirect not in app["redirect_uris"]:
            return _Reply(
                400, b"<html>The redirect uri included is not valid.</html>", {}, "text/html"
            )
        state = req.one("state")
        if self.deny_authorization:
            query = {"error": "access_denied", "error_description": "The user denied it."}
        else:
            code = secrets.token_urlsafe(16)
            self._codes[code] = {
                "client_id": app["client_id"],
                "redirect_uri": redirect,
                "scope": req.one("scope", "read"),
                "challenge": req.one("code_challenge"),
                "account": self.alice,
            }
            query = {"code": code}
            if redirect == OOB:
                page = f'<html><input class="oauth-code" value="{code}"></html>'.encode()
                return _Reply(200, page, {}, "text/html")
        if state:
            query["state"] = state
        return _Reply(302, b"", {"Location": f"{redirect}?{urlencode(query)}"}, "text/html")

    def _token(self, req: _Request) -> _Reply:
        app = self._apps.get(req.one("client_id"))
        if app is None or app["client_secret"] != req.one("client_secret"):
            return _Reply(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "Client authentication failed due to unknown client, "
                    "no client authentication included, or unsupported authentication method.",
                },
            )
        grant = self._codes.get(req.one("code"))
        if (
            req.one("grant_type") != "authorization_code"
            or grant is None
            or grant["client_id"] != app["client_id"]
            or grant["redirect_uri"] != req.one("redirect_uri")
            or not _pkce_ok(grant["challenge"], req.one("code_verifier"))
        ):
            return _Reply(
                400,
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid, expired, "
                    "revoked, does not match the redirection URI used in the authorization "
                    "request, or was issued to another client.",
                },
            )
        del self._codes[req.one("code")]  # single use
        token = secrets.token_urlsafe(24)
        self.tokens[token] = grant["account"]
        return _Reply(
            200,
            {
                "access_token": token,
                "token_type": "Bearer",
                "scope": grant["scope"],
                "created_at": int(self._now()),
            },
        )

    # --- account and instance (networks.md 1.1, 1.2) --------------------------------------------

    def _account_json(self, account: _Account) -> dict[str, Any]:
        return {
            "id": account.id,
            "username": account.username,
            "acct": account.username,
            "display_name": account.display_name,
            "locked": False,
            "bot": False,
            "created_at": self._iso(self._now() - 86400),
            "note": "",
            "url": f"{self.url}/@{account.username}",
            "avatar": f"{self.url}/avatars/original/missing.png",
            "header": f"{self.url}/headers/original/missing.png",
            "followers_count": 0,
            "following_count": 0,
            "statuses_count": sum(1 for s in self._statuses if s["account"]["id"] == account.id),
            "emojis": [],
            "fields": [],
        }

    def _verify(self, req: _Request) -> _Reply:
        assert req.account is not None
        body = self._account_json(req.account)
        body["source"] = {"privacy": "public", "sensitive": False, "language": "", "note": ""}
        return _Reply(200, body)

    def _configuration(self) -> dict[str, Any]:
        return {
            "urls": {"streaming": self.url.replace("http", "ws")},
            "statuses": {
                "max_characters": self.max_characters,
                "max_media_attachments": self.max_media_attachments,
                "characters_reserved_per_url": self.characters_reserved_per_url,
            },
            "media_attachments": {
                "supported_mime_types": list(self.supported_mime_types),
                "description_limit": self.description_limit,
                "image_size_limit": self.image_size_limit,
                "image_matrix_limit": 33177600,
                "video_size_limit": self.video_size_limit,
                "video_frame_rate_limit": 120,
                "video_matrix_limit": 8294400,
            },
            "polls": {
                "max_options": 4,
                "max_characters_per_option": 50,
                "min_expiration": 300,
                "max_expiration": 2629746,
            },
            "translation": {"enabled": False},
        }

    def _source_url(self) -> str:
        if self.software == "gotosocial":
            return "https://codeberg.org/superseriousbusiness/gotosocial"
        return "https://github.com/mastodon/mastodon"

    def _instance_v2(self, req: _Request) -> _Reply:
        if self.instance_v2_body is not _DEFAULT:
            return _raw(self.instance_v2_body)
        body: dict[str, Any] = {
            "domain": self.host,
            "title": "Fake server",
            "version": self.version,
            "source_url": self._source_url(),
            "description": "A fake server for tests.",
            "usage": {"users": {"active_month": 1}},
            "languages": ["en"],
            "configuration": self._configuration(),
            "registrations": {"enabled": False, "approval_required": False},
            "contact": {"email": "admin@example.test"},
            "rules": [],
        }
        if self.software == "mastodon":
            body["api_versions"] = {"mastodon": 2}
        return _Reply(200, body)

    def _instance_v1(self, req: _Request) -> _Reply:
        if self.instance_v1_body is not _DEFAULT:
            return _raw(self.instance_v1_body)
        return _Reply(
            200,
            {
                "uri": self.host,
                "title": "Fake server",
                "short_description": "A fake server for tests.",
                "description": "",
                "email": "admin@example.test",
                "version": self.version,
                "urls": {"streaming_api": self.url.replace("http", "ws")},
                "stats": {"user_count": 1, "status_count": len(self._statuses), "domain_count": 0},
                "languages": ["en"],
                "registrations": False,
                "approval_required": False,
                "configuration": self._configuration(),
                "rules": [],
            },
        )

    # --- media (networks.md 1.6) ----------------------------------------------------------------

    def _media_create(self, req: _Request) -> _Reply:
        assert req.account is not None
        upload = req.files.get("file")
        if upload is None:
            return _Reply(422, {"error": "Validation failed: File can't be blank"})
        filename, mime, data = upload
        if mime not in self.supported_mime_types:
            return _Reply(422, {"error": "Validation failed: File content type is invalid"})
        limit = self.image_size_limit if mime.startswith("image/") else self.video_size_limit
        if len(data) > limit:
            return _Reply(
                422, {"error": f"Validation failed: File file size must be less than {limit} Bytes"}
            )
        description = req.one("description")
        if len(description) > self.description_limit:
            return _Reply(422, {"error": "Validation failed: Description is too long"})
        kind = "image" if mime.startswith("image/") else mime.split("/")[0]
        pending = self.media_never_finishes or self.media_processing_polls > 0
        media: dict[str, Any] = {
            "id": self._next_id(),
            "type": "gifv" if mime == "image/gif" else kind,
            "url": None,
            "preview_url": f"{self.url}/media/small/{filename}",
            "remote_url": None,
            "description": description or None,
            "blurhash": "UFBWY:8_0Jxv",
            "meta": {},
            "_account": req.account.id,
            "_polls_left": self.media_processing_polls,
            "_attached": False,
        }
        if not pending:
            media["url"] = f"{self.url}/media/original/{filename}"
        self._media[media["id"]] = media
        return _Reply(202 if pending else 200, _public(media))

    def _media_get(self, req: _Request, media_id: str) -> _Reply:
        assert req.account is not None
        media = self._media.get(media_id)
        if media is None or media["_account"] != req.account.id:
            return _Reply(404, {"error": "Record not found"})
        if media["url"] is None:
            if self.media_processing_error:
                return _Reply(422, {"error": "Error processing thumbnail for uploaded media"})
            media["_polls_left"] -= 1
            if self.media_never_finishes or media["_polls_left"] >= 0:
                return _Reply(206, _public(media))
            media["url"] = f"{media['preview_url'].replace('/small/', '/original/')}"
        return _Reply(200, _public(media))

    # --- statuses (networks.md 1.3, 1.4, 1.5, 1.8) ----------------------------------------------

    def _status_create(self, req: _Request) -> _Reply:
        account = req.account
        assert account is not None
        key = req.headers.get("idempotency-key")
        scheduled_at = req.one("scheduled_at")
        honour_key = self.idempotency and key and not (scheduled_at and self.software == "mastodon")
        if honour_key:
            assert key is not None
            known = self._keys.get((account.id, key))
            if known and self._now() - known[1] < self.idempotency_ttl:
                found = [s for s in self._statuses if s["id"] == known[0]]
                if found:
                    return _Reply(200, found[0])
        problem = self._check_status(req)
        if problem:
            return problem
        fields = self._status_fields(req)
        if scheduled_at and self.software == "mastodon":
            return self._schedule(account, scheduled_at, key, fields)
        status = self._create_status(account, **fields)
        for media_id in fields["media_ids"]:
            self._media[media_id]["_attached"] = True
        if honour_key:
            assert key is not None
            self._keys[(account.id, key)] = (status["id"], self._now())
        return _Reply(200, status)

    def _status_fields(self, req: _Request) -> dict[str, Any]:
        assert req.account is not None
        media_ids = [
            m
            for m in req.params.get("media_ids[]", [])
            if m in self._media and self._media[m]["_account"] == req.account.id
        ]  # unknown ids are dropped silently, as Mastodon does
        return {
            "text": req.one("status"),
            "spoiler": req.one("spoiler_text"),
            "visibility": req.one("visibility", "public"),
            "language": req.one("language") or None,
            "reply_to": req.one("in_reply_to_id") or None,
            "media_ids": media_ids,
            "sensitive": req.one("sensitive") in ("true", "1") or bool(req.one("spoiler_text")),
        }

    def _check_status(self, req: _Request) -> _Reply | None:
        text, spoiler = req.one("status"), req.one("spoiler_text")
        media_ids = req.params.get("media_ids[]", [])
        if not text.strip() and not media_ids:
            if self.software == "gotosocial":
                return self._invalid("no status, media, or poll provided")
            return _Reply(422, {"error": "Validation failed: Text can't be blank"})
        if self.software == "gotosocial":
            length = len(text) + len(spoiler)  # GoToSocial counts code points (networks.md 1.7)
        else:
            length = mastodon_length(text, spoiler, url_length=self.characters_reserved_per_url)
        if length > self.max_characters:
            if self.software == "gotosocial":
                return self._invalid(f"status too long, {length} characters provided")
            return _Reply(
                422,
                {
                    "error": f"Validation failed: Text character limit of {self.max_characters} exceeded"
                },
            )
        if len(media_ids) > self.max_media_attachments:
            return self._invalid(f"Cannot attach more than {self.max_media_attachments} files")
        if any(m in self._media and self._media[m]["url"] is None for m in media_ids):
            return _Reply(
                422,
                {
                    "error": "Cannot attach files that have not finished processing. "
                    "Try again in a moment!"
                },
            )
        reply_to = req.one("in_reply_to_id")
        if reply_to and not any(s["id"] == reply_to for s in self._statuses):
            return _Reply(404, {"error": "Record not found"})
        visibility = req.one("visibility", "public")
        if visibility not in ("public", "unlisted", "private", "direct"):
            return self._invalid("Validation failed: Visibility is not included in the list")
        return None

    def _create_status(
        self,
        account: _Account,
        *,
        text: str,
        spoiler: str,
        visibility: str,
        language: str | None,
        reply_to: str | None,
        media_ids: list[str],
        sensitive: bool,
        created: float | None = None,
    ) -> dict[str, Any]:
        status_id = self._next_id()
        parent = next((s for s in self._statuses if s["id"] == reply_to), None)
        status = {
            "id": status_id,
            "created_at": self._iso(self._now() if created is None else created),
            "in_reply_to_id": reply_to,
            "in_reply_to_account_id": parent["account"]["id"] if parent else None,
            "sensitive": sensitive,
            "spoiler_text": spoiler,
            "visibility": visibility,
            "language": language,
            "uri": f"{self.url}/users/{account.username}/statuses/{status_id}",
            "url": f"{self.url}/@{account.username}/{status_id}",
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "edited_at": None,
            "content": _render(text),
            "reblog": None,
            "application": {"name": "cmdesk", "website": None},
            "account": self._account_json(account),
            "media_attachments": [_public(self._media[m]) for m in media_ids],
            "mentions": [],
            "tags": [],
            "emojis": [],
            "card": None,
            "poll": None,
        }
        self._statuses.append(status)
        self._sources[status_id] = (text, spoiler)
        return status

    def _schedule(
        self, account: _Account, scheduled_at: str, key: str | None, fields: dict[str, Any]
    ) -> _Reply:
        try:
            when = datetime.fromisoformat(scheduled_at.replace("Z", "+00:00")).timestamp()
        except ValueError:
            return _Reply(422, {"error": "Validation failed: Scheduled at is invalid"})
        # ScheduledStatus: "scheduled_at <= now + 5 minutes" is refused (networks.md 1.5).
        if when <= self._now() + 300:
            return _Reply(
                422,
                {
                    "error": "Validation failed: Scheduled at The scheduled date must be in the future"
                },
            )
        mine = [s for s in self._scheduled if s["_account"] == account.id]
        if len(mine) >= 300:
            return _Reply(
                422,
                {"error": "Validation failed: You have exceeded the limit of 300 scheduled posts"},
            )
        item = {
            "id": self._next_id(),
            "scheduled_at": self._iso(when),
            "params": {
                "text": fields["text"],
                "media_ids": fields["media_ids"] or None,
                "sensitive": fields["sensitive"],
                "spoiler_text": fields["spoiler"] or None,
                "visibility": fields["visibility"],
                "language": fields["language"],
                "scheduled_at": None,
                "poll": None,
                "idempotency": key,
                "in_reply_to_id": fields["reply_to"],
                "application_id": 1,
                "with_rate_limit": False,
            },
            "media_attachments": [_public(self._media[m]) for m in fields["media_ids"]],
            "_account": account.id,
        }
        self._scheduled.append(item)
        return _Reply(200, _public(item))

    def _status_get(self, req: _Request, status_id: str) -> _Reply:
        found = [s for s in self._statuses if s["id"] == status_id]
        return _Reply(200, found[0]) if found else _Reply(404, {"error": "Record not found"})

    def _status_source(self, req: _Request, status_id: str) -> _Reply:
        if not self.source_endpoint or status_id not in self._sources:
            return _Reply(404, {"error": "Record not found"})
        if not any(s["id"] == status_id for s in self._statuses):
            return _Reply(404, {"error": "Record not found"})
        text, spoiler = self._sources[status_id]
        return _Reply(200, {"id": status_id, "text": text, "spoiler_text": spoiler})

    def _account_statuses(self, req: _Request, account_id: str) -> _Reply:
        if account_id not in self._accounts:
            return _Reply(404, {"error": "Record not found"})
        mine = [s for s in reversed(self._statuses) if s["account"]["id"] == account_id]
        if req.one("exclude_replies") in ("true", "1"):
            mine = [s for s in mine if s["in_reply_to_id"] is None]
        return self._page(req, mine, f"/api/v1/accounts/{account_id}/statuses")

    def _scheduled_list(self, req: _Request) -> _Reply:
        assert req.account is not None
        mine = [s for s in reversed(self._scheduled) if s["_account"] == req.account.id]
        return self._page(req, [_public(s) for s in mine], "/api/v1/scheduled_statuses")

    def _scheduled_get(self, req: _Request, scheduled_id: str) -> _Reply:
        assert req.account is not None
        for item in self._scheduled:
            if item["id"] == scheduled_id and item["_account"] == req.account.id:
                return _Reply(200, _public(item))
        return _Reply(404, {"error": "Record not found"})

    def _scheduled_delete(self, req: _Request, scheduled_id: str) -> _Reply:
        before = len(self._scheduled)
        self._scheduled = [s for s in self._scheduled if s["id"] != scheduled_id]
        return (
            _Reply(200, {})
            if len(self._scheduled) < before
            else _Reply(404, {"error": "Record not found"})
        )

    def _page(self, req: _Request, items: list[dict[str, Any]], path: str) -> _Reply:
        """Newest first, ``limit`` (default 20, max 40) and ``max_id``, with a Link header."""
        try:
            limit = max(1, min(int(req.one("limit", "20")), 40))
        except ValueError:
            limit = 20
        ids = [item["id"] for item in items]
        max_id = req.one("max_id")
        start = ids.index(max_id) + 1 if max_id in ids else 0
        page = items[start : start + limit]
        headers = {}
        if page:
            headers["Link"] = (
                f'<{self.url}{path}?limit={limit}&max_id={page[-1]["id"]}>; rel="next"'
            )
        return _Reply(200, page, headers)


def _raw(body: Any) -> _Reply:
    if body is None:
        return _Reply(404, _NOT_FOUND_HTML, content_type="text/html; charset=utf-8")
    if isinstance(body, bytes):
        return _Reply(200, body, content_type="application/json; charset=utf-8")
    return _Reply(200, body)


def _public(item: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if not k.startswith("_")}


def _pkce_ok(challenge: str, verifier: str) -> bool:
    if not challenge:
        return True
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode() == challenge


_URL = re.compile(r"https?://[^\s<]+")
_MENTION = re.compile(r"@(\w+)@([\w.-]+\w)")


def _render(text: str) -> str:
    """Plain text as Mastodon renders it: paragraphs, linkified URLs with spans, h-card mentions."""

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        scheme, rest = url.split("://", 1)
        return (
            f'<a href="{url}" rel="nofollow noopener" target="_blank">'
            f'<span class="invisible">{scheme}://</span><span class="ellipsis">{rest[:30]}</span>'
            f'<span class="invisible">{rest[30:]}</span></a>'
        )

    def mention(match: re.Match[str]) -> str:
        user, domain = match.groups()
        return (
            f'<span class="h-card"><a href="https://{domain}/@{user}" class="u-url mention">'
            f"@<span>{user}</span></a></span>"
        )

    paragraphs = []
    for para in html.escape(text, quote=False).split("\n\n"):
        para = _URL.sub(link, para)
        para = _MENTION.sub(mention, para)
        paragraphs.append("<p>" + para.replace("\n", "<br />") + "</p>")
    return "".join(paragraphs)


def _parse_body(content_type: str, body: bytes) -> tuple[Params, dict[str, tuple[str, str, bytes]]]:
    """Form, JSON or multipart parameters, plus uploaded files by field name."""
    if not body:
        return {}, {}
    if content_type.startswith("multipart/form-data"):
        return _parse_multipart(content_type, body)
    if content_type.startswith("application/json"):
        data = json.loads(body)
        params: Params = {}
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            name = f"{key}[]" if isinstance(value, list) else key
            params[name] = [
                "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                for v in values
            ]
        return params, {}
    return parse_qs(body.decode(), keep_blank_values=True), {}


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[Params, dict[str, tuple[str, str, bytes]]]:
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    params: Params = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in _iter_parts(message):
        name = str(part.get_param("name", header="content-disposition") or "")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, part.get_content_type(), data)
        else:
            params.setdefault(name, []).append(data.decode("utf-8"))
    return params, files


def _iter_parts(message: Any) -> Iterator[Any]:
    yield from message.iter_parts()


_ROUTES: list[tuple[str, re.Pattern[str], str, bool]] = [
    (m, re.compile(p), n, a)
    for m, p, n, a in [
        ("POST", r"/api/v1/apps", "_apps_create", False),
        ("GET", r"/oauth/authorize", "_authorize", False),
        ("POST", r"/oauth/token", "_token", False),
        ("GET", r"/api/v1/accounts/verify_credentials", "_verify", True),
        ("GET", r"/api/v2/instance", "_instance_v2", False),
        ("GET", r"/api/v1/instance", "_instance_v1", False),
        ("POST", r"/api/v2/media", "_media_create", True),
        ("GET", r"/api/v1/media/([^/]+)", "_media_get", True),
        ("POST", r"/api/v1/statuses", "_status_create", True),
        ("GET", r"/api/v1/statuses", "_statuses_index", True),
        ("GET", r"/api/v1/statuses/([^/]+)", "_status_get", True),
        ("GET", r"/api/v1/statuses/([^/]+)/source", "_status_source", True),
        ("GET", r"/api/v1/accounts/([^/]+)/statuses", "_account_statuses", True),
        ("GET", r"/api/v1/scheduled_statuses", "_scheduled_list", True),
        ("GET", r"/api/v1/scheduled_statuses/([^/]+)", "_scheduled_get", True),
        ("DELETE", r"/api/v1/scheduled_statuses/([^/]+)", "_scheduled_delete", True),
        ("GET", r"/api/v1/notifications", "_notifications_list", True),
        ("GET", r"/api/v1/conversations", "_conversations_list", True),
        ("GET", r"/api/v1/markers", "_markers_get", True),
        ("POST", r"/api/v1/markers", "_markers_set", True),
        ("GET", r"/api/v1/statuses/([^/]+)/context", "_status_context", True),
    ]
]

__all__ = ["DEFAULT_TOKEN", "OOB", "FakeMastodon", "RequestRecord"]
