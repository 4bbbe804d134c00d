"""The contract between the publishing engine and a network adapter.

An adapter knows one network's API and nothing else: it gets a request, a handle on the channel's
credentials and an HTTP session, and returns a result or raises one of the typed errors below. It
does no database or keyring access of its own.

**Outbox through checkpoints.** Exactly-once publishing needs what is about to be sent to be
stored *before* it is sent: the idempotency key, the client-chosen record key, the frozen record,
the remote ids of the thread parts already out. An adapter calls ``checkpoint(state)`` before each
call that creates something remotely; the engine writes ``state`` to the target's outbox record
and commits before ``checkpoint`` returns. A retry (after a crash, a timeout, a 5xx) gets that state
back in ``PublishRequest.state`` and must resume from it, reusing every key and skipping every part
already published, never minting new ones.

Two keys of the state have a meaning for the engine as well:

* ``published_parts``: a non-empty list means part of the post exists remotely; a target that
  then fails keeps its payload and key, so a later attempt resumes instead of starting over.
* ``confirmed_not_sent``: set by the engine, once, when the person said an uncertain post did
  not go out: the adapter may send it again without looking for it first (and should clear it
  in its next checkpoint).

**Prepared outbox.** An adapter may also be a ``Preparer``: given a first attempt, it returns the
state its first checkpoint would store, and the engine stores it while the post waits for its
time (claimed a few seconds early), then hands it back with ``PublishRequest.prepared`` set. The
adapter then sends its first request without another checkpoint. Only where resending cannot post
twice (an idempotency key the server honours): the state may say "possibly sent" a little before
anything was sent, and the lease was checked when it was stored, not at the send.

**Hand-off.** Where a network schedules natively, ``PublishRequest.scheduled_at`` asks the adapter
to hand the post to the server's scheduler; the result says ``handed_off``. The engine then
asks a ``HandoffTracker`` (``check_handoff``) after the time whether it went out.

**Errors** say what the engine should do: retry later (``TransientError``, ``RateLimited``), wait
for the network (``NetworkUnavailable``), give up with a message for the person
(``PermanentError``), ask the person to sign in again (``AuthExpired``), or ask the person whether
it went out (``AmbiguousError``: only where the network cannot deduplicate and a look at the
account could not settle it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import requests

# --- what a network can do ------------------------------------------------------------------


class Dedupe(StrEnum):
    """How a retry can be kept from posting twice."""

    #: The server deduplicates a repeated request by a client key (Mastodon's Idempotency-Key).
    IDEMPOTENCY_KEY = "idempotency_key"
    #: The client names the record; writing it again is a no-op (Bluesky's putRecord with an rkey).
    RECORD_KEY = "record_key"
    #: Nothing: after an ambiguous failure the account must be checked, or the person asked.
    NONE = "none"


@dataclass(frozen=True, slots=True)
class MediaRules:
    """What media a network takes on one channel."""

    max_count: int = 4
    max_image_bytes: int = 8 * 1024 * 1024
    max_video_bytes: int = 40 * 1024 * 1024
    image_types: frozenset[str] = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
    video_types: frozenset[str] = frozenset({"video/mp4"})
    max_alt_chars: int = 1500
    max_image_pixels: int | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """A channel's limits and features, as read from the server where the API offers them."""

    network: str
    max_chars: int
    length_rule: (
        str  # a name for people: "graphemes, URLs count 23", "300 graphemes and 3000 bytes"
    )
    media: MediaRules = field(default_factory=MediaRules)
    threads: bool = True
    native_scheduling: bool = False
    min_schedule_lead: timedelta | None = None
    dedupe: Dedupe = Dedupe.NONE
    content_warning: bool = False
    visibility: tuple[str, ...] = ()
    languages: bool = False


@dataclass(frozen=True, slots=True)
class Problem:
    """Something that keeps a post from going out as it is, said so a person can fix it."""

    code: str  # stable, for tests and UI icons: "too_long", "too_many_media", "missing_alt" ...
    message: str
    part: int | None = None  # thread part (0-based), when it concerns one
    blocking: bool = True  # False: a warning (e.g. missing alt text) that does not stop publishing


