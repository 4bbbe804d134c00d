"""What the listening service hands the UI and the command line: frozen, no database objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SearchKind(StrEnum):
    """What a saved search follows: a hashtag timeline or a text query."""

    HASHTAG = "hashtag"
    QUERY = "query"


@dataclass(frozen=True, slots=True)
class SavedSearchDTO:
    """A saved search: ``label`` is how lists show it ("#cafe" or "“cold brew”")."""

    id: int
    workspace_id: int
    channel_id: int
    channel_name: str
    network: str
    kind: SearchKind
    text: str
    note: str
    created_at: datetime
    synced_at: datetime | None
    result_count: int

    @property
    def label(self) -> str:
        return f"#{self.text}" if self.kind is SearchKind.HASHTAG else f"“{self.text}”"


@dataclass(frozen=True, slots=True)
class ListenedPostDTO:
    """A post a saved search found; ``safe_html`` is sanitised, ``text`` plain."""

    id: int
    search_id: int
    search_label: str
    channel_id: int
    channel_name: str
    network: str
    remote_id: str
    remote_url: str
    author_handle: str
    author_name: str
    text: str
    safe_html: str
    created_at: datetime
