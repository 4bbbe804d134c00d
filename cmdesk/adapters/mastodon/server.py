"""Which server an address leads to, and whether it answers like Mastodon (1.2).

The first step of connecting an account: a person types a host, a URL or ``@user@host``;
:func:`normalize_base_url` makes it an address and :func:`check_server` tells a
Mastodon-compatible server from a mistyped address.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from cmdesk.adapters.base import NetworkUnavailable, PermanentError, TransientError
from cmdesk.adapters.http import MaybeSent, NotSent, raise_for_status, send
from cmdesk.adapters.mastodon.limits import detect_software

#: What a scheduler needs (1.1); granular scopes exist since Mastodon 2.4.
MASTODON_SCOPES = (
    "read:statuses read:notifications read:accounts write:statuses write:media write:conversations"
)
#: Other servers (GoToSocial, Pixelfed, Pleroma ...) do not all know granular scopes.
GENERIC_SCOPES = "read write"
_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


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
