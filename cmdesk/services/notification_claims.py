"""Who announces a new inbox item: the window or the daemon, never both, never twice.

Both processes share the database, so the decision is a claim stored there: one
``app_setting`` row, ``inbox_notified_through``, holds the highest inbox item id already
announced. ``claim_inbox`` reads it with the row locked (``BEGIN IMMEDIATE`` on SQLite,
``SELECT ... FOR UPDATE`` on PostgreSQL), takes every item above it and moves it past them in
the same transaction: whoever commits first has claimed those items and tells the person; the
other finds nothing above the mark. On PostgreSQL, where ids are taken at insert but may commit
out of order, the claim first waits for any insert in progress (``cmdesk/arrival_order.py``), so
no item commits below the mark after it moved. The id, not the network's ``received_at``, orders
arrivals, because a channel polled late brings items older than ones already announced, and
those are news too.

The first claim on a database only sets the mark at the newest item: what arrived before
anyone listened is not news (the inbox's counts still show it).

A process claims only what it is about to show. ``release`` hands a claim back when showing
failed, if nobody has claimed past it meanwhile.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from cmdesk.arrival_order import hold_arrivals
from cmdesk.models import AppSetting, Channel, InboxItem, Workspace
from cmdesk.services.base import Service

MARK_KEY = "inbox_notified_through"
#: Details of at most this many items are read for one claim; the count covers them all.
DETAIL_LIMIT = 500
#: How much of an item's text a notification may quote.
SNIPPET_CHARS = 160


@dataclass(frozen=True, slots=True)
class InboxArrival:
    """One new inbox item, with what a notification says about it."""

    item_id: int
    workspace_id: int
    workspace_name: str
    channel_id: int
    channel_name: str
    network: str
    kind: str
    author_handle: str
    author_name: str
    text: str


@dataclass(frozen=True, slots=True)
class InboxClaim:
    """The new items one claim took; empty when there was nothing to announce."""

    previous: int
    through: int
    arrivals: tuple[InboxArrival, ...] = ()
    #: All unread items claimed (``arrivals`` may hold only the first ``DETAIL_LIMIT``).
    count: int = 0
    kinds: dict[str, int] = field(default_factory=dict)

    @property
    def item_ids(self) -> tuple[int, ...]:
        return tuple(a.item_id for a in self.arrivals)

    @property
    def channel_names(self) -> tuple[str, ...]:
        """The channels the detailed items came on, in the order they first appear."""
        return tuple(dict.fromkeys(a.channel_name for a in self.arrivals))


def _insert_ignore(s: Session, key: str, value: Any) -> None:
    """Create the setting row unless another process just did (no error, no overwrite)."""
    dialect = s.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    s.execute(
        insert(AppSetting)
        .values(key=key, value=value)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def _mark(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0  # a damaged mark: announcing again beats announcing never


class NotificationClaims(Service):
    """The claim on announcing new inbox items, shared by every process on one database."""

    def start_listening(self) -> None:
        """Set the mark at the newest item if no process has set it yet (the first start)."""
        self.claim_inbox(through=0)

    def pending(self) -> tuple[int, int] | None:
        """The mark and the newest item id above it; None when nothing waits to be announced."""
        with self._read() as s:
            row = s.get(AppSetting, MARK_KEY)
            if row is None:
                return None
            mark = _mark(row.value)
            newest = s.scalar(select(func.max(InboxItem.id)).where(InboxItem.id > mark))
        return None if newest is None else (mark, int(newest))

    def claim_inbox(self, *, through: int | None = None) -> InboxClaim:
        """Claim the items above the mark (up to ``through`` if given); one transaction.

        Returns the unread ones among them, oldest first; items already read elsewhere, or on a
        removed channel, are passed over silently.
        """
        with self._write() as s:
            hold_arrivals(s)  # no insert in progress may commit an id below ``newest``
            newest = int(s.scalar(select(func.max(InboxItem.id))) or 0)
            _insert_ignore(s, MARK_KEY, newest)
            row = s.scalars(
                select(AppSetting).where(AppSetting.key == MARK_KEY).with_for_update()
            ).one()
            previous = _mark(row.value)
            upto = newest if through is None else min(through, newest)
            if upto <= previous:
                return InboxClaim(previous, previous)
            row.value = upto
            count, kinds = self._counts(s, previous, upto)
            arrivals = self._details(s, previous, upto) if count else ()
        return InboxClaim(previous, upto, arrivals, count, kinds)

    def release(self, claim: InboxClaim) -> bool:
        """Give a claim back (its notification could not be shown); False if it is too late."""
        if claim.through <= claim.previous:
            return False
        with self._write() as s:
            row = s.scalars(
                select(AppSetting).where(AppSetting.key == MARK_KEY).with_for_update()
            ).one_or_none()
            if row is None or _mark(row.value) != claim.through:
                return False
            row.value = claim.previous
        return True

    # --- queries -----------------------------------------------------------------------------

    @staticmethod
    def _unread_between(query: Select[Any], previous: int, upto: int) -> Select[Any]:
        return (
            query.join(Channel, Channel.id == InboxItem.channel_id)
            .where(InboxItem.id > previous, InboxItem.id <= upto)
            .where(InboxItem.state == "new", Channel.removed_at.is_(None))
        )

    def _counts(self, s: Session, previous: int, upto: int) -> tuple[int, dict[str, int]]:
        query = self._unread_between(
            select(InboxItem.kind, func.count(InboxItem.id)), previous, upto
        ).group_by(InboxItem.kind)
        kinds = Counter({str(kind): int(n) for kind, n in s.execute(query).all()})
        return sum(kinds.values()), dict(kinds)

    def _details(self, s: Session, previous: int, upto: int) -> tuple[InboxArrival, ...]:
        query = self._unread_between(
            select(
                InboxItem.id,
                Channel.workspace_id,
                Workspace.name,
                Channel.id,
                Channel.name,
                Channel.network,
                InboxItem.kind,
                InboxItem.author_handle,
                InboxItem.author_name,
                func.substr(InboxItem.text, 1, SNIPPET_CHARS + 1),
            ),
            previous,
            upto,
        )
        query = (
            query.join(Workspace, Workspace.id == Channel.workspace_id)
            .order_by(InboxItem.id)
            .limit(DETAIL_LIMIT)
        )
        return tuple(
            InboxArrival(
                item_id=iid,
                workspace_id=wid,
                workspace_name=ws,
                channel_id=cid,
                channel_name=name,
                network=network,
                kind=kind,
                author_handle=handle or "",
                author_name=author or "",
                text=text or "",
            )
            for iid, wid, ws, cid, name, network, kind, handle, author, text in s.execute(query)
        )


# --- what a notification says ------------------------------------------------------------------

_NOUNS = {
    "reply": ("Reply", "reply", "replies"),
    "mention": ("Mention", "mention", "mentions"),
    "quote": ("Quote", "quote", "quotes"),
    "dm": ("Direct message", "direct message", "direct messages"),
}
_OTHER = ("Message", "inbox item", "inbox items")


def _noun(kind: str, n: int) -> str:
    _, one, many = _NOUNS.get(kind, _OTHER)
    return one if n == 1 else many


class Authored(Protocol):
    """Anything with an author: an inbox arrival, an alert-word match."""

    @property
    def author_handle(self) -> str: ...
    @property
    def author_name(self) -> str: ...


def author_label(arrival: Authored) -> str:
    """``@ana@mastodon.social``, else the display name, else "someone"."""
    handle = " ".join(arrival.author_handle.split())[:80]
    if handle:
        return handle if handle.startswith("@") else f"@{handle}"
    name = " ".join(arrival.author_name.split())[:80]
    return name or "someone"


def snippet(text: str, limit: int = 140) -> str:
    """One line of ``text``: control characters and runs of space folded, shortened."""
    cleaned = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def describe_claim(claim: InboxClaim) -> tuple[str, str]:
    """The title and message of the one notification for a claim (which must not be empty)."""
    if claim.count == 1 and claim.arrivals:
        first = claim.arrivals[0]
        title = f"{_NOUNS.get(first.kind, _OTHER)[0]} from {author_label(first)} on {first.channel_name}"
        return title, snippet(first.text) or "(no text)"
    channels = claim.channel_names
    where = channels[0] if len(channels) == 1 else f"{len(channels)} channels"
    if len(claim.kinds) == 1:
        title = f"{claim.count} new {_noun(next(iter(claim.kinds)), claim.count)} on {where}"
    else:
        title = f"{claim.count} new inbox items on {where}"
    parts = [f"{n} {_noun(k, n)}" for k, n in sorted(claim.kinds.items(), key=lambda kv: -kv[1])]
    shown = ", ".join(channels[:3]) + (
        f" and {len(channels) - 3} more" if len(channels) > 3 else ""
    )
    return title, f"{', '.join(parts)} — {shown}."