# --- what the engine hands over --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelRef:
    """The channel as an adapter sees it: no secrets, no database."""

    id: int
    network: str
    name: str
    handle: str
    base_url: str
    limits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MediaItem:
    """A file to attach, with its alt text."""

    path: str
    mime_type: str
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    size_bytes: int | None = None


@dataclass(frozen=True, slots=True)
class PostPart:
    """One post of a thread (a single post is a thread of one)."""

    text: str
    media: tuple[MediaItem, ...] = ()


@dataclass(frozen=True, slots=True)
class PublishRequest:
    """What to publish on one channel, and what earlier attempts already stored."""

    target_id: int
    channel: ChannelRef
    parts: tuple[PostPart, ...]
    idempotency_token: str  # made once per target, reused by every retry
    options: Mapping[str, Any] = field(default_factory=dict)  # visibility, spoiler_text, language
    state: Mapping[str, Any] = field(default_factory=dict)  # the last checkpoint, if any
    attempt: int = 1
    scheduled_at: datetime | None = None  # set for a hand-off to the server's own scheduler
    in_reply_to: str | None = None  # remote id to answer (inbox replies)
    #: ``state`` is what ``Preparer.prepare`` returned, stored just now: no checkpoint is needed
    #: before the first request (see the module docstring).
    prepared: bool = False


@dataclass(frozen=True, slots=True)
class RemotePost:
    """One post as the network knows it."""

    remote_id: str
    url: str | None


@dataclass(frozen=True, slots=True)
class PublishResult:
    """What went out: the first post's id and link, and every part's."""

    remote_id: str
    url: str | None
    parts: tuple[RemotePost, ...] = ()
    published_at: datetime | None = None
    #: True when the post was handed to the server's scheduler and is not public yet.
    handed_off: bool = False


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """Who a channel's credentials belong to, and the limits read from the server."""

    handle: str
    display_name: str
    url: str | None
    limits: Mapping[str, Any] = field(default_factory=dict)


class CredentialHandle(Protocol):
    """A channel's secret as structured data, read and (for rotating tokens) written back.

    Writing stores the new value in the credential store at once: a refresh token that rotated
    must never be lost, since the old one is revoked by the server.
    """

    def read(self) -> dict[str, Any]: ...

    def write(self, value: dict[str, Any]) -> None: ...


Checkpoint = Callable[[Mapping[str, Any]], None]


# --- the inbox -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InboxNotice:
    """One mention, reply, quote or direct message as the network sent it (not yet sanitised).

    ``html`` is the network's HTML (Mastodon) or ""; ``text`` its plain text (Bluesky) or "".
    ``in_reply_to`` is the remote id this answers or quotes; ``root_id`` the thread's first post.
    """

    remote_id: str
    kind: str  # "mention" | "reply" | "quote" | "dm"
    url: str
    author_handle: str
    author_name: str
    created_at: datetime
    text: str = ""
    html: str = ""
    conversation_id: str | None = None
    in_reply_to: str | None = None
    root_id: str | None = None


@dataclass(frozen=True, slots=True)
class NoticeBatch:
    """One call's worth of notifications, and the cursor to store once they are kept.

    ``more``: call again with ``cursor`` at once (a backlog is paged one request a call, so a
    failure part-way loses nothing that was already stored). ``skipped``: why items were left out
    (malformed, unknown types), for one line in the log. ``seen_mark``: where the network's own
    "seen" position would go for the newest notification of this batch that became an item
    (:class:`cmdesk.adapters.seen.SeenMarker`), None when there is none or the network is ahead.
    """

    items: tuple[InboxNotice, ...]
    cursor: str | None
    more: bool = False
    skipped: tuple[str, ...] = ()
    seen_mark: str | None = None


