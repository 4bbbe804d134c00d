"""The channel as an adapter sees it, built from a channel row or its DTO.

Every service that hands a channel to an adapter (composer checks, sign-in checks, reconnects,
publishing) builds the same :class:`~cmdesk.adapters.base.ChannelRef`: no secret, no database
object, a copy of the channel's limits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from cmdesk.adapters.base import ChannelRef


class ChannelLike(Protocol):
    """What a :class:`ChannelRef` is made of: a ``ChannelDTO`` or a ``Channel`` row."""

    @property
    def id(self) -> int: ...
    @property
    def network(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def handle(self) -> str: ...
    @property
    def base_url(self) -> str: ...
    @property
    def limits(self) -> Mapping[str, Any] | None: ...


def channel_ref(channel: ChannelLike) -> ChannelRef:
    """The channel as an adapter sees it (no secret, no database)."""
    return ChannelRef(
        id=channel.id,
        network=channel.network,
        name=channel.name,
        handle=channel.handle,
        base_url=channel.base_url,
        limits=dict(channel.limits or {}),
    )
