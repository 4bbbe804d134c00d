"""Telling a network that the notifications cmdesk fetched were seen (an option in Settings).

Only what cmdesk actually stored is marked: the position is the newest notification that became
an inbox item (``NoticeBatch.seen_mark``), never "now", so nothing that arrives while cmdesk reads
is marked seen unseen. The position never moves back: a person who read further in the network's
own app keeps their place.

- Bluesky: ``app.bsky.notification.updateSeen {seenAt}`` (``reference/networks.md`` 2.7), with
  the ``indexedAt`` of that notification; ``listNotifications`` says the current ``seenAt``.
- Mastodon: the notifications read marker, ``POST /api/v1/markers`` with
  ``notifications[last_read_id]`` (1.9). A server without markers (404, 422) is skipped, said
  once in the log.

Marking an item read *in cmdesk* does not move these: the network's marker means "fetched into
cmdesk", so the network's own app stops showing the badge for what cmdesk has; cmdesk's read,
replied and done states are its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import requests

from cmdesk.adapters.base import ChannelRef, CredentialHandle


@runtime_checkable
class SeenMarker(Protocol):
    """An adapter that can move the network's "notifications seen" position."""

    def mark_seen(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        marks: Sequence[str],
    ) -> bool:
        """Move the position to the newest of ``marks`` (``NoticeBatch.seen_mark`` values).

        True when the network took it; False when there was nothing to move (the network is
        already there or further, or has no such position). Raises the adapter's errors.
        """
        ...
