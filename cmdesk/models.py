"""The content plan as SQLAlchemy 2.0 typed models.

Instants are stored as whole seconds since the epoch in UTC (``UTCSeconds``): unambiguous, equally
fast to index and compare on SQLite and PostgreSQL, and cheap to turn into aware datetimes when a
month of the calendar is read. Wall-clock times that belong to a zone (queue slots, default posting
time) are stored as ``HH:MM`` text next to the zone they are read in.

Constraint names follow one convention so that Alembic migrations can address them on every backend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from cmdesk.status import PostStatus, TargetState

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCSeconds(TypeDecorator[datetime]):
    """An aware UTC datetime stored as integer seconds since the epoch."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return int(value.timestamp())

    def process_result_value(self, value: int | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return datetime.fromtimestamp(value, UTC)


def _status_check(column: str, values: Any) -> str:
    allowed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({allowed})"


class Base(DeclarativeBase):
    """Declarative base carrying the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    """Creation and last-change instants, set by the services (which own the clock)."""

    created_at: Mapped[datetime] = mapped_column(UTCSeconds)
    updated_at: Mapped[datetime] = mapped_column(UTCSeconds)


class Workspace(Timestamps, Base):
    """A brand or client: its own channels, plan, time zone and objectives."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    color: Mapped[str] = mapped_column(String(9), default="#3367d6")
    description: Mapped[str] = mapped_column(Text, default="")
    objectives: Mapped[str] = mapped_column(Text, default="")
    kpi_targets: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    week_start: Mapped[int] = mapped_column(Integer, default=0)
    default_post_time: Mapped[str] = mapped_column(String(5), default="09:00")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    channels: Mapped[list[Channel]] = relationship(
        back_populates="workspace", cascade="all, delete-orphan", passive_deletes=True
    )


class Channel(Timestamps, Base):
    """One connected account on one network. Holds a credential reference, never a secret."""

    __tablename__ = "channel"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint("health IN ('ok', 'needs_reauth', 'disabled')", name="health"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    network: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(120))
    handle: Mapped[str] = mapped_column(String(255), default="")
    base_url: Mapped[str] = mapped_column(String(500), default="")
    credential_ref: Mapped[str | None] = mapped_column(String(200))
    limits: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    health: Mapped[str] = mapped_column(String(16), default="ok")
    health_detail: Mapped[str] = mapped_column(Text, default="")
    color: Mapped[str] = mapped_column(String(9), default="")
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    removed_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    inbox_cursor: Mapped[str | None] = mapped_column(String(255))

    workspace: Mapped[Workspace] = relationship(back_populates="channels")


class Campaign(Base):
    """A time-boxed push with an objective, shown as a band on the calendar."""

    __tablename__ = "campaign"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(9), default="#8e44ad")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    objective: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")


