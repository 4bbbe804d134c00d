"""Connecting a Mastodon account: is it a Mastodon server, register cmdesk there, sign in.

The flow of ``reference/networks.md`` 1.1, for a desktop app with no server of its own:

1. :func:`check_server` reads ``/api/v2/instance`` (then v1) to tell a Mastodon-compatible server
   from a mistyped address;
2. a :class:`LoopbackReceiver` binds ``127.0.0.1`` on a free port *before* anything else, because
   Mastodon matches redirect URIs exactly (no RFC 8252 any-port rule): the app is registered per
   install with that exact ``http://127.0.0.1:PORT/callback``, plus the out-of-band
   ``urn:ietf:wg:oauth:2.0:oob`` as a second URI for the paste-the-code fallback
   (:func:`register_app`);
3. the browser opens :func:`authorize_url` (with a random ``state`` and PKCE S256, 4.3+; older
   servers ignore the extra parameters);
4. the code comes back to the receiver (or is pasted) and :func:`exchange_code` turns it into a
   token. Mastodon tokens do not expire and have no refresh token.

:class:`BrowserSignIn` strings the steps together. The secret it returns, stored through the
credential store, is ``{"access_token", "token_type", "scope", "created_at", "client_id",
"client_secret"}`` (the client pair is needed to revoke the token later). Tokens and client
secrets are never logged or put in error messages.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
import secrets
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import requests

from cmdesk.adapters.base import (
    AdapterError,
    NetworkUnavailable,
    PermanentError,
    TransientError,
)
from cmdesk.adapters.http import MaybeSent, NotSent, error_text, raise_for_status, send
from cmdesk.adapters.mastodon import detect_software

log = logging.getLogger(__name__)

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
CALLBACK_PATH = "/callback"
#: What a scheduler needs (1.1); granular scopes exist since Mastodon 2.4.
MASTODON_SCOPES = (
    "read:statuses read:notifications read:accounts write:statuses write:media write:conversations"
)
#: Other servers (GoToSocial, Pixelfed, Pleroma ...) do not all know granular scopes.
GENERIC_SCOPES = "read write"
SIGN_IN_TIMEOUT = 300.0
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
_CODE = re.compile(r"^[A-Za-z0-9._~-]{4,512}$")


# --- the server -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ServerInfo:
    """A server that answered like Mastodon."""

    base_url: str
    software: str
    version: str
    title: str

    @property
    def scopes(self) -> str:
        return MASTODON_SCOPES if self.software == "mastodon" else GENERIC_SCOPES


def normalize_base_url(text: str) -> str:
    """``https://host[:port]`` from what a person types: a host, a URL, or ``@user@host``.

    Plain ``http`` is accepted only for this machine (tests, a local server): a token must never
    cross a network in clear text.
    """
    value = text.strip()
    if "://" not in value and "@" in value:
        value = value.rsplit("@", 1)[1]  # "@user@mastodon.social" -> "mastodon.social"
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    host = parts.hostname or ""
    if not host or parts.scheme not in ("https", "http") or " " in value:
        raise PermanentError(f"{text!r} is not a server address. Type it like mastodon.social.")
    if parts.scheme == "http" and host not in _LOOPBACK_HOSTS:
        raise PermanentError(
            f"cmdesk signs in only over https; use https://{parts.netloc} instead of {text!r}."
        )
    return f"{parts.scheme}://{parts.netloc.lower()}"


def check_server(http: requests.Session, base_url: str) -> ServerInfo:
    """The server behind ``base_url`` if it answers like Mastodon (1.2), else a clear error."""
    base = normalize_base_url(base_url)
    host = urlsplit(base).netloc
    for path in ("/api/v2/instance", "/api/v1/instance"):
        response = _get_instance(http, base + path, host)
        if response.status_code == 429 or response.status_code >= 500:
            raise_for_status(response, network=host)
        if response.status_code != 200:
            continue
        try:
            body = response.json()
        except ValueError:
            continue
        if isinstance(body, Mapping) and isinstance(body.get("version"), str):
            return ServerInfo(
                base_url=base,
                software=detect_software(body),
                version=body["version"],
                title=str(body.get("title") or host),
            )
    raise PermanentError(
        f"{host} does not look like a Mastodon server: it does not describe itself the way "
        "Mastodon and compatible servers do. Check the address (for example mastodon.social)."
    )


def _get_instance(http: requests.Session, url: str, host: str) -> requests.Response:
    try:
        return send(http, "GET", url, headers={"Accept": "application/json"})
    except NetworkUnavailable as exc:
        raise NetworkUnavailable(
            f"{host} could not be found. Check the address and the network connection.",
            detail=exc.detail,
        ) from None
    except NotSent as exc:
        raise NotSent(
            f"{host} does not look like a Mastodon server: nothing answered there. Check the "
            "address.",
            detail=exc.detail,
        ) from None
    except MaybeSent as exc:
        raise TransientError(
            f"{host} did not answer properly; try again.", detail=exc.detail
        ) from None


# --- the app and the authorisation URL --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AppRegistration:
    """cmdesk as registered on one server (``POST /api/v1/apps``)."""

    base_url: str
    client_id: str
    client_secret: str = field(repr=False)  # kept out of logs and tracebacks
    redirect_uris: tuple[str, ...] = ()
    scopes: str = MASTODON_SCOPES


def register_app(
    http: requests.Session,
    base_url: str,
    redirect_uri: str | Sequence[str],
    scopes: str = MASTODON_SCOPES,
    *,
    client_name: str = "cmdesk",
    website: str | None = None,
) -> AppRegistration:
    """Register cmdesk with exactly these redirect URIs (1.1: matching is exact)."""
    base = normalize_base_url(base_url)
    host = urlsplit(base).netloc
    uris = (redirect_uri,) if isinstance(redirect_uri, str) else tuple(redirect_uri)
    # One URI per line: every version accepts that (an array only since 4.3).
    data = {"client_name": client_name, "redirect_uris": "\n".join(uris), "scopes": scopes}
    if website:
        data["website"] = website
    response = _post(http, base + "/api/v1/apps", data, host, "registering cmdesk")
    if response.status_code in (400, 422):
        raise PermanentError(
            f"{host} refused to register cmdesk ({error_text(response)}).",
            detail=error_text(response),
        )
    raise_for_status(response, network=host)
    body = _json(response, host)
    client_id, client_secret = body.get("client_id"), body.get("client_secret")
    if not isinstance(client_id, str) or not isinstance(client_secret, str):
        raise PermanentError(f"{host} registered cmdesk but sent no client credentials.")
    return AppRegistration(base, client_id, client_secret, uris, scopes)


def new_state() -> str:
    """An unguessable OAuth ``state``: ties the answer to the sign-in that asked for it."""
    return secrets.token_urlsafe(24)


@dataclass(frozen=True, slots=True)
class Pkce:
    """A PKCE pair (RFC 7636, S256): the verifier stays here, the challenge goes to the server."""

    verifier: str = field(repr=False)
    challenge: str = ""

    @classmethod
    def make(cls) -> Pkce:
        verifier = secrets.token_urlsafe(48)
        digest = hashlib.sha256(verifier.encode("ascii")).digest()
        return cls(verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii"))


def authorize_url(
    app: AppRegistration,
    redirect_uri: str,
    *,
    state: str,
    code_challenge: str | None = None,
    force_login: bool = False,
    lang: str | None = None,
) -> str:
    """The page where the person approves cmdesk (``GET /oauth/authorize``, 1.1)."""
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": app.scopes,
        "state": state,
    }
    if code_challenge:
        params.update(code_challenge=code_challenge, code_challenge_method="S256")
    if force_login:  # lets a second account of the same server sign in (1.1)
        params["force_login"] = "true"
    if lang:
        params["lang"] = lang
    return f"{app.base_url}/oauth/authorize?{urlencode(params, quote_via=quote)}"


# --- the code comes back -----------------------------------------------------------------------


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


def exchange_code(
    http: requests.Session,
    app: AppRegistration,
    code: str,
    redirect_uri: str,
    *,
    code_verifier: str | None = None,
) -> dict[str, Any]:
    """Trade the code for a token (``POST /oauth/token``); returns the secret to store."""
    host = urlsplit(app.base_url).netloc
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": app.client_id,
        "client_secret": app.client_secret,
        "redirect_uri": redirect_uri,
        "scope": app.scopes,
    }
    if code_verifier:
        data["code_verifier"] = code_verifier
    response = _post(http, app.base_url + "/oauth/token", data, host, "signing in")
    if response.status_code in (400, 401):
        raise _token_refusal(host, response)
    raise_for_status(response, network=host)
    body = _json(response, host)
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise PermanentError(f"{host} accepted the sign-in but sent no access token.")
    return {
        "access_token": token,
        "token_type": str(body.get("token_type") or "Bearer"),
        "scope": str(body.get("scope") or app.scopes),
        "created_at": body.get("created_at"),
        "client_id": app.client_id,
        "client_secret": app.client_secret,
    }


def _token_refusal(host: str, response: requests.Response) -> PermanentError:
    try:
        kind = str(response.json().get("error") or "")
    except (ValueError, AttributeError):
        kind = ""
    if kind == "invalid_client":
        return PermanentError(
            f"{host} no longer knows cmdesk's registration. Start the sign-in again.",
            detail=kind,
        )
    return PermanentError(
        f"{host} did not accept the sign-in code (it may have expired or been used already). "
        "Start the sign-in again.",
        detail=kind or f"HTTP {response.status_code}",
    )


def _post(
    http: requests.Session, url: str, data: Mapping[str, str], host: str, doing: str
) -> requests.Response:
    try:
        return send(http, "POST", url, data=dict(data))
    except MaybeSent as exc:
        # Registering twice leaves an unused app; a code is single-use: either way, start over.
        raise PermanentError(
            f"The connection to {host} broke while {doing}. Start the sign-in again.",
            detail=exc.detail,
        ) from None


def _json(response: requests.Response, host: str) -> Mapping[str, Any]:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, Mapping):
        raise PermanentError(f"{host} sent an answer cmdesk cannot read while signing in.")
    return body


# --- the whole flow -------------------------------------------------------------------------------


class BrowserSignIn:
    """One sign-in through the browser, with the paste-the-code fallback.

    ``start`` checks the server, binds the receiver and registers cmdesk; show or open ``url``
    (or ``oob_url``, where the server displays the code), then ``finish`` returns the secret.
    Always ``close`` it.
    """

    def __init__(
        self,
        http: requests.Session,
        server: ServerInfo,
        app: AppRegistration,
        receiver: LoopbackReceiver,
        *,
        force_login: bool,
    ) -> None:
        self.http = http
        self.server = server
        self.app = app
        self.receiver = receiver
        self._pkce = Pkce.make()
        self._force_login = force_login

    @classmethod
    def start(
        cls,
        http: requests.Session,
        base_url: str,
        *,
        scopes: str | None = None,
        client_name: str = "cmdesk",
        website: str | None = None,
        force_login: bool = True,
    ) -> BrowserSignIn:
        """Check the server, bind the receiver, register cmdesk with both redirect URIs."""
        server = check_server(http, base_url)
        receiver = LoopbackReceiver(new_state())  # bound before the browser opens (1.1)
        try:
            app = register_app(
                http,
                server.base_url,
                [receiver.redirect_uri, OOB_REDIRECT_URI],
                scopes or server.scopes,
                client_name=client_name,
                website=website,
            )
        except BaseException:
            receiver.close()
            raise
        return cls(http, server, app, receiver, force_login=force_login)

    @property
    def url(self) -> str:
        """Where the browser goes; it comes back to the loopback receiver."""
        return self._authorize(self.receiver.redirect_uri)

    @property
    def oob_url(self) -> str:
        """The same page, but the server shows the code for the person to paste."""
        return self._authorize(OOB_REDIRECT_URI)

    def _authorize(self, redirect_uri: str) -> str:
        return authorize_url(
            self.app,
            redirect_uri,
            state=self.receiver.state,
            code_challenge=self._pkce.challenge,
            force_login=self._force_login,
        )

    def finish(
        self, paste: Callable[[], str] | None = None, *, timeout: float = SIGN_IN_TIMEOUT
    ) -> dict[str, Any]:
        """Wait for the browser (or for ``paste``, asked at the same time) and sign in.

        ``paste`` runs on a helper thread and is abandoned if the browser answers first.
        """
        pasted = threading.Event()
        if paste is not None:
            threading.Thread(target=self._read_paste, args=(paste, pasted), daemon=True).start()
        code = self.receiver.wait(timeout)
        if not pasted.is_set():
            return self._exchange(code, self.receiver.redirect_uri)
        # A pasted code came from the loopback address (the browser could not reach it) or
        # from the page the out-of-band URI shows; the redirect URI must match the one used.
        try:
            return self._exchange(code, self.receiver.redirect_uri)
        except PermanentError:
            return self._exchange(code, OOB_REDIRECT_URI)

    def finish_oob(self, code: str) -> dict[str, Any]:
        """Sign in with the code the server showed on ``oob_url``."""
        return self._exchange(code_from_paste(code, self.receiver.state), OOB_REDIRECT_URI)

    def _read_paste(self, paste: Callable[[], str], pasted: threading.Event) -> None:
        try:
            code = code_from_paste(paste(), self.receiver.state)
        except Exception as exc:  # a bad paste must not end the browser sign-in
            log.info("pasted sign-in code not used: %s", type(exc).__name__)
            return
        pasted.set()
        if not self.receiver.supply(code):
            pasted.clear()

    def _exchange(self, code: str, redirect_uri: str) -> dict[str, Any]:
        return exchange_code(
            self.http, self.app, code, redirect_uri, code_verifier=self._pkce.verifier
        )

    def close(self) -> None:
        self.receiver.close()
