"""A fake Bluesky for tests: entryway, PDS, PLC directory, did:web host and web pages, on 127.0.0.1.

It speaks the real shapes (``reference/networks.md`` section 2 and 12): XRPC error bodies
``{"error", "message"}``, 400 ``ExpiredToken`` for an expired access token, rotating refresh tokens
(a used one is revoked), 401 ``AuthenticationRequired`` for a wrong password, ``putRecord`` that is
a no-op for an identical record and answers ``InvalidSwap`` for a different one under
``swapRecord: null``, ``createRecord`` that answers 500 on an existing key, a TID check on post
record keys, ``BlobNotFound`` for an upload it no longer has, and 429 ``RateLimitExceeded`` with
``RateLimit-*`` headers (Reset in Unix seconds).

Paths: ``/entryway/xrpc/...`` (sessions only), ``/pds/xrpc/...`` (everything), ``/plc/<did>``,
``/.well-known/did.json`` (for a did:web account) and ``/pages/<name>``. Notifications, other
people's posts and threads (the inbox) live in :mod:`tests.fakes.bluesky_inbox`. All state lives in the
object and is guarded by one lock, so a test (or another process, by URL) can inspect it.

Another process (the engine's daemon in an end-to-end test) reaches it with the channel's base URL
set to ``entryway_url`` and ``CMDESK_BLUESKY_PLC_URL=<plc_url>`` in its environment, which
``BlueskyAdapter`` reads when it is built without a ``plc_url``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import itertools
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import regex  # type: ignore[import-untyped]  # no stubs; only \X is used

from tests.fakes.bluesky_inbox import NO_OUTPUT, BlueskyInboxMixin
from tests.fakes.bluesky_metrics import GET_POSTS, BlueskyMetricsMixin

TID = re.compile(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}")
POST = "app.bsky.feed.post"
IMAGE_MAX = 2_000_000  # app.bsky.embed.images#image maxSize
THUMB_MAX = 1_000_000  # app.bsky.embed.external#external thumb maxSize
_SESSION_METHODS = {"com.atproto.server.createSession", "com.atproto.server.refreshSession"}
FAIL_MODES = (429, 500, 503, "drop_before", "drop_after", "slow", "malformed")


def cid_for(data: bytes, prefix: str = "bafyrei") -> str:
    """A CID-like content hash (the real one is a multihash of DAG-CBOR; the idea is the same)."""
    digest = base64.b32encode(hashlib.sha256(data).digest()).decode().lower().rstrip("=")
    return prefix + digest


def record_cid(record: Any) -> str:
    return cid_for(json.dumps(record, sort_keys=True, separators=(",", ":")).encode())


class XrpcError(Exception):
    """An XRPC error answer."""

    def __init__(self, status: int, error: str, message: str = "") -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


@dataclass
class Failure:
    mode: int | str
    only: str | None


@dataclass
class LoggedRequest:
    method: str
    path: str
    nsid: str
    status: int = 0
    auth: str = ""


@dataclass
class Page:
    body: bytes
    content_type: str
    delay: float = 0.0


@dataclass
class _State:
    access: dict[str, str] = field(default_factory=dict)  # token -> did
    expired: set[str] = field(default_factory=set)
    refresh: dict[str, str] = field(default_factory=dict)  # live refresh token -> did
    revoked: set[str] = field(default_factory=set)
    blobs: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # cid -> (data, mime)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)  # rkey -> record
    cids: dict[str, str] = field(default_factory=dict)  # rkey -> cid
    handles: dict[str, str] = field(default_factory=dict)  # handle -> did
    failures: list[Failure] = field(default_factory=list)
    log: list[LoggedRequest] = field(default_factory=list)
    pages: dict[str, Page] = field(default_factory=dict)


class MemoryCredentials:
    """A ``CredentialHandle`` over a dict, thread-safe, that counts its writes."""

    def __init__(self, secret: dict[str, Any]) -> None:
        self._lock = threading.Lock()
        self._secret = dict(secret)
        self.writes: list[dict[str, Any]] = []

    def read(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._secret)

    def write(self, value: dict[str, Any]) -> None:
        with self._lock:
            self._secret = dict(value)
            self.writes.append(dict(value))


class FakeBluesky(BlueskyInboxMixin, BlueskyMetricsMixin):
    """One account on a fake PDS; use as a context manager (``with FakeBluesky() as bsky:``)."""

    def __init__(
        self,
        *,
        handle: str = "alice.test",
        password: str = "app-pass-1234",
        did_method: str = "plc",
        blob_limit: int = 5_000_000,
        slow_seconds: float = 1.5,
        include_did_doc: bool = True,
        display_name: str = "Alice",
    ) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.entryway_url = f"{self.url}/entryway"
        self.pds_url = f"{self.url}/pds"
        self.plc_url = f"{self.url}/plc"
        self.handle = handle
        self.password = password
        self.display_name = display_name
        self.did = (
            f"did:web:{quote(f'127.0.0.1:{self.port}', safe='')}"
            if did_method == "web"
            else "did:plc:" + cid_for(handle.encode(), "")[:24]
        )
        self.blob_limit = blob_limit
        self.slow_seconds = slow_seconds
        self.include_did_doc = include_did_doc
        self.taken_down = False
        self._lock = threading.RLock()
        self._state = _State(handles={handle: self.did})
        self._counter = itertools.count(1)
        self._thread: threading.Thread | None = None
        self._inbox_init()
        self._metrics_init()

    # --- lifecycle ---

    def __enter__(self) -> FakeBluesky:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    # --- knobs ---

    def fail_next(self, n: int, mode: int | str, *, only: str | None = None) -> None:
        """Make the next ``n`` XRPC requests (to method ``only``, if given) fail in ``mode``.

        Modes: 429 (with RateLimit-* headers), 500, 503, "drop_before" (close the connection
        before doing anything), "drop_after" (do it, then close without answering), "slow" (do
        it, answer after ``slow_seconds``), "malformed" (do it, answer 200 with broken JSON).
        """
        if mode not in FAIL_MODES:
            raise ValueError(f"unknown failure mode {mode!r}")
        with self._lock:
            self._state.failures.extend(Failure(mode, only) for _ in range(n))

    def expire_access_tokens(self) -> None:
        with self._lock:
            self._state.expired.update(self._state.access)

    def revoke_refresh_tokens(self) -> None:
        with self._lock:
            self._state.revoked.update(self._state.refresh)
            self._state.refresh.clear()

    def forget_blobs(self) -> None:
        """Delete uploads no record uses, as the PDS does after a while (uploadBlob.json)."""
        with self._lock:
            used = {c for rec in self._state.posts.values() for c in _blob_cids(rec)}
            self._state.blobs = {k: v for k, v in self._state.blobs.items() if k in used}

    def add_handle(self, handle: str, did: str) -> None:
        with self._lock:
            self._state.handles[handle] = did

    def add_page(
        self, name: str, body: bytes | str, content_type: str = "text/html", delay: float = 0.0
    ) -> str:
        data = body.encode() if isinstance(body, str) else body
        with self._lock:
            self._state.pages[name] = Page(data, content_type, delay)
        return f"{self.url}/pages/{name}"

    def put_post(self, rkey: str, record: dict[str, Any]) -> str:
        """Store a record directly (as if written by another app)."""
        with self._lock:
            self._state.posts[rkey] = record
            self._state.cids[rkey] = record_cid(record)
            return self._state.cids[rkey]

    # --- inspection ---

    @property
    def posts(self) -> dict[str, dict[str, Any]]:
        """The stored post records by record key (a deep copy)."""
        with self._lock:
            copied: dict[str, dict[str, Any]] = json.loads(json.dumps(self._state.posts))
            return copied

    def cid_of(self, rkey: str) -> str:
        with self._lock:
            return self._state.cids[rkey]

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request in order; ``nsid`` is the XRPC method, or the path for other requests."""
        with self._lock:
            return list(self._state.log)

    def calls(self, nsid: str) -> int:
        with self._lock:
            return sum(1 for r in self._state.log if r.nsid == nsid)

    def blob(self, cid: str) -> tuple[bytes, str]:
        with self._lock:
            return self._state.blobs[cid]

    def did_document(self) -> dict[str, Any]:
        return {
            "@context": ["https://www.w3.org/ns/did/v1"],
            "id": self.did,
            "alsoKnownAs": [f"at://{self.handle}"],
            "service": [
                {
                    "id": "#atproto_pds",
                    "type": "AtprotoPersonalDataServer",
                    "serviceEndpoint": self.pds_url,
                }
            ],
        }

    # --- request handling (called from the server's threads) ---

    def _take_failure(self, nsid: str) -> Failure | None:
        with self._lock:
            for i, failure in enumerate(self._state.failures):
                if failure.only is None or failure.only == nsid:
                    return self._state.failures.pop(i)
        return None

    def _log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._state.log.append(entry)

    def _issue(self) -> dict[str, Any]:
        with self._lock:
            n = next(self._counter)
            access, refresh = f"access-{n}", f"refresh-{n}"
            self._state.access[access] = self.did
            self._state.refresh[refresh] = self.did
        session: dict[str, Any] = {"accessJwt": access, "refreshJwt": refresh}
        session["handle"] = self.handle
        session.update(did=self.did, active=True)
        if self.include_did_doc:
            session["didDoc"] = self.did_document()
        return session

    def _auth(self, header: str, *, refresh: bool = False) -> str:
        token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        if not token:
            raise XrpcError(401, "AuthMissing", "Authentication Required")
        with self._lock:
            if self.taken_down:
                raise XrpcError(401, "AccountTakedown", "Account has been taken down")
            if refresh:
                if token in self._state.revoked:
                    raise XrpcError(400, "ExpiredToken", "Token has been revoked")
                if token not in self._state.refresh:
                    raise XrpcError(400, "InvalidToken", "Invalid token type")
                del self._state.refresh[token]
                self._state.revoked.add(token)
                return self.did
            if token in self._state.expired:
                raise XrpcError(400, "ExpiredToken", "Token has expired")
            if token not in self._state.access:
                raise XrpcError(400, "InvalidToken", "Malformed token")
            return self._state.access[token]

    def handle_xrpc(
        self, area: str, method: str, nsid: str, query: dict[str, str], body: bytes, headers: Any
    ) -> tuple[int, Any]:
        if area == "entryway" and nsid not in _SESSION_METHODS:
            raise XrpcError(404, "MethodNotImplemented", "The entryway hosts no repositories")
        auth = headers.get("Authorization", "")
        if nsid == "com.atproto.server.createSession":
            data = json.loads(body or b"{}")
            if self.taken_down:
                raise XrpcError(401, "AccountTakedown", "Account has been taken down")
            if data.get("identifier") not in (self.handle, self.did):
                raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
            if data.get("password") != self.password:
                raise XrpcError(401, "AuthenticationRequired", "Invalid identifier or password")
            return 200, self._issue()
        if nsid == "com.atproto.server.refreshSession":
            self._auth(auth, refresh=True)
            return 200, self._issue()
        if nsid == "com.atproto.identity.resolveHandle":
            with self._lock:
                did = self._state.handles.get(query.get("handle", "").lower())
            if did is None:
                raise XrpcError(400, "InvalidRequest", "Unable to resolve handle")
            return 200, {"did": did}
        did = self._auth(auth)
        if nsid == GET_POSTS:
            return 200, self._get_posts(query)
        if nsid == "app.bsky.notification.updateSeen" and method == "POST":
            return 200, self._update_seen(json.loads(body or b"{}"))
        inbox_answer = self._inbox_xrpc(nsid, query)
        if inbox_answer is not None:
            return 200, inbox_answer
        if nsid == "app.bsky.actor.getProfile":
            if query.get("actor") not in (self.did, self.handle):
                raise XrpcError(400, "InvalidRequest", "Profile not found")
            return 200, {"did": did, "handle": self.handle, "displayName": self.display_name}
        if nsid == "com.atproto.repo.uploadBlob":
            return 200, self._upload(body, headers.get("Content-Type", ""))
        if nsid == "com.atproto.repo.getRecord":
            return 200, self._get_record(query)
        if nsid in ("com.atproto.repo.putRecord", "com.atproto.repo.createRecord"):
            return 200, self._write(nsid, json.loads(body or b"{}"))
        raise XrpcError(501, "MethodNotImplemented", f"Method Not Implemented: {nsid}")

    def _upload(self, data: bytes, mime: str) -> dict[str, Any]:
        if len(data) > self.blob_limit:
            raise XrpcError(413, "PayloadTooLarge", "request entity too large")
        cid = cid_for(data, "bafkrei")
        with self._lock:
            self._state.blobs[cid] = (data, mime)
        return {
            "blob": {"$type": "blob", "ref": {"$link": cid}, "mimeType": mime, "size": len(data)}
        }

    def _get_record(self, query: dict[str, str]) -> dict[str, Any]:
        rkey = query.get("rkey", "")
        uri = f"at://{self.did}/{query.get('collection')}/{rkey}"
        with self._lock:
            if query.get("repo") not in (self.did, self.handle) or rkey not in self._state.posts:
                raise XrpcError(400, "RecordNotFound", f"Could not locate record: {uri}")
            return {"uri": uri, "cid": self._state.cids[rkey], "value": self._state.posts[rkey]}

    def _write(self, nsid: str, data: dict[str, Any]) -> dict[str, Any]:
        if data.get("repo") not in (self.did, self.handle):
            raise XrpcError(401, "AuthRequired", "Input/repo must be the authorized account")
        collection, record = data.get("collection"), data.get("record")
        if collection != POST or not isinstance(record, dict):
            raise XrpcError(400, "InvalidRequest", "Only app.bsky.feed.post records here")
        rkey = data.get("rkey")
        if rkey is None and nsid.endswith("createRecord"):
            rkey = _fake_tid()
        if not isinstance(rkey, str) or not TID.fullmatch(rkey):
            raise XrpcError(400, "InvalidRequest", f"Invalid record key: {rkey!r}")
        self._validate_post(record)
        cid = record_cid(record)
        uri = f"at://{self.did}/{POST}/{rkey}"
        with self._lock:
            current = self._state.cids.get(rkey)
            if nsid.endswith("createRecord") and current is not None:
                # "There is already a value at key": unmapped, so a 500 (2.3, section 12).
                raise XrpcError(500, "InternalServerError", "Internal Server Error")
            if current == cid:
                return {"uri": uri, "cid": cid}  # no-op: identical record, no new commit
            if "swapRecord" in data:
                swap = data["swapRecord"]
                if (current is None) != (swap is None) or (swap is not None and swap != current):
                    raise XrpcError(400, "InvalidSwap", f"Record was at {current}")
            for blob_cid in _blob_cids(record):
                if blob_cid not in self._state.blobs:
                    raise XrpcError(400, "BlobNotFound", f"Could not find blob: {blob_cid}")
            self._state.posts[rkey] = record
            self._state.cids[rkey] = cid
        commit = {"cid": cid_for(f"commit-{rkey}-{cid}".encode()), "rev": rkey}
        return {"uri": uri, "cid": cid, "commit": commit, "validationStatus": "valid"}

    def _validate_post(self, record: dict[str, Any]) -> None:
        def invalid(why: str) -> XrpcError:
            return XrpcError(400, "InvalidRequest", f"Invalid app.bsky.feed.post record: {why}")

        text = record.get("text")
        if record.get("$type") != POST or not isinstance(text, str):
            raise invalid("Record/$type and Record/text are required")
        if len(regex.findall(r"\X", text)) > 300:
            raise invalid("Record/text must not be longer than 300 graphemes")
        if len(text.encode()) > 3000:
            raise invalid("Record/text must not be longer than 3000 characters")
        created = record.get("createdAt")
        if not isinstance(created, str) or not re.search(r"(Z|[+-]\d\d:\d\d)$", created):
            raise invalid("Record/createdAt must be a valid datetime with a time zone")
        size = len(text.encode())
        for facet in record.get("facets", []):
            index = facet.get("index", {})
            if not 0 <= index.get("byteStart", -1) < index.get("byteEnd", -1) <= size:
                raise invalid("Record/facets: byte range out of the text")
        embed = record.get("embed")
        if isinstance(embed, dict):
            self._validate_embed(embed, invalid)

    def _validate_embed(self, embed: dict[str, Any], invalid: Any) -> None:
        with self._lock:
            blobs = dict(self._state.blobs)
        if embed.get("$type") == "app.bsky.embed.images":
            images = embed.get("images", [])
            if not 1 <= len(images) <= 4:
                raise invalid("Record/embed/images must have 1 to 4 items")
            for image in images:
                if "alt" not in image:
                    raise invalid('Record/embed/images/0 must have the property "alt"')
                _check_blob(image.get("image"), IMAGE_MAX, blobs, invalid)
        elif embed.get("$type") == "app.bsky.embed.external":
            external = embed.get("external", {})
            if not all(isinstance(external.get(k), str) for k in ("uri", "title", "description")):
                raise invalid("Record/embed/external needs uri, title and description")
            if "thumb" in external:
                _check_blob(external["thumb"], THUMB_MAX, blobs, invalid)


