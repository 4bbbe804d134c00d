"""What the series service hands out: a series in words, and what an edit of a series changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from cmdesk.dto import PostEdit, PostSnapshot

SeriesKind = Literal["recurring", "evergreen"]
#: Which occurrences a delete takes: this one, this and the following ones, or every one.
DeleteScope = Literal["this", "following", "all"]


@dataclass(frozen=True, slots=True)
class SeriesDTO:
    """A recurring or evergreen series; ``description`` is the rule in words."""

    id: int
    workspace_id: int
    kind: SeriesKind
    rrule: str
    starts_local: str
    description: str
    is_active: bool
    horizon_until: datetime | None
    exdates: tuple[str, ...]
    every_days: int | None
    variations: tuple[str, ...]
    next_variation: int
    #: The occurrences (posts) not in the trash, by key.
    post_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SeriesEdit:
    """The content of the occurrences an "all following" save changed, before and after."""

    series_id: int
    label: str
    before: tuple[PostSnapshot, ...]
    after: tuple[PostSnapshot, ...]

    def reversed(self) -> SeriesEdit:
        return SeriesEdit(self.series_id, self.label, self.after, self.before)


@dataclass(frozen=True, slots=True)
class SeriesCut:
    """A delete of occurrences of a series: the posts trashed and the rule before and after."""

    series_id: int
    label: str
    trashed: tuple[int, ...]
    rule_before: str
    rule_after: str
    active_before: bool
    active_after: bool


@dataclass(frozen=True, slots=True)
class EvergreenInput:
    """Re-run a post ``every_days`` after it went out, rotating ``variations`` after its text."""

    every_days: int
    variations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RepeatResult:
    """A save that made a post repeat: what its undo needs.

    ``edit`` is the save of an existing post (None: the post was created by the save).
    """

    post_id: int
    series_id: int
    label: str
    created: tuple[int, ...]
    edit: PostEdit | None