@dataclass(frozen=True, slots=True)
class ThreadPost:
    """One post of the thread around an inbox item, as the network sent it."""

    remote_id: str
    author_handle: str
    author_name: str
    created_at: datetime | None
    url: str = ""
    text: str = ""
    html: str = ""


# --- errors -----------------------------------------------------------------------------------


class AdapterError(Exception):
    """Base of what an adapter raises. ``message`` is written for the person."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail  # technical detail for the log (never a secret)


class TransientError(AdapterError):
    """Try again later: 5xx, a dropped connection before the request went out, a busy server."""

    def __init__(self, message: str, *, retry_after: float | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.retry_after = retry_after


class RateLimited(TransientError):
    """The network said to slow down; ``retry_at`` is when it allows the next call."""

    def __init__(self, message: str, *, retry_at: datetime, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        self.retry_at = retry_at


class NetworkUnavailable(TransientError):
    """No network at all (DNS failure, no route): wait for connectivity, it is not an error."""


class PermanentError(AdapterError):
    """Retrying will not help: the post or the account must change first."""


class AuthExpired(PermanentError):
    """The credentials were refused: the channel needs signing in again."""


class AmbiguousError(AdapterError):
    """The request may or may not have gone out, and the network cannot tell us safely."""


# --- the protocol -----------------------------------------------------------------------------


@runtime_checkable
class HandoffTracker(Protocol):
    """An adapter that can tell whether a post handed to the server's scheduler went out."""

    def check_handoff(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        scheduled_id: str,
        *,
        text: str | None = None,
        scheduled_at: datetime | None = None,
        spoiler_text: str = "",
        in_reply_to: str | None = None,
    ) -> PublishResult | None:
        """The published post, None while it is still waiting, or an error if it is gone."""
        ...


@runtime_checkable
class Preparer(Protocol):
    """An adapter whose first checkpoint can be stored before the post's time."""

    def prepare(self, request: PublishRequest) -> Mapping[str, Any] | None:
        """The state to store now, before publishing ``request`` in a few seconds.

        None if this request needs its checkpoints at send time (see the module docstring).
        """
        ...


@runtime_checkable
class InboxReader(Protocol):
    """An adapter that can read what people wrote to the account, and the threads around it.

    Replying goes through ``Adapter.publish`` with ``PublishRequest.in_reply_to``: the same outbox
    checkpoints and keys make a reply go out once.
    """

    def fetch_notifications(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        cursor: str | None,
    ) -> NoticeBatch:
        """What arrived after ``cursor`` (None: the first poll, which reads only recent items)."""
        ...

    def fetch_context(
        self,
        channel: ChannelRef,
        credentials: CredentialHandle,
        http: requests.Session,
        remote_id: str,
    ) -> tuple[ThreadPost, ...]:
        """The thread around ``remote_id`` (ancestors, the post itself, replies), oldest first."""
        ...


@runtime_checkable
class Adapter(Protocol):
    """One network."""

    network: str
    display_name: str

    def capabilities(self, channel: ChannelRef) -> Capabilities:
        """Limits and features for this channel (from limits read earlier and stored)."""
        ...

    def validate(
        self, channel: ChannelRef, parts: tuple[PostPart, ...], options: Mapping[str, Any]
    ) -> list[Problem]:
        """What keeps these parts from going out on this channel; an empty list if nothing."""
        ...

    def measure(self, channel: ChannelRef, text: str, options: Mapping[str, Any]) -> int:
        """The length of ``text`` by this network's own rule (never ``len()``)."""
        ...

    def verify(
        self, channel: ChannelRef, credentials: CredentialHandle, http: requests.Session
    ) -> AccountInfo:
        """Check the credentials and read the account and its limits."""
        ...

    def publish(
        self,
        request: PublishRequest,
        credentials: CredentialHandle,
        http: requests.Session,
        checkpoint: Checkpoint,
    ) -> PublishResult:
        """Publish (or resume publishing) the request; see the module docstring for the outbox."""
        ...
