"""The sign-in code comes back: to a loopback receiver, or pasted by the person.

A :class:`LoopbackReceiver` binds ``127.0.0.1`` on a free port *before* anything else, because
Mastodon matches redirect URIs exactly (no RFC 8252 any-port rule): the app is registered with that
exact ``http://127.0.0.1:PORT/callback``. :func:`code_from_paste` reads the code a person pasted
instead (the paste-the-code fallback). The code is never logged.
"""

from __future__ import annotations

import hmac
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cmdesk.adapters.base import AdapterError, PermanentError

CALLBACK_PATH = "/callback"
SIGN_IN_TIMEOUT = 300.0
_CODE = re.compile(r"^[A-Za-z0-9._~-]{4,512}$")


_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>cmdesk</title></head>"
    "<body style='font-family: sans-serif; margin: 3em'><h1>{title}</h1><p>{text}</p></body></html>"
)


class _ReceiverHandler(BaseHTTPRequestHandler):
    timeout = 10  # a browser's speculative connection that never sends must not hold a thread
    server: _ReceiverServer

    def do_GET(self) -> None:
        status, title, text = self.server.receiver._answer(self.path)
        page = _PAGE.format(title=title, text=text).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(page)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(page)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the request line holds the code: never log it


class _ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    receiver: LoopbackReceiver


class LoopbackReceiver:
    """Receives the browser's redirect on ``http://127.0.0.1:PORT/callback``.

    The socket is bound when the object is made, so its port is known before the app is
    registered and before the browser opens. It serves until :meth:`close`; the first request
    with the right ``state`` and a ``code`` (or an ``error``) settles :meth:`wait`. A request with
    another ``state`` is answered 400 and ignored: it did not come from this sign-in.
    """

    def __init__(self, state: str, *, path: str = CALLBACK_PATH) -> None:
        self.state = state
        self.path = path
        self.refused = 0  # answers with a wrong state, for the timeout message
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._code: str | None = None
        self._error: AdapterError | None = None
        self._server = _ReceiverServer(("127.0.0.1", 0), _ReceiverHandler)
        self._server.receiver = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def redirect_uri(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def __enter__(self) -> LoopbackReceiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop listening and join the server thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def wait(self, timeout: float = SIGN_IN_TIMEOUT) -> str:
        """The authorisation code, once the browser brings it back."""
        if not self._done.wait(timeout):
            hint = (
                f" {self.refused} answer(s) from another sign-in were ignored."
                if self.refused
                else ""
            )
            raise PermanentError(
                f"The sign-in was not completed within {timeout / 60:.0f} minute(s)."
                + hint
                + " Start it again."
            )
        with self._lock:
            if self._error is not None:
                raise self._error
            assert self._code is not None
            return self._code

    def supply(self, code: str) -> bool:
        """Settle with a code obtained another way (pasted); False if already settled."""
        return self._settle(code=code)

    def cancel(self, message: str = "The sign-in was cancelled.") -> None:
        self._settle(error=PermanentError(message))

    def _settle(self, *, code: str | None = None, error: AdapterError | None = None) -> bool:
        with self._lock:
            if self._done.is_set():
                return False
            self._code, self._error = code, error
            self._done.set()
            return True

    def _answer(self, raw_path: str) -> tuple[int, str, str]:
        """(status, title, text) for one request to the receiver (called on its threads)."""
        parts = urlsplit(raw_path)
        if parts.path != self.path:
            return 404, "Not found", "This address is not part of the cmdesk sign-in."
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if not _same(query.get("state", ""), self.state):
            with self._lock:
                self.refused += 1
            return 400, "Not this sign-in", "This answer does not match the sign-in cmdesk started."
        if "error" in query:
            reason = query.get("error_description") or query["error"]
            message = (
                "cmdesk was not allowed to connect: the request was declined on the server."
                if query["error"] == "access_denied"
                else f"The server refused the sign-in ({reason[:200]})."
            )
            self._settle(error=PermanentError(message))
            return 200, "Sign-in cancelled", "cmdesk was not connected. You can close this tab."
        code = query.get("code", "")
        if not _CODE.match(code):
            return 400, "No code", "The server sent no sign-in code. Start the sign-in again."
        if not self._settle(code=code):
            return 200, "Already done", "This sign-in is already finished. You can close this tab."
        return 200, "cmdesk is connected", "You can close this tab and go back to cmdesk."


def _same(given: str, expected: str) -> bool:
    """Constant-time comparison that also takes non-ASCII input (an attacker's)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def code_from_paste(text: str, state: str | None = None) -> str:
    """The code from what a person pasted: the code itself, or the whole redirect address."""
    value = text.strip()
    if "code=" in value:
        query = parse_qs(urlsplit(value).query or value.split("?", 1)[-1])
        pasted_state = query.get("state", [""])[0]
        if state is not None and pasted_state and not _same(pasted_state, state):
            raise PermanentError("That address belongs to another sign-in. Start this one again.")
        value = query.get("code", [""])[0]
    if not _CODE.match(value):
        raise PermanentError(
            "That does not look like a sign-in code. Copy the code the server shows, or the whole "
            "address the browser ended on."
        )
    return value
