"""Frozen data handed from the services to the UI, the CLI and the scheduler.

DTOs are plain values: they hold no session and load nothing lazily, so they can cross threads and
outlive the transaction that read them. Instants are aware datetimes in UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from cmdesk.status import InboxState, PostStatus, TargetState


@dataclass(frozen=True, slots=True)
class WorkspaceDTO:
    """A brand or client."""

    id: int
    name: str
    timezone: str
    color: str
    description: str
    objectives: str
    week_start: int
    default_post_time: str
    is_demo: bool


@dataclass(frozen=True, slots=True)
class ChannelDTO:
    """A connected account. ``has_credential`` says whether a secret is stored, never what it is."""

    id: int
    workspace_id: int
    network: str
    name: str
    handle: str
    base_url: str
    health: str
    health_detail: str
    color: str
    is_demo: bool
    has_credential: bool
    removed: bool
    limits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CampaignDTO:
    """A campaign with its dates and colour."""

    id: int
    workspace_id: int
    name: str
    color: str
    starts_on: date | None
    ends_on: date | None
    objective: str
    notes: str


@dataclass(frozen=True, slots=True)
class TagDTO:
    """A tag or a content pillar."""

    id: int
    workspace_id: int
    kind: str
    name: str
    color: str


@dataclass(frozen=True, slots=True)
class MediaDTO:
    """A file of the media library (``path`` is where cmdesk keeps its copy)."""

    id: int
    workspace_id: int
    path: str
    original_name: str
    mime_type: str
    size_bytes: int
    width: int | None
    height: int | None
    alt_text: str


@dataclass(frozen=True, slots=True)
class PostSummary:
    """What the calendar, board and list need of a post: small and fast to build in bulk."""

    id: int
    workspace_id: int
    title: str
    snippet: str
    status: PostStatus
    scheduled_at: datetime | None
    campaign_id: int | None
    channel_ids: tuple[int, ...]
    revision: int

    @property
    def label(self) -> str:
        return self.title or self.snippet


@dataclass(frozen=True, slots=True)
class CalendarDays:
    """What a calendar grid shows: the first posts of each local day and every day's total.

    ``posts`` holds at most ``per_day`` posts of each day, in time order; ``day_counts`` says how
    many posts each day really has, so a cell can say "+N more" without loading them all.
    """

    posts: tuple[PostSummary, ...]
    day_counts: Mapping[date, int]
    per_day: int


@dataclass(frozen=True, slots=True)
class TargetDTO:
    """One post on one channel, as the delivery engine sees it."""

    id: int
    post_id: int
    channel_id: int
    state: TargetState
    due_at: datetime | None
    remote_id: str | None
    remote_url: str | None
    attempts: int
    last_error: str
    next_retry_at: datetime | None
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class VariantDTO:
    """The per-channel version of a post."""

    channel_id: int
    text: str | None
    thread_parts: tuple[str, ...] | None
    media_ids: tuple[int, ...] | None
    options: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class PostDetail:
    """Everything about one post, for the composer and the detail panes."""

    id: int
    workspace_id: int
    title: str
    text: str
    status: PostStatus
    scheduled_at: datetime | None
    campaign_id: int | None
    pillar_id: int | None
    tag_ids: tuple[int, ...]
    notes: str
    author: str
    channel_ids: tuple[int, ...]
    media_ids: tuple[int, ...]
    targets: tuple[TargetDTO, ...]
    variants: tuple[VariantDTO, ...]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    revision: int


@dataclass(frozen=True, slots=True)
class PostInput:
    """The editable content of a post, as a form or an importer hands it to the plan service."""

    title: str = ""
    text: str = ""
    channel_ids: tuple[int, ...] = ()
    campaign_id: int | None = None
    pillar_id: int | None = None
    tag_ids: tuple[int, ...] = ()
    notes: str = ""
    author: str = ""
    media_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class PostFilter:
    """Criteria shared by the list view, the calendar and the command line. Empty means any."""

    channel_ids: frozenset[int] = frozenset()
    statuses: frozenset[PostStatus] = frozenset()
    campaign_ids: frozenset[int] = frozenset()
    tag_ids: frozenset[int] = frozenset()
    text: str = ""
    start: datetime | None = None
    end: datetime | None = None
    scheduled: bool | None = None  # True: only with a time; False: only without; None: both
    #: Only posts that need the person: failed, missed, or sent-or-not to confirm on a channel.
    needs_attention: bool = False
    #: Posts of one of these content pillars (``tag_ids`` matches a tag or a pillar).
    pillar_ids: frozenset[int] = frozenset()

    def is_empty(self) -> bool:
        return not (
            self.channel_ids
            or self.statuses
            or self.campaign_ids
            or self.tag_ids
            or self.pillar_ids
            or self.text
            or self.needs_attention
        )


@dataclass(frozen=True, slots=True)
class VariantInput:
    """The per-channel version of a post as the composer hands it over (None: use the master)."""

    channel_id: int
    text: str | None = None
    thread_parts: tuple[str, ...] | None = None
    media_ids: tuple[int, ...] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PostSnapshot:
    """Everything an edit can change of a post, to put it back on undo.

    ``data`` and ``variants`` are the content; ``status``, ``scheduled_at`` and ``revision`` say
    where the post stood when the snapshot was taken.
    """

    post_id: int
    workspace_id: int
    label: str
    data: PostInput
    variants: tuple[VariantInput, ...]
    status: PostStatus
    scheduled_at: datetime | None
    revision: int


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a post stands: its status, its time, and each delivery's state (channel id, state)."""

    status: PostStatus
    scheduled_at: datetime | None
    targets: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PlacementChange:
    """A post's placement before and after a move, a status change or an unschedule.

    Undoing is applying :meth:`reversed`: the service checks that the post still stands at
    ``before`` (nobody changed it elsewhere) and takes it to ``after``.
    """

    post_id: int
    label: str
    before: Placement
    after: Placement

    def reversed(self) -> PlacementChange:
        return PlacementChange(self.post_id, self.label, self.after, self.before)


