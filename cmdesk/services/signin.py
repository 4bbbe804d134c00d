"""Signing channels in from an interactive front end: Mastodon's browser flow, Bluesky, reconnects.

The window and the command line both drive the same steps; this module holds them so neither
reaches into the adapters. A :class:`MastodonSignIn` is one browser sign-in that any thread may
wait on (:meth:`~MastodonSignIn.wait`), that another thread may feed a pasted code
(:meth:`~MastodonSignIn.paste`) or cancel (:meth:`~MastodonSignIn.cancel`) without blocking.
:class:`SignInService` checks what comes back with the network before anything is stored (through
:class:`~cmdesk.services.connections.ConnectionService`) and reconnects existing channels, refusing
a sign-in to another account than the channel's.

Every call that talks to the network blocks: a GUI runs them on its task runner. Secrets never
appear in messages or logs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from cmdesk.adapters.base import AdapterError, AuthExpired
from cmdesk.adapters.mastodon.auth import SIGN_IN_TIMEOUT, BrowserSignIn, code_from_paste
from cmdesk.errors import UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.connections import ConnectionCheckError, ConnectionService, MemoryHandle

DEFAULT_BLUESKY_SERVICE = "https://bsky.social"
_CLOSED = ""  # what a closed sign-in hands the paste reader: not a code, so it is dropped


class MastodonSignIn:
    """One browser sign-in on a Mastodon server, begun by :meth:`SignInService.begin_mastodon`.

    ``url`` opens the approval page that redirects to a loopback listener on 127.0.0.1; ``oob_url``
    opens the same page where the server shows the code instead, for the person to paste. Either
    way :meth:`wait` returns the secret. Always :meth:`close` it (``wait`` does when it returns).
    """

    def __init__(self, flow: BrowserSignIn) -> None:
        self._flow = flow
        self._pasted: queue.Queue[str] = queue.Queue()
        self._closed = threading.Event()

    @property
    def base_url(self) -> str:
        return self._flow.server.base_url

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def url(self) -> str:
        """The approval page; the browser comes back to the loopback listener."""
        return self._flow.url

    @property
    def oob_url(self) -> str:
        """The approval page where the server shows a code to paste."""
        return self._flow.oob_url

    @property
    def redirect_uri(self) -> str:
        """The loopback address the browser is sent back to."""
        return self._flow.receiver.redirect_uri

    @property
    def listening(self) -> bool:
        return not self._closed.is_set()

    def paste(self, text: str) -> None:
        """Hand over a pasted code or landing address; raises ``ValidationError`` if it is neither."""
        try:
            code = code_from_paste(text, self._flow.receiver.state)
        except AdapterError as exc:
            raise ValidationError(exc.message, field="code") from None
        self._pasted.put(code)

    def wait(self, timeout: float = SIGN_IN_TIMEOUT) -> dict[str, Any]:
        """Block until the browser comes back or a code is pasted; returns the secret to store."""
        try:
            return self._flow.finish(self._pasted.get, timeout=timeout)
        except AdapterError as exc:
            raise UserError(exc.message) from None
        finally:
            self.close()

    def cancel(self) -> None:
        """End :meth:`wait` at once (from any thread, without blocking)."""
        self._flow.receiver.cancel()
        self._pasted.put(_CLOSED)

    def close(self) -> None:
        """Stop the loopback listener (blocks for up to its poll interval)."""
        if self._closed.is_set():
            return
        self._closed.set()
        self._pasted.put(_CLOSED)  # ends the helper thread that reads pasted codes
        self._flow.close()


class SignInService:
    """Connects and reconnects channels from what a person typed or approved in a browser."""

    def __init__(self, connections: ConnectionService) -> None:
        self.connections = connections

    # --- Mastodon --------------------------------------------------------------------------------

    def begin_mastodon(self, base_url: str) -> MastodonSignIn:
        """Check that ``base_url`` is a Mastodon server, listen on loopback, register cmdesk."""
        if not base_url.strip():
            raise ValidationError("Type the address of the Mastodon server.", field="base_url")
        try:
            flow = BrowserSignIn.start(self.connections.http_factory(), base_url)
        except AdapterError as exc:
            raise ValidationError(exc.message, field="base_url") from None
        return MastodonSignIn(flow)

    def connect_mastodon(
        self, workspace_id: int, name: str, signin: MastodonSignIn, *, timeout: float = 300.0
    ) -> ChangeSet:
        """Wait for the sign-in, then add the channel (``name`` blank: one made from the server)."""
        credentials = signin.wait(timeout)
        return self.connections.connect(
            workspace_id,
            "mastodon",
            name.strip() or f"Mastodon · {signin.host}",
            base_url=signin.base_url,
            credentials=credentials,
        )

    def reconnect_mastodon(
        self, channel_id: int, signin: MastodonSignIn, *, timeout: float = 300.0
    ) -> ChangeSet:
        """Wait for the sign-in, then give the channel its new token."""
        credentials = signin.wait(timeout)
        return self.reconnect(channel_id, credentials)

    # --- Bluesky ---------------------------------------------------------------------------------

    def connect_bluesky(
        self,
        workspace_id: int,
        name: str,
        handle: str,
        app_password: str,
        service: str = DEFAULT_BLUESKY_SERVICE,
    ) -> ChangeSet:
        """Sign in with an app password, then add the channel (``name`` blank: the handle)."""
        handle, service = _bluesky_fields(handle, app_password, service)
        return self.connections.connect(
            workspace_id,
            "bluesky",
            name.strip() or handle,
            base_url=service,
            handle=handle,
            credentials={"identifier": handle, "app_password": app_password},
        )

    def reconnect_bluesky(self, channel_id: int, handle: str, app_password: str) -> ChangeSet:
        """Give a Bluesky channel a new app password (its service stays)."""
        service = self.connections.channels.get(channel_id).base_url
        handle, _ = _bluesky_fields(handle, app_password, service)
        return self.reconnect(channel_id, {"identifier": handle, "app_password": app_password})

    # --- both ------------------------------------------------------------------------------------

    def reconnect(self, channel_id: int, credentials: Mapping[str, Any]) -> ChangeSet:
        """Check new credentials with the network, then store them; health becomes ok.

        A sign-in to a different account than the channel's is refused: its published posts and
        queued deliveries belong to the first account.
        """
        channel = self.connections.channels.get(channel_id)
        if channel.removed:
            raise ValidationError("This channel was removed; add the account again instead.")
        adapter = self.connections.registry.get(channel.network)
        ref = channel_ref(channel)
        held = MemoryHandle(credentials)
        try:
            info = adapter.verify(ref, held, self.connections.http_factory())
        except AdapterError as exc:
            if isinstance(exc, AuthExpired):
                raise ConnectionCheckError(
                    f"{exc.message} Check the password or approve cmdesk again."
                ) from None
            raise ConnectionCheckError(exc.message) from None
        if channel.handle and info.handle and not _same_account(channel.handle, info.handle):
            raise ValidationError(
                f"That signs in as {info.handle}, but this channel is {channel.handle}. "
                "Sign in to that account, or add the other one as a new channel."
            )
        return self.connections.channels.update_connection(
            channel_id, handle=info.handle or None, limits=info.limits, credentials=held.value
        )


def _bluesky_fields(handle: str, app_password: str, service: str) -> tuple[str, str]:
    handle = handle.strip().lstrip("@")
    service = service.strip() or DEFAULT_BLUESKY_SERVICE
    if not handle:
        raise ValidationError("Type the account's handle, e.g. brand.bsky.social.", field="handle")
    if not app_password.strip():
        raise ValidationError("Type an app password for this account.", field="app_password")
    if urlsplit(service).scheme not in ("http", "https"):
        raise ValidationError(
            "The service is an address such as https://bsky.social.", field="service"
        )
    return handle, service


def _same_account(a: str, b: str) -> bool:
    return a.strip().lstrip("@").casefold() == b.strip().lstrip("@").casefold()
