"""Alert words found in what arrived: claimed in the database, so one process tells, once.

Like the inbox's claim (``cmdesk/services/notification_claims.py``), one ``app_setting`` row,
``alert_words_scanned_through``, holds ``{"inbox": last inbox item id scanned, "listening": last
listened post id scanned}``. ``claim`` locks it (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
PostgreSQL), reads the texts above both marks, moves the marks past them and returns the items
that hold an alert word, all in one transaction: the window and the daemon may both look, only
the first finds them. Inserts and claims take turns (``cmdesk/arrival_order.py``), so no text
commits below the marks after they moved. Everything above the marks is scanned whatever the
alert words are, so words added later do not fire on old posts; the very first claim only sets
the marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cmdesk.arrival_order import hold_arrivals
from cmdesk.listening.alert_words import AlertMatcher
from cmdesk.models import AppSetting, Channel, InboxItem, ListenedPost, SavedSearch
from cmdesk.services.base import Service
from cmdesk.services.notification_claims import _insert_ignore, author_label, snippet

MARK_KEY = "alert_words_scanned_through"
#: At most this many new texts are read for one claim (a first sync of a busy tag); the marks
#: still move past all of them.
SCAN_LIMIT = 5000


@dataclass(frozen=True, slots=True)
class AlertMatch:
    """One new text holding an alert word. ``source``: "inbox" or "listening"."""

    word: str
    source: str
    item_id: int
    workspace_id: int
    channel_id: int
    channel_name: str
    author_handle: str
    author_name: str
    text: str


@dataclass(frozen=True, slots=True)
class AlertClaim:
    """What one claim scanned (the marks before and after) and the matches it found."""

    previous: tuple[int, int]
    through: tuple[int, int]
    matches: tuple[AlertMatch, ...] = ()

    @property
    def inbox_item_ids(self) -> tuple[int, ...]:
        return tuple(m.item_id for m in self.matches if m.source == "inbox")


def _marks(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, dict):
        return None
    try:
        return max(0, int(value.get("inbox", 0))), max(0, int(value.get("listening", 0)))
    except (TypeError, ValueError):
        return None


class AlertWordClaims(Service):
    """The claim on announcing alert words, shared by every process on one database."""

    def claim(self, words: Sequence[str]) -> AlertClaim:
        """Scan what arrived since the last claim for ``words``; one transaction."""
        matcher = AlertMatcher(words)
        with self._write() as s:
            hold_arrivals(s)  # no insert in progress may commit an id below ``newest``
            newest = (
                int(s.scalar(select(func.max(InboxItem.id))) or 0),
                int(s.scalar(select(func.max(ListenedPost.id))) or 0),
            )
            _insert_ignore_marks(s, newest)
            row = s.scalars(
                select(AppSetting).where(AppSetting.key == MARK_KEY).with_for_update()
            ).one()
            previous = _marks(row.value) or newest  # a damaged mark: start from now
            if previous[0] >= newest[0] and previous[1] >= newest[1]:
                return AlertClaim(previous, previous)
            row.value = {
                "inbox": max(newest[0], previous[0]),
                "listening": max(newest[1], previous[1]),
            }
            matches = self._scan(s, matcher, previous, newest) if matcher else ()
        return AlertClaim(previous, newest, matches)

    def release(self, claim: AlertClaim) -> bool:
        """Give a claim back (its notification could not be shown); False if it is too late."""
        if not claim.matches:
            return False
        with self._write() as s:
            row = s.scalars(
                select(AppSetting).where(AppSetting.key == MARK_KEY).with_for_update()
            ).one_or_none()
            if row is None or _marks(row.value) != claim.through:
                return False
            row.value = {"inbox": claim.previous[0], "listening": claim.previous[1]}
        return True

    def _scan(
        self, s: Session, matcher: AlertMatcher, previous: tuple[int, int], upto: tuple[int, int]
    ) -> tuple[AlertMatch, ...]:
        found: list[AlertMatch] = []
        inbox = (
            select(
                InboxItem.id,
                Channel.workspace_id,
                Channel.id,
                Channel.name,
                InboxItem.author_handle,
                InboxItem.author_name,
                InboxItem.text,
            )
            .join(Channel, Channel.id == InboxItem.channel_id)
            .where(InboxItem.id > previous[0], InboxItem.id <= upto[0])
            .where(Channel.removed_at.is_(None))
            .order_by(InboxItem.id.desc())
            .limit(SCAN_LIMIT)
        )
        listened = (
            select(
                ListenedPost.id,
                SavedSearch.workspace_id,
                Channel.id,
                Channel.name,
                ListenedPost.author_handle,
                ListenedPost.author_name,
                ListenedPost.text,
            )
            .join(SavedSearch, SavedSearch.id == ListenedPost.search_id)
            .join(Channel, Channel.id == SavedSearch.channel_id)
            .where(ListenedPost.id > previous[1], ListenedPost.id <= upto[1])
            .where(Channel.removed_at.is_(None))
            .order_by(ListenedPost.id.desc())
            .limit(SCAN_LIMIT)
        )
        for source, query in (("inbox", inbox), ("listening", listened)):
            for iid, wid, cid, cname, handle, name, text in reversed(s.execute(query).all()):
                word = matcher.find(text or "")
                if word is not None:
                    found.append(
                        AlertMatch(
                            word, source, iid, wid, cid, cname, handle or "", name or "", text or ""
                        )
                    )
        return tuple(found)


def _insert_ignore_marks(s: Session, newest: tuple[int, int]) -> None:
    _insert_ignore(s, MARK_KEY, {"inbox": newest[0], "listening": newest[1]})


def describe_alert(claim: AlertClaim) -> tuple[str, str]:
    """The title and message of the one urgent notification for a claim with matches."""
    first = claim.matches[0]
    who = author_label(first)
    words = list(dict.fromkeys(m.word for m in claim.matches))
    if len(claim.matches) == 1:
        title = f"Alert word “{first.word}” from {who} on {first.channel_name}"
        return title, snippet(first.text) or "(no text)"
    shown = ", ".join(f"“{w}”" for w in words[:3]) + (
        f" and {len(words) - 3} more" if len(words) > 3 else ""
    )
    title = f"Alert words in {len(claim.matches)} new posts: {shown}"
    return title, f"“{first.word}” from {who} on {first.channel_name}: {snippet(first.text, 100)}"