@dataclass(frozen=True, slots=True)
class TrashResult:
    """Posts put back from the trash, and what a person should know about them."""

    post_ids: tuple[int, ...]
    notes: tuple[str, ...]


class SaveAs(Enum):
    """What a save does with a post's status besides its content (the composer's buttons).

    A plain ``Enum``, not a ``StrEnum``: ``SaveAs.DRAFT`` must never compare equal to
    ``PostStatus.DRAFT``.
    """

    #: The status stays (a new post: a draft); the time becomes the one given.
    KEEP = "keep"
    #: A draft at the time given; a scheduled post is taken out of the queue.
    DRAFT = "draft"
    #: Queued to go out at the time given.
    SCHEDULED = "scheduled"
    #: Queued to go out now, as "Publish now" (the time given is not used).
    PUBLISH_NOW = "publish_now"


@dataclass(frozen=True, slots=True)
class PlacementInput:
    """The status and time a save gives a post, in the same transaction as its content.

    ``scheduled_at`` is the post's time after the save (aware); None takes its time away.
    """

    status: SaveAs = SaveAs.KEEP
    scheduled_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PostEdit:
    """One save of a post: its content before and after, and its placement if that changed too.

    Undoing is applying :meth:`reversed` (content and placement together, or neither).
    """

    before: PostSnapshot
    after: PostSnapshot
    placement: PlacementChange | None = None

    def reversed(self) -> PostEdit:
        back = self.placement.reversed() if self.placement is not None else None
        return PostEdit(self.after, self.before, back)


@dataclass(frozen=True, slots=True)
class InboxItemDTO:
    """A mention, reply, quote or direct message from one channel, ready to list and show.

    ``text`` is plain text (lists, search, counting); ``safe_html`` is the sanitised subset of the
    network's HTML (empty for networks that send plain text with facets, such as Bluesky).
    """

    id: int
    workspace_id: int
    channel_id: int
    network: str
    kind: str
    remote_id: str
    remote_url: str
    conversation_id: str | None
    author_handle: str
    author_name: str
    text: str
    safe_html: str
    received_at: datetime
    state: InboxState
    post_id: int | None
    post_title: str


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """Which inbox items to list; an empty set means "any"."""

    channel_ids: frozenset[int] = frozenset()
    kinds: frozenset[str] = frozenset()
    states: frozenset[InboxState] = frozenset()
    text: str = ""


@dataclass(frozen=True, slots=True)
class ConversationEntry:
    """One post of the thread around an inbox item."""

    remote_id: str
    author_handle: str
    author_name: str
    text: str
    safe_html: str
    created_at: datetime | None
    is_ours: bool


@dataclass(frozen=True, slots=True)
class Conversation:
    """An inbox item with the post of ours it answers and the thread around it, oldest first."""

    item: InboxItemDTO
    our_post: PostSummary | None
    entries: tuple[ConversationEntry, ...]


@dataclass(frozen=True, slots=True)
class MetricsDTO:
    """The latest engagement counts of a published post: summed over its channels, and per channel.

    A count is None where no channel gave it. ``by_channel`` holds each channel's own latest
    counts (its ``by_channel`` is empty); ``taken_at`` is the newest snapshot's time.
    """

    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None
    taken_at: datetime
    by_channel: Mapping[int, MetricsDTO] = field(default_factory=dict)

    def summary(self) -> str:
        """``"12 likes · 3 reposts · 2 replies"`` (quotes and views only when there are some)."""
        parts = [
            _counted(self.likes, "like", "likes", always=True),
            _counted(self.reposts, "repost", "reposts", always=True),
            _counted(self.replies, "reply", "replies", always=True),
            _counted(self.quotes, "quote", "quotes", always=False),
            _counted(self.views, "view", "views", always=False),
        ]
        return " · ".join(p for p in parts if p)


def _counted(value: int | None, one: str, many: str, *, always: bool) -> str:
    if value is None or (value == 0 and not always):
        return ""
    return f"{value} {one if value == 1 else many}"
