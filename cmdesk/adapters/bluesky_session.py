"""Bluesky sessions: app-password sign-in, one token refresh at a time, and the account's own PDS.

**The secret** a Bluesky channel keeps in the credential store (``CredentialHandle.read()``) is a
dict; the person gives the first two, cmdesk fills in and rotates the rest::

    {
        "identifier": "alice.bsky.social",   # handle, e-mail or DID used to sign in
        "app_password": "abcd-efgh-ijkl-mnop",  # an app password, never the account password
        "did": "did:plc:...",                 # the account, from createSession
        "handle": "alice.bsky.social",        # as the server last reported it
        "pds": "https://host.example",        # the account's PDS, from its DID document
        "access_jwt": "...",                  # short-lived (2 h on the reference PDS)
        "refresh_jwt": "...",                 # rotates on every refresh (90 days)
    }

Keys cmdesk does not know are kept when the secret is written back.

**Where calls go** (``reference/networks.md`` 2.1): ``createSession`` and ``refreshSession`` go to
the entryway, the channel's ``base_url`` (``https://bsky.social``); every repository call goes to
the PDS named by the account's DID document: ``did:plc`` from the PLC directory, ``did:web`` from
``https://host/.well-known/did.json``; the ``didDoc`` in the createSession answer is the fallback
when the directory cannot be reached.

**Refresh** (2.1): refresh tokens rotate and the old one is revoked, so two refreshes racing with
the same token lose the session ("Token has been revoked", MarshalX/atproto#514). Refreshes of one
account are serialised by a per-DID lock; whoever gets the lock second re-reads the stored secret
and uses the pair the first one stored. The new pair is written back before anything else happens.
A refused refresh falls back to ``createSession`` with the app password, which is rate-limited
(30 per 5 minutes, 300 a day), so a session is never created per post. The lock covers one
process; a second process (GUI and daemon) is covered by the PDS's two-hour grace period on a
just-rotated refresh token.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

import requests

from cmdesk.adapters.base import (
    AuthExpired,
    ChannelRef,
    CredentialHandle,
    PermanentError,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.http import MaybeSent, json_body, retry_at, send

NETWORK = "Bluesky"
DEFAULT_ENTRYWAY = "https://bsky.social"
DEFAULT_PLC_DIRECTORY = "https://plc.directory"
#: Error names that mean "this token is no good": refresh and try once more (2.1, section 12).
TOKEN_ERRORS = frozenset({"ExpiredToken", "InvalidToken"})
_SESSION_KEYS = ("did", "pds", "access_jwt", "refresh_jwt")


@dataclass(frozen=True, slots=True)
class Session:
    """One signed-in session, as stored in the channel's secret."""

    did: str
    handle: str
    pds: str
    access_jwt: str
    refresh_jwt: str

    @classmethod
    def from_secret(cls, secret: Mapping[str, Any]) -> Session | None:
        if not all(isinstance(secret.get(k), str) and secret.get(k) for k in _SESSION_KEYS):
            return None
        return cls(
            did=secret["did"],
            handle=str(secret.get("handle") or secret["did"]),
            pds=secret["pds"].rstrip("/"),
            access_jwt=secret["access_jwt"],
            refresh_jwt=secret["refresh_jwt"],
        )


# --- XRPC errors ------------------------------------------------------------------------------


