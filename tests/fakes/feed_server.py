"""A fake web server for feed tests, on 127.0.0.1: feeds, web pages and the ways they fail.

Each path answers what a test put there with :meth:`FeedServer.put`: a body with its type, an
``ETag`` and ``Last-Modified`` (a request repeating either gets 304, as real servers do), a status
(404, 410, 429 with Retry-After, 5xx), a delay before the answer (timeouts), a body that drips
slowly, or a connection dropped mid-answer. Every request is logged with its headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Answer:
    """What one path answers."""

    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    #: Send the headers and part of the body, then close the connection.
    drop: bool = False
    #: Send the body in small pieces this many seconds apart.
    drip: float = 0.0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class FeedServer:
    """The server; ``url(path)`` gives an address, ``requests`` what was asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, Answer] = {}
        self.requests: list[Seen] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                server._answer(self)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(5)

    def url(self, path: str) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}{path}"

    def put(self, path: str, answer: Answer) -> None:
        with self._lock:
            self._answers[path] = answer

    def seen(self, path: str) -> list[Seen]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.requests.append(Seen(h.path, {k: v for k, v in h.headers.items()}))
            answer = self._answers.get(h.path)
        if answer is None:
            answer = Answer(b"not here", "text/plain", 404)
        if answer.delay:
            time.sleep(answer.delay)
        not_modified = answer.status == 200 and (
            (answer.etag is not None and h.headers.get("If-None-Match") == answer.etag)
            or (
                answer.last_modified is not None
                and h.headers.get("If-Modified-Since") == answer.last_modified
            )
        )
        try:
            h.send_response(304 if not_modified else answer.status)
            if answer.etag:
                h.send_header("ETag", answer.etag)
            if answer.last_modified:
                h.send_header("Last-Modified", answer.last_modified)
            for name, value in answer.headers.items():
                h.send_header(name, value)
            if not_modified:
                h.send_header("Content-Length", "0")
                h.end_headers()
                return
            h.send_header("Content-Type", answer.content_type)
            h.send_header("Content-Length", str(len(answer.body)))
            h.end_headers()
            self._write_body(h, answer)
        except (BrokenPipeError, ConnectionResetError):
            pass

    @staticmethod
    def _write_body(h: BaseHTTPRequestHandler, answer: Answer) -> None:
        if answer.drop:
            h.wfile.write(answer.body[: len(answer.body) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if answer.drip:
            for i in range(0, len(answer.body), 64):
                h.wfile.write(answer.body[i : i + 64])
                h.wfile.flush()
                time.sleep(answer.drip)
            return
        h.wfile.write(answer.body)


@contextmanager
def running() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
