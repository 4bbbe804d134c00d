"""Connecting channels: check the sign-in with the network first, then store it.

Nothing is saved for a wrong password or an address that is not the right kind of server: the
adapter's ``verify`` runs against a temporary, in-memory copy of the credentials, and only when
it succeeds does the channel (with the limits read from the server and any tokens the network
handed out during the check) go to the database and the credential store.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests

from cmdesk.adapters.base import AccountInfo, AdapterError, AuthExpired, ChannelRef, Problem
from cmdesk.adapters.http import make_session
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.channels import ChannelService
from cmdesk.services.publishing import PublishingService, StoredCredentials


class MemoryHandle:
    """Credentials held in memory while a connection is checked."""

    def __init__(self, value: Mapping[str, Any]) -> None:
        self.value = dict(value)

    def read(self) -> dict[str, Any]:
        return dict(self.value)

    def write(self, value: dict[str, Any]) -> None:
        self.value = dict(value)


class ConnectionCheckError(UserError):
    """A connection check failed; the message says why and what to do."""


def _user_error(exc: AdapterError) -> UserError:
    return ConnectionCheckError(exc.message)


class ConnectionService:
    """Adds and checks channels through their adapters."""

    def __init__(
        self,
        channels: ChannelService,
        publishing: PublishingService,
        registry: AdapterRegistry,
        http_factory: Callable[[], requests.Session] = make_session,
    ) -> None:
        self.channels = channels
        self.publishing = publishing
        self.registry = registry
        self.http_factory = http_factory

    def connect(
        self,
        workspace_id: int,
        network: str,
        name: str,
        *,
        base_url: str,
        credentials: Mapping[str, Any],
        handle: str = "",
    ) -> ChangeSet:
        """Verify the sign-in with the network, then add the channel with what it said."""
        adapter = self.registry.get(network)
        ref = ChannelRef(
            id=0, network=network, name=name, handle=handle, base_url=base_url.rstrip("/")
        )
        held = MemoryHandle(credentials)
        try:
            info = adapter.verify(ref, held, self.http_factory())
        except AdapterError as exc:
            raise _user_error(exc) from None
        return self.channels.add(
            workspace_id,
            network,
            name,
            handle=info.handle or handle,
            base_url=base_url,
            credentials=held.value,
            limits=info.limits,
        )

    def check(self, channel_id: int) -> AccountInfo:
        """Check a channel's sign-in now; records its health and fresh limits either way."""
        channel = self.channels.get(channel_id)
        adapter = self.registry.get("demo" if channel.is_demo else channel.network)
        ref = channel_ref(channel)
        handle = StoredCredentials(
            self.channels.credentials, self.channels.credential_ref(channel_id), channel.name
        )
        try:
            info = adapter.verify(ref, handle, self.http_factory())
        except AdapterError as exc:
            if isinstance(exc, AuthExpired):
                self.channels.set_health(channel_id, "needs_reauth", exc.message)
            raise _user_error(exc) from None
        self.channels.update_connection(channel_id, handle=info.handle or None, limits=info.limits)
        return info

    def problems(self, post_id: int) -> dict[str, list[Problem]]:
        """What keeps a post from going out, per channel name (empty lists when nothing does)."""
        return self.publishing.problems(post_id, self.registry)
