"""What the ideas service hands out: ideas of the bin, feeds, and the outcome of a refresh."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class IdeaState(StrEnum):
    """Where an idea is: waiting in the bin, made into a post, or set aside."""

    NEW = "new"
    USED = "used"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        return {"new": "New", "used": "Used", "discarded": "Discarded"}[self.value]


@dataclass(frozen=True, slots=True)
class IdeaDTO:
    """One idea; ``feed_title`` is "" for one typed in."""

    id: int
    workspace_id: int
    title: str
    text: str
    link: str
    feed_id: int | None
    feed_title: str
    state: IdeaState
    post_id: int | None
    created_at: datetime
    published_at: datetime | None

    @property
    def date(self) -> datetime:
        """The entry's own date when the feed gave one, else when it came in."""
        return self.published_at or self.created_at


@dataclass(frozen=True, slots=True)
class IdeaFilter:
    """Which ideas to list: empty fields mean any. ``feed_id=0`` means typed-in ideas only."""

    states: frozenset[IdeaState] = frozenset({IdeaState.NEW})
    feed_id: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class IdeaPage:
    """One page of ideas, newest first, and how many match in all."""

    items: tuple[IdeaDTO, ...]
    total: int
    offset: int


@dataclass(frozen=True, slots=True)
class FeedDTO:
    """A subscribed feed with its last fetch and how many of its ideas wait in the bin."""

    id: int
    workspace_id: int
    url: str
    title: str
    is_active: bool
    last_fetched_at: datetime | None
    last_error: str
    new_count: int
    total_count: int

    @property
    def label(self) -> str:
        return self.title or self.url


@dataclass(frozen=True, slots=True)
class FeedRefresh:
    """What one refresh of a feed did: ideas added, or why it failed (stored as ``last_error``).

    ``problem`` is a warning for a feed read only in part (malformed XML) or cut at the
    per-refresh limit; ``error`` means nothing was read.
    """

    feed_id: int
    new_ideas: int = 0
    not_modified: bool = False
    error: str = ""
    problem: str = ""
    paused: bool = False
    retry_at: datetime | None = None
    suggested_url: str = ""

    @property
    def ok(self) -> bool:
        return not self.error
