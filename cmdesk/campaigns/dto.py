"""What the campaigns service hands out and takes in: plain frozen values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from cmdesk.dto import CampaignDTO, TagDTO


@dataclass(frozen=True, slots=True)
class CampaignInput:
    """The editable fields of a campaign, as the editor or the command line gives them."""

    name: str
    color: str = "#8e44ad"
    starts_on: date | None = None
    ends_on: date | None = None
    objective: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class CampaignStats:
    """A campaign and how far it has gone.

    ``posts`` counts the campaign's posts that are not trashed or archived; ``published`` and
    ``scheduled`` are the part of them in that status. Progress is ``published / posts``.
    """

    campaign: CampaignDTO
    posts: int
    published: int
    scheduled: int

    @property
    def progress(self) -> float:
        return self.published / self.posts if self.posts else 0.0


@dataclass(frozen=True, slots=True)
class LabelStats:
    """A pillar or a tag and the number of posts (not trashed) that carry it."""

    tag: TagDTO
    posts: int


@dataclass(frozen=True, slots=True)
class CampaignBand:
    """A campaign as the calendar paints it: the days it runs, clipped to the range asked for.

    ``first`` and ``last`` are inclusive local days; ``open_start`` / ``open_end`` say that the
    campaign has no start or end date (it runs on beyond the range).
    """

    campaign: CampaignDTO
    first: date
    last: date
    open_start: bool = False
    open_end: bool = False

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last


@dataclass(frozen=True, slots=True)
class PostLabels:
    """The campaign, pillar and tags of one post (tag ids sorted)."""

    campaign_id: int | None = None
    pillar_id: int | None = None
    tag_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class LabelChange:
    """A post's labels before and after a relabelling; undoing is applying :meth:`reversed`.

    The service applies a change only if the post still has ``before``, so an undo never
    overwrites labels someone changed meanwhile.
    """

    post_id: int
    label: str
    before: PostLabels
    after: PostLabels

    def reversed(self) -> LabelChange:
        return LabelChange(self.post_id, self.label, self.after, self.before)
