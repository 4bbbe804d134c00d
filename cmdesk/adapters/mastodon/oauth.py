"""OAuth with a Mastodon server (1.1): register cmdesk, the authorisation URL, code for token.

cmdesk is registered per install with exact redirect URIs (:func:`register_app`); the browser opens
:func:`authorize_url` (with a random ``state`` and PKCE S256, 4.3+; older servers ignore the extra
parameters); :func:`exchange_code` turns the code that comes back into the secret to store. Tokens
and client secrets are never logged or put in error messages.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import requests

from cmdesk.adapters.base import PermanentError
from cmdesk.adapters.http import MaybeSent, error_text, raise_for_status, send
from cmdesk.adapters.mastodon.server import MASTODON_SCOPES, normalize_base_url

OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"


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