class BlueskyRefused(PermanentError):
    """The PDS refused a request; ``error`` is its XRPC error name (``InvalidRequest`` ...)."""

    def __init__(self, message: str, *, error: str, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.error = error


def xrpc_error(response: requests.Response) -> tuple[str, str]:
    """``(error name, message)`` from an XRPC error body ``{"error", "message"}`` (2.10)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, Mapping):
        name, message = body.get("error"), body.get("message")
        return (
            name if isinstance(name, str) else "",
            message if isinstance(message, str) else "",
        )
    return "", ""


def raise_for_xrpc(response: requests.Response, *, now: datetime) -> None:
    """Turn an XRPC error answer into the adapter error that says what to do next (2.10)."""
    status = response.status_code
    if status < 400:
        return
    name, message = xrpc_error(response)
    words = ": ".join(p for p in (name, message) if p) or f"HTTP {status}"
    if status == 429 or name == "RateLimitExceeded":
        # RateLimit-Reset is in Unix seconds; retry_at reads it and corrects for clock skew.
        raise RateLimited(
            f"{NETWORK} asks cmdesk to slow down; it will try again later.",
            retry_at=retry_at(response, now),
            detail=words,
        )
    if name == "AccountTakedown":
        raise PermanentError(
            f"{NETWORK} has taken down or suspended this account ({message or name}). "
            "Check the account in the Bluesky app; cmdesk cannot publish to it.",
            detail=words,
        )
    if name in TOKEN_ERRORS or status == 401:
        raise AuthExpired(
            f"{NETWORK} no longer accepts this channel's sign-in ({words}). "
            "Reconnect the channel in Channels.",
            detail=words,
        )
    if status >= 500:
        raise TransientError(
            f"{NETWORK} had a problem ({words}); cmdesk will try again.", detail=words
        )
    if status == 413:
        raise BlueskyRefused(
            f"{NETWORK} refused a file as too large ({words}).", error=name, detail=words
        )
    raise BlueskyRefused(
        f"{NETWORK} refused the request: {message or words}.", error=name, detail=words
    )


def _maybe_sent(exc: MaybeSent) -> TransientError:
    # Every Bluesky call cmdesk makes is safe to repeat: reads, content-addressed uploads and
    # putRecord with a fixed record key (2.3). So "it may have gone through" just means "again".
    return TransientError(f"{exc.message} cmdesk will try again.", detail=exc.detail)


# --- identity ---------------------------------------------------------------------------------


class IdentityResolver:
    """Finds an account's PDS in its DID document.

    ``plc_url`` is the PLC directory (tests point it at a fake); ``did_web_scheme`` is ``https``
    except in tests, where a local did:web host speaks plain HTTP.
    """

    def __init__(self, plc_url: str = DEFAULT_PLC_DIRECTORY, did_web_scheme: str = "https") -> None:
        self.plc_url = plc_url.rstrip("/")
        self.did_web_scheme = did_web_scheme

    def document_url(self, did: str) -> str:
        if did.startswith("did:plc:"):
            return f"{self.plc_url}/{did}"
        if did.startswith("did:web:"):
            # atproto allows only host-level did:web; a port is percent-encoded ("%3A").
            # Colons would mean a path, which atproto does not allow.
            rest = did.removeprefix("did:web:")
            host = unquote(rest)
            if not rest or ":" in rest or "/" in host:
                raise PermanentError(f"{did!r} is not a did:web atproto can use.")
            return f"{self.did_web_scheme}://{host}/.well-known/did.json"
        raise PermanentError(f"cmdesk cannot look up accounts of this kind ({did}).")

    def pds_for(
        self, did: str, http: requests.Session, *, fallback: Any = None, now: datetime
    ) -> str:
        """The ``#atproto_pds`` service endpoint of ``did``'s document."""
        try:
            response = send(http, "GET", self.document_url(did), timeout=(10, 20))
            raise_for_xrpc(response, now=now)
            endpoint = pds_endpoint(json_body(response), did)
            if endpoint is None:
                raise PermanentError(
                    f"The DID document of {did} names no Bluesky server (PDS).",
                    detail="no #atproto_pds service",
                )
            return endpoint
        except (TransientError, MaybeSent, BlueskyRefused) as exc:
            endpoint = pds_endpoint(fallback, did)
            if endpoint is not None:
                return endpoint
            if isinstance(exc, MaybeSent):
                raise _maybe_sent(exc) from None
            if isinstance(exc, BlueskyRefused):
                raise PermanentError(
                    f"cmdesk could not read the DID document of {did} ({exc.detail}).",
                    detail=exc.detail,
                ) from None
            raise


def pds_endpoint(document: Any, did: str) -> str | None:
    """The PDS URL in a DID document: service ``#atproto_pds``, type AtprotoPersonalDataServer.

    Matches the id written as ``#atproto_pds`` or ``<did>#atproto_pds``, and only http(s) URLs,
    as ``@atproto/common-web`` ``did-doc.ts`` does.
    """
    if not isinstance(document, Mapping) or document.get("id") != did:
        return None
    services = document.get("service")
    if not isinstance(services, list):
        return None
    for service in services:
        if not isinstance(service, Mapping):
            continue
        if service.get("id") not in ("#atproto_pds", f"{did}#atproto_pds"):
            continue
        endpoint = service.get("serviceEndpoint")
        if service.get("type") != "AtprotoPersonalDataServer" or not isinstance(endpoint, str):
            return None
        parts = urlsplit(endpoint)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        return endpoint.rstrip("/")
    return None


# --- sessions ---------------------------------------------------------------------------------


class SessionManager:
    """Signs in and refreshes; shared by every publish of one adapter, so it owns the locks."""

    def __init__(self, resolver: IdentityResolver, now: Callable[[], datetime]) -> None:
        self.resolver = resolver
        self.now = now
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def _lock(self, key: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def current(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> Session:
        """The stored session, or a new one when none is stored yet."""
        secret = credentials.read()
        session = Session.from_secret(secret)
        if session is not None:
            return session
        identifier = str(secret.get("identifier") or channel.handle).lower()
        with self._lock(f"sign-in:{identifier}"):
            secret = credentials.read()
            session = Session.from_secret(secret)  # someone signed in while we waited
            return session or self._create(channel, credentials, http, secret)

    def refresh(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        stale: Session,
    ) -> Session:
        """A working session after ``stale``'s access token was refused."""
        with self._lock(stale.did):
            secret = credentials.read()
            stored = Session.from_secret(secret)
            if stored is None:
                return self._create(channel, credentials, http, secret)
            if stored.access_jwt != stale.access_jwt:
                return stored  # another thread refreshed while we waited for the lock
            response = self._post(
                channel, http, "com.atproto.server.refreshSession", stored.refresh_jwt
            )
            if response.status_code == 200:
                body = json_body(response)
                return self._store(credentials, secret, body, pds=stored.pds)
            name, _ = xrpc_error(response)
            if name in TOKEN_ERRORS or response.status_code == 401:
                # The refresh token was revoked or has expired: sign in again (2.1).
                return self._create(channel, credentials, http, secret)
            raise_for_xrpc(response, now=self.now())
            raise TransientError(  # a 2xx other than 200: not a session
                f"{NETWORK} sent an unexpected answer to a session refresh.",
                detail=f"HTTP {response.status_code}",
            )

    def _post(
        self,
        channel: ChannelRef,
        http: requests.Session,
        nsid: str,
        token: str | None,
        body: Any = None,
    ) -> requests.Response:
        entryway = (channel.base_url.strip() or DEFAULT_ENTRYWAY).rstrip("/")
        if "://" not in entryway:  # "bsky.social", as people type it
            entryway = f"https://{entryway}"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            return send(http, "POST", f"{entryway}/xrpc/{nsid}", json=body, headers=headers)
        except MaybeSent as exc:
            raise _maybe_sent(exc) from None

    def _create(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        secret: Mapping[str, Any],
    ) -> Session:
        identifier = secret.get("identifier") or channel.handle.lstrip("@")
        password = secret.get("app_password")
        if not identifier or not isinstance(password, str) or not password:
            raise AuthExpired(
                f"No {NETWORK} app password is stored for this channel. Reconnect it in Channels "
                "with your handle and an app password."
            )
        response = self._post(
            channel,
            http,
            "com.atproto.server.createSession",
            None,
            {"identifier": identifier, "password": password},
        )
        if response.status_code == 401:
            _refused_sign_in(response, str(identifier))
        raise_for_xrpc(response, now=self.now())
        body = json_body(response)
        did = body.get("did") if isinstance(body, Mapping) else None
        if not isinstance(did, str) or not did.startswith("did:"):
            raise TransientError(f"{NETWORK} sent a sign-in answer cmdesk cannot read.")
        pds = self.resolver.pds_for(did, http, fallback=body.get("didDoc"), now=self.now())
        return self._store(credentials, secret, body, pds=pds)

    def _store(
        self,
        credentials: CredentialHandle,
        secret: Mapping[str, Any],
        body: Any,
        *,
        pds: str,
    ) -> Session:
        if not isinstance(body, Mapping) or not all(
            isinstance(body.get(k), str) and body.get(k) for k in ("did", "accessJwt", "refreshJwt")
        ):
            raise TransientError(f"{NETWORK} sent a session cmdesk cannot read.")
        new = dict(secret)
        new.update(
            did=body["did"],
            handle=str(body.get("handle") or secret.get("handle") or body["did"]),
            pds=pds,
            access_jwt=body["accessJwt"],
            refresh_jwt=body["refreshJwt"],
        )
        # At once: the previous refresh token is revoked from now on (2.1).
        credentials.write(new)
        session = Session.from_secret(new)
        assert session is not None
        return session


class XrpcClient:
    """Authenticated calls to the account's PDS that refresh the session once when it is refused."""

    def __init__(
        self,
        sessions: SessionManager,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
    ) -> None:
        self._sessions = sessions
        self._channel = channel
        self._credentials = credentials
        self.http = http
        self.session = sessions.current(channel, credentials, http)

    def query(self, nsid: str, params: Mapping[str, str]) -> Any:
        return self._call("GET", nsid, params=dict(params))

    def procedure(
        self, nsid: str, *, body: Any = None, data: bytes | None = None, mime: str = ""
    ) -> Any:
        if data is not None:
            return self._call("POST", nsid, data=data, headers={"Content-Type": mime})
        return self._call("POST", nsid, json=body)

    def _call(self, method: str, nsid: str, **kwargs: Any) -> Any:
        extra_headers: dict[str, str] = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {**extra_headers, "Authorization": f"Bearer {self.session.access_jwt}"}
            url = f"{self.session.pds}/xrpc/{nsid}"
            try:
                response = send(self.http, method, url, headers=headers, **kwargs)
            except MaybeSent as exc:
                raise _maybe_sent(exc) from None
            if attempt == 1 and response.status_code in (400, 401):
                name, _ = xrpc_error(response)
                if name in TOKEN_ERRORS:
                    # The access token expired (or was revoked): refresh once, then repeat (2.1).
                    self.session = self._sessions.refresh(
                        self._channel, self._credentials, self.http, self.session
                    )
                    continue
            raise_for_xrpc(response, now=self._sessions.now())
            # A procedure without output (updateSeen) answers 200 with no body.
            return json_body(response) if response.content else {}
        raise AssertionError("unreachable")  # pragma: no cover - the loop always returns


def _refused_sign_in(response: requests.Response, identifier: str) -> None:
    """Raise what a 401 from createSession means: a wrong app password, or a code is needed."""
    name, message = xrpc_error(response)
    if name == "AccountTakedown":
        return  # raise_for_xrpc says it
    if name == "AuthFactorTokenRequired":
        raise AuthExpired(
            f"{NETWORK} asks for a code sent by e-mail to sign in as {identifier}. Use an app "
            "password (Settings > Privacy and security > App passwords) instead of the account "
            "password, then reconnect the channel."
        )
    raise AuthExpired(
        f"{NETWORK} did not accept the app password for {identifier} ({message or name}). "
        "Create a new app password in Bluesky (Settings > Privacy and security > App "
        "passwords) and reconnect the channel.",
        detail=f"{name}: {message}",
    )