def _fake_tid() -> str:
    value = (time.time_ns() // 1000) << 10
    return "".join("234567abcdefghijklmnopqrstuvwxyz"[(value >> s) & 31] for s in range(60, -1, -5))


def _check_blob(blob: Any, limit: int, blobs: dict[str, tuple[bytes, str]], invalid: Any) -> None:
    if not isinstance(blob, dict) or blob.get("$type") != "blob":
        raise invalid("blob reference expected")
    if blob.get("size", 0) > limit:
        raise invalid(f"blob too big: {blob.get('size')} > {limit}")
    stored = blobs.get(blob.get("ref", {}).get("$link", ""))
    if stored is not None and (stored[1] != blob.get("mimeType") or len(stored[0]) != blob["size"]):
        raise XrpcError(400, "InvalidMimeType", "Referenced blob does not match the upload")


def _blob_cids(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if value.get("$type") == "blob":
            yield value.get("ref", {}).get("$link", "")
        for item in value.values():
            yield from _blob_cids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _blob_cids(item)


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when a test runs many threads at once, and a
    # dropped SYN costs a one-second retransmit.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeBluesky/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet tests

    def handle(self) -> None:
        # The client may go away first (a timeout test): then there is nothing to answer.
        with contextlib.suppress(ConnectionError, TimeoutError):
            super().handle()

    @property
    def fake(self) -> FakeBluesky:
        return self.server.fake  # type: ignore[attr-defined,no-any-return]

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        match = re.fullmatch(r"/(entryway|pds)/xrpc/([A-Za-z0-9.]+)", parts.path)
        if match:
            self._xrpc(method, match[1], match[2], parts.query, body)
            return
        self.fake._log(LoggedRequest(method, self.path, parts.path))
        if parts.path.startswith("/plc/") and method == "GET":
            did = parts.path.removeprefix("/plc/").replace("%3A", ":")
            found = did == self.fake.did
            self._json(200 if found else 404, self.fake.did_document() if found else {})
        elif parts.path == "/.well-known/did.json" and self.fake.did.startswith("did:web:"):
            self._json(200, self.fake.did_document())
        elif parts.path.startswith("/pages/"):
            self._page(parts.path.removeprefix("/pages/"))
        else:
            self._json(404, {"error": "NotFound", "message": parts.path})

    def _xrpc(self, method: str, area: str, nsid: str, query_text: str, body: bytes) -> None:
        parsed = parse_qs(query_text)
        query = {k: v[0] for k, v in parsed.items()}
        for many in ("uris", "tag"):  # arrays repeat the name; the fake joins them, one a line
            if many in parsed:
                query[many] = "\n".join(parsed[many])
        token = self.headers.get("Authorization", "").removeprefix("Bearer ")
        entry = LoggedRequest(method, self.path, nsid, auth=token)
        self.fake._log(entry)
        failure = self.fake._take_failure(nsid)
        if failure is not None and failure.mode == "drop_before":
            entry.status = -1
            self.close_connection = True
            return
        if failure is not None and isinstance(failure.mode, int):
            entry.status = failure.mode
            self._fail(failure.mode)
            return
        try:
            status, answer = self.fake.handle_xrpc(area, method, nsid, query, body, self.headers)
        except XrpcError as exc:
            status, answer = exc.status, {"error": exc.error, "message": exc.message}
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            status, answer = 400, {"error": "InvalidRequest", "message": f"bad input: {exc}"}
        entry.status = status
        mode = failure.mode if failure is not None else None
        if mode == "drop_after":
            entry.status = -2
            self.close_connection = True
            return
        if mode == "slow":
            time.sleep(self.fake.slow_seconds)
        if mode == "malformed":
            self._send(200, b'{"uri": "at://', "application/json")
            return
        self._json(status, answer)

    def _fail(self, status: int) -> None:
        if status == 429:
            reset = int(time.time()) + 120
            headers = {
                "RateLimit-Limit": "30",
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(reset),
                "RateLimit-Policy": "30;w=300",
            }
            body = {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}
            self._json(429, body, headers)
        elif status == 500:
            self._json(500, {"error": "InternalServerError", "message": "Internal Server Error"})
        else:
            self._send(status, b"<html>Service Unavailable</html>", "text/html")

    def _page(self, name: str) -> None:
        with self.fake._lock:
            page = self.fake._state.pages.get(name)
        if page is None:
            self._send(404, b"not found", "text/plain")
            return
        if page.delay:
            time.sleep(page.delay)
        self._send(200, page.body, page.content_type)

    def _json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        if body is NO_OUTPUT:  # a procedure without output: 200 and an empty body
            self._send(status, b"", "application/json", headers)
            return
        self._send(status, json.dumps(body).encode(), "application/json", headers)

    def _send(
        self, status: int, data: bytes, kind: str, headers: dict[str, str] | None = None
    ) -> None:
        with contextlib.suppress(ConnectionError, TimeoutError):  # the client gave up
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