class Tag(Base):
    """A tag or a content pillar (``kind``), with a colour."""

    __tablename__ = "tag"
    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "name"),
        CheckConstraint("kind IN ('tag', 'pillar')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8), default="tag")
    name: Mapped[str] = mapped_column(String(80))
    color: Mapped[str] = mapped_column(String(9), default="#7f8c8d")


class PostTag(Base):
    """Association of posts and tags."""

    __tablename__ = "post_tag"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Post(Timestamps, Base):
    """The unit of the plan: one piece of content, its master text and its planned time."""

    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint(_status_check("status", PostStatus), name="status"),
        # The calendar reads a time window of one workspace; the board and filters count by status.
        # Both skip trashed posts, so ``trashed_at`` is in the indexes to keep the reads index-only.
        Index("ix_post_workspace_scheduled", "workspace_id", "scheduled_at", "trashed_at"),
        Index("ix_post_workspace_status", "workspace_id", "status", "trashed_at"),
        # A unique index, not a constraint: SQLite adds it without copying the post table.
        Index("ux_post_series_key", "series_id", "series_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=PostStatus.DRAFT.value)
    scheduled_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="SET NULL"), index=True
    )
    pillar_id: Mapped[int | None] = mapped_column(
        ForeignKey("tag.id", ondelete="SET NULL"), index=True
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(120), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    # Bumped on every change: lets the UI and autosave detect that another window changed a post.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    # Set when the post is deleted: it stays in the trash (out of every list) until restored or
    # purged 30 days later, so a delete can be undone.
    trashed_at: Mapped[datetime | None] = mapped_column(UTCSeconds, index=True)
    # A post that is one occurrence of a recurring or evergreen series (``PostSeries``).
    # ``series_key`` names the occurrence (its wall-clock start for a recurrence, a sequence
    # number for evergreen) so that it is made once; a detached occurrence was edited on its own
    # and no longer follows edits of the whole series.
    # No foreign key: adding one to an existing post table would copy it under SQLite. The series
    # service clears it when a series is removed.
    series_id: Mapped[int | None] = mapped_column(Integer, index=True)
    series_key: Mapped[str | None] = mapped_column(String(32))
    series_detached: Mapped[bool] = mapped_column(Boolean, default=False)

    targets: Mapped[list[Target]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )
    variants: Mapped[list[Variant]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )


class Variant(Base):
    """The per-channel version of a post: overrides of the master text, thread parts, options."""

    __tablename__ = "variant"
    __table_args__ = (UniqueConstraint("post_id", "channel_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str | None] = mapped_column(Text)
    thread_parts: Mapped[list[str] | None] = mapped_column(JSON)
    media_ids: Mapped[list[int] | None] = mapped_column(JSON)
    # Network options: visibility, content warning, language, first comment ...
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    post: Mapped[Post] = relationship(back_populates="variants")


class Target(Timestamps, Base):
    """One post on one channel: its delivery state, the outbox record and the claim lease."""

    __tablename__ = "target"
    __table_args__ = (
        UniqueConstraint("post_id", "channel_id"),
        CheckConstraint(_status_check("state", TargetState), name="state"),
        # The dispatcher asks "which queued targets are due before T" and "whose lease expired".
        Index("ix_target_state_due", "state", "due_at"),
        Index("ix_target_state_lease", "state", "lease_until"),
        # The calendar reads each post's live channels from this index alone (no table lookups).
        Index("ix_target_post_state_channel", "post_id", "state", "channel_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("post.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(24), default=TargetState.PENDING.value)
    due_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    remote_id: Mapped[str | None] = mapped_column(String(255))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    idempotency_token: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCSeconds)
    published_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    # Placed in a queue slot by "Add to queue" (not at a time the person chose).
    from_queue: Mapped[bool] = mapped_column(Boolean, default=False)

    post: Mapped[Post] = relationship(back_populates="targets")


class MediaAsset(Base):
    """A file copied into the data folder under its content hash, with its alt text."""

    __tablename__ = "media_asset"
    __table_args__ = (UniqueConstraint("workspace_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    path: Mapped[str] = mapped_column(String(500))
    original_name: Mapped[str] = mapped_column(String(255), default="")
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    alt_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)


class PostMedia(Base):
    """The media of a post, in order."""

    __tablename__ = "post_media"

    post_id: Mapped[int] = mapped_column(
        ForeignKey("post.id", ondelete="CASCADE"), primary_key=True
    )
    media_id: Mapped[int] = mapped_column(
        ForeignKey("media_asset.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class QueueSlot(Base):
    """A weekly posting slot of a channel, in the workspace's wall-clock time."""

    __tablename__ = "queue_slot"
    __table_args__ = (
        UniqueConstraint("channel_id", "weekday", "local_time"),
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[str] = mapped_column(String(5))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class InboxItem(Base):
    """A mention, reply, quote, comment or direct message waiting for an answer."""

    __tablename__ = "inbox_item"
    __table_args__ = (
        UniqueConstraint("channel_id", "remote_id"),
        CheckConstraint("state IN ('new', 'read', 'replied', 'done')", name="state"),
        Index("ix_inbox_item_state_received", "state", "received_at"),
        # The inbox lists newest first, paged by (received_at, id): read in this index's order.
        Index("ix_inbox_item_received_id", "received_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    remote_id: Mapped[str] = mapped_column(String(255))
    remote_url: Mapped[str] = mapped_column(String(1000), default="")
    conversation_id: Mapped[str | None] = mapped_column(String(255))
    in_reply_to_remote_id: Mapped[str | None] = mapped_column(String(255))
    author_handle: Mapped[str] = mapped_column(String(255), default="")
    author_name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCSeconds)
    state: Mapped[str] = mapped_column(String(8), default="new")
    target_id: Mapped[int | None] = mapped_column(
        ForeignKey("target.id", ondelete="SET NULL"), index=True
    )


class InboxReply(Base):
    """The outbox of one reply to an inbox item: stored before it is sent, reused on a retry.

    ``token`` is the idempotency key (Mastodon) and ``state`` the adapter's last checkpoint (for
    Bluesky the record key and frozen record), so a retry after a dropped connection cannot post
    the reply twice. ``remote_id`` is set once it went out.
    """

    __tablename__ = "inbox_reply"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("inbox_item.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    remote_id: Mapped[str | None] = mapped_column(String(255))
    remote_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)
    sent_at: Mapped[datetime | None] = mapped_column(UTCSeconds)


class MetricSnapshot(Base):
    """Engagement counts of one published target, taken at one time."""

    __tablename__ = "metric_snapshot"
    __table_args__ = (Index("ix_metric_snapshot_target_taken", "target_id", "taken_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"))
    taken_at: Mapped[datetime] = mapped_column(UTCSeconds)
    likes: Mapped[int | None] = mapped_column(Integer)
    reposts: Mapped[int | None] = mapped_column(Integer)
    replies: Mapped[int | None] = mapped_column(Integer)
    quotes: Mapped[int | None] = mapped_column(Integer)
    views: Mapped[int | None] = mapped_column(Integer)


class RoutineTask(Base):
    """A recurring task of the community manager's routine (daily, weekly, monthly)."""

    __tablename__ = "routine_task"
    __table_args__ = (
        CheckConstraint("cadence IN ('daily', 'weekly', 'monthly', 'custom')", name="cadence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    cadence: Mapped[str] = mapped_column(String(8))
    rrule: Mapped[str] = mapped_column(String(255), default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Wall-clock ``HH:MM`` in the workspace's zone when the notifier reminds; None: no reminder.
    remind_at: Mapped[str | None] = mapped_column(String(5))
    # The profession template the task came from ("daily.answer_replies"), None when typed in.
    template_key: Mapped[str | None] = mapped_column(String(40))


class RoutineCompletion(Base):
    """When a routine task was done, for the history."""

    __tablename__ = "routine_completion"
    __table_args__ = (Index("ux_routine_completion_period", "task_id", "period", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(
        ForeignKey("routine_task.id", ondelete="CASCADE"), index=True
    )
    done_at: Mapped[datetime] = mapped_column(UTCSeconds)
    note: Mapped[str] = mapped_column(Text, default="")
    # The period the completion counts for: "2026-11-24" (daily), "2026-W48" (weekly),
    # "2026-11" (monthly); a task is done once per period.
    period: Mapped[str | None] = mapped_column(String(10))


class Feed(Base):
    """An RSS or Atom feed whose new entries come in as ideas."""

    __tablename__ = "feed"
    __table_args__ = (UniqueConstraint("workspace_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspace.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(255), default="")
    etag: Mapped[str | None] = mapped_column(String(255))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    last_fetched_at: Mapped[datetime | None] = mapped_column(UTCSeconds)
    last_error: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Idea(Base):
    """An entry of the ideas bin, typed in or brought by a feed."""

    __tablename__ = "idea"
    __table_args__ = (
        UniqueConstraint("feed_id", "guid"),
        CheckConstraint("state IN ('new', 'used', 'discarded')", name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(1000), default="")
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feed.id", ondelete="SET NULL"))
    guid: Mapped[str | None] = mapped_column(String(500))
    state: Mapped[str] = mapped_column(String(10), default="new")
    post_id: Mapped[int | None] = mapped_column(ForeignKey("post.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)
    # The feed entry's own date, when it has one.
    published_at: Mapped[datetime | None] = mapped_column(UTCSeconds)


class HashtagGroup(Base):
    """A saved set of hashtags inserted from the composer ("#bakery #sourdough")."""

    __tablename__ = "hashtag_group"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    hashtags: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class Snippet(Base):
    """A text template inserted from the composer (a sign-off, a call to action, a format)."""

    __tablename__ = "snippet"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)


class PostSeries(Base):
    """A recurring post (an RRULE from a wall-clock start) or an evergreen post (re-queued).

    Occurrences are real posts (``Post.series_id``), made ahead up to ``horizon_until`` so that
    the calendar shows them and the engine publishes them like any other post.
    """

    __tablename__ = "post_series"
    __table_args__ = (CheckConstraint("kind IN ('recurring', 'evergreen')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    # RFC 5545 RRULE (without DTSTART), read from ``starts_local`` in the workspace's zone.
    rrule: Mapped[str] = mapped_column(String(500), default="")
    starts_local: Mapped[str] = mapped_column(String(19), default="")
    horizon_until: Mapped[datetime | None] = mapped_column(UTCSeconds)
    # Occurrence keys removed one by one: never made again.
    exdates: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Evergreen: re-queued this many days after the last one went out, rotating the variations.
    every_days: Mapped[int | None] = mapped_column(Integer)
    variations: Mapped[list[str]] = mapped_column(JSON, default=list)
    next_variation: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)


class AppSetting(Base):
    """A user setting's stored value; the declaration (type, default) lives in settings.py."""

    __tablename__ = "app_setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)


class SavedSearch(Base):
    """A listening search kept by the user: a hashtag or a text query read through one channel.

    ``cursor`` is where the last sync stopped (the network's own position); ``note`` says why the
    search gives nothing (search not available on this server, the query refused), or "".
    """

    __tablename__ = "saved_search"
    __table_args__ = (
        UniqueConstraint("channel_id", "kind", "text"),
        CheckConstraint("kind IN ('hashtag', 'query')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(String(255))
    cursor: Mapped[str | None] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)
    synced_at: Mapped[datetime | None] = mapped_column(UTCSeconds)


class ListenedPost(Base):
    """A post a saved search found, kept once per search; never an unread inbox item."""

    __tablename__ = "listened_post"
    __table_args__ = (
        UniqueConstraint("search_id", "remote_id"),
        Index("ix_listened_post_search_created", "search_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(ForeignKey("saved_search.id", ondelete="CASCADE"))
    remote_id: Mapped[str] = mapped_column(String(255))
    remote_url: Mapped[str] = mapped_column(String(1000), default="")
    author_handle: Mapped[str] = mapped_column(String(255), default="")
    author_name: Mapped[str] = mapped_column(String(255), default="")
    text: Mapped[str] = mapped_column(Text, default="")
    html: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCSeconds)
    fetched_at: Mapped[datetime] = mapped_column(UTCSeconds)
