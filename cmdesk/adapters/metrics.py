"""Engagement counts of published posts: what an adapter that can read them returns.

An adapter is a :class:`MetricsReader` when it has ``fetch_metrics``. It is given the remote ids
of published posts (as stored on their targets) and answers the counts of those it found; an id
missing from the answer is a post the network no longer shows (deleted, or taken down), and the
caller stops asking for it. A failure of the whole call raises the adapter errors of
:mod:`cmdesk.adapters.base` (rate limits, 5xx, no network, a sign-in refused).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import requests

from cmdesk.adapters.base import ChannelRef, CredentialHandle


@dataclass(frozen=True, slots=True)
class Metrics:
    """One post's counts as the network gave them; None where the network does not say."""

    likes: int | None = None  # Mastodon favourites, Bluesky likes
    reposts: int | None = None  # Mastodon boosts (reblogs), Bluesky reposts
    replies: int | None = None
    quotes: int | None = None  # Mastodon 4.5+, Bluesky
    views: int | None = None  # no network cmdesk supports gives views yet


@runtime_checkable
class MetricsReader(Protocol):
    """An adapter that can read the engagement counts of published posts."""

    def fetch_metrics(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_ids: Sequence[str],
    ) -> dict[str, Metrics]:
        """Counts by remote id; ids left out of the answer no longer exist on the network."""
        ...


def count(value: Any) -> int | None:
    """A count from a JSON body: a non-negative integer, or None when absent or malformed."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        return None
    return value
