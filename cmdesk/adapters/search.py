"""Searching public posts through an adapter: one call's result and the ``Searcher`` protocol.

DESIGN.md: adapters expose ``search`` where the network allows it.

A saved search is a hashtag or a text query read through one channel. Each call reads one page
from where the last one stopped (``cursor``, opaque to the caller, at most :data:`CURSOR_CHARS`
characters) and hands back the posts as :class:`cmdesk.adapters.base.InboxNotice` of kind
``"listening"``, not yet sanitised: the caller makes them safe as it stores them.

Implementations: :mod:`cmdesk.adapters.mastodon.search` (hashtag timelines, ``/api/v2/search``)
and :mod:`cmdesk.adapters.bluesky_search` (``app.bsky.feed.searchPosts``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import requests

from cmdesk.adapters.base import ChannelRef, CredentialHandle, InboxNotice

KIND = "listening"
CURSOR_CHARS = 255  # SavedSearch.cursor
HASHTAG = "hashtag"
QUERY = "query"


@dataclass(frozen=True, slots=True)
class SearchBatch:
    """One call's posts, the cursor to store once they are kept, and what to tell the person.

    ``more``: call again at once with ``cursor``. ``note``: why the search finds nothing ("" when
    it works); ``None`` leaves the stored note as it is.
    """

    items: tuple[InboxNotice, ...]
    cursor: str | None
    more: bool = False
    note: str | None = ""
    skipped: tuple[str, ...] = ()


@runtime_checkable
class Searcher(Protocol):
    """An adapter that can search public posts for a hashtag or a text query."""

    def search(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        kind: str,
        text: str,
        cursor: str | None,
    ) -> SearchBatch:
        """The next page of ``kind`` (``"hashtag"`` or ``"query"``) ``text`` after ``cursor``.

        None as ``cursor``: the first read, which takes only the newest page. Raises the
        adapter's errors; a search the server cannot run comes back empty with a ``note``.
        """
        ...


def clean_tag(text: str) -> str:
    """A hashtag as the networks take it: no leading #, no spaces around it."""
    return text.strip().lstrip("#").strip()
