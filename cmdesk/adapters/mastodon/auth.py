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

:class:`BrowserSignIn` strings the steps together; the steps themselves live in :mod:`.server`,
:mod:`.oauth` and :mod:`.loopback` and are re-exported here. The secret it returns, stored through
the credential store, is ``{"access_token", "token_type", "scope", "created_at", "client_id",
"client_secret"}`` (the client pair is needed to revoke the token later). Tokens and client
secrets are never logged or put in error messages.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import requests

from cmdesk.adapters.base import PermanentError
from cmdesk.adapters.mastodon.loopback import (
    CALLBACK_PATH,
    SIGN_IN_TIMEOUT,
    LoopbackReceiver,
    code_from_paste,
)
from cmdesk.adapters.mastodon.oauth import (
    OOB_REDIRECT_URI,
    AppRegistration,
    Pkce,
    authorize_url,
    exchange_code,
    new_state,
    register_app,
)
from cmdesk.adapters.mastodon.server import (
    GENERIC_SCOPES,
    MASTODON_SCOPES,
    ServerInfo,
    check_server,
    normalize_base_url,
)

__all__ = [
    "CALLBACK_PATH",
    "GENERIC_SCOPES",
    "MASTODON_SCOPES",
    "OOB_REDIRECT_URI",
    "SIGN_IN_TIMEOUT",
    "AppRegistration",
    "BrowserSignIn",
    "LoopbackReceiver",
    "Pkce",
    "ServerInfo",
    "authorize_url",
    "check_server",
    "code_from_paste",
    "exchange_code",
    "new_state",
    "normalize_base_url",
    "register_app",
]

# The name sign-in logged under before the adapter became a package.
log = logging.getLogger("cmdesk.adapters.mastodon_auth")


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
