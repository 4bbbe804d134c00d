"""The ideas service (``ctx.ideas``): the ideas bin and the feeds that fill it.

The ideas bin holds things worth posting about, typed in or brought by a feed: a title, some
text, a link, where it came from and whether it is new, used or discarded. It is apart from
posts in the "Idea" status, which are posts already being planned. :meth:`IdeaService.to_draft`
turns an idea into a draft post (through the plan's own rules, in one transaction with the
idea's new state).

Feeds are read by :meth:`IdeaService.refresh_feed` (never in a transaction while the network is
waited on, never raising for a network problem: the problem is stored as the feed's
``last_error``). :meth:`IdeaService.refresh_all` is the periodic tick: it reads the feeds that are
due, each with its own backoff after failures (:class:`cmdesk.poll_backoff.Backoff`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

import requests
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cmdesk import repositories as repo
from cmdesk.adapters.base import RateLimited
from cmdesk.adapters.http import make_session
from cmdesk.clock import Clock
from cmdesk.db import Database
from cmdesk.dto import PostInput
from cmdesk.errors import NotFoundError, UserError, ValidationError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.models import Feed, Idea, Post
from cmdesk.planning import feeds as feedlib
from cmdesk.planning import idea_store as store
from cmdesk.planning.ideas_dto import FeedDTO, FeedRefresh, IdeaDTO, IdeaFilter, IdeaPage, IdeaState
from cmdesk.poll_backoff import Backoff
from cmdesk.services.base import Service
from cmdesk.services.plan_rules import MAX_TITLE, PlanRules
from cmdesk.status import PostStatus
from cmdesk.text.html import clean_name

log = logging.getLogger(__name__)

#: At most this many new ideas per feed and refresh (a feed of 10,000 entries trickles in).
MAX_NEW_PER_REFRESH = 50
DEFAULT_INTERVAL = timedelta(minutes=60)
BACKOFF_CAP = timedelta(hours=24)


class IdeaService(Service):
    """Ideas of a workspace and its feeds."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        http_factory: Callable[[], requests.Session] = make_session,
    ) -> None:
        super().__init__(db, clock, hub)
        self.rules = PlanRules(clock)
        self.backoff = Backoff(BACKOFF_CAP, log)
        self._http_factory = http_factory
        self._local = threading.local()
        self._feed_locks: dict[int, threading.Lock] = {}
        self._locks_lock = threading.Lock()

    # --- ideas -----------------------------------------------------------------------------------

    def add(self, workspace_id: int, title: str, text: str = "", link: str = "") -> int:
        """Put a typed-in idea in the bin; returns its id."""
        title, text, link = store.checked_fields(title, text, link)
        with self._write() as s:
            repo.get_workspace(s, workspace_id)
            row = Idea(
                workspace_id=workspace_id,
                title=title,
                text=text,
                link=link,
                state=IdeaState.NEW.value,
                created_at=self.clock.now(),
            )
            s.add(row)
            s.flush()
            new_id = row.id
        self._emit(ChangeSet.of(created=[("idea", new_id)], subject=new_id, description="idea"))
        return new_id

    def edit(self, idea_id: int, title: str, text: str = "", link: str = "") -> ChangeSet:
        title, text, link = store.checked_fields(title, text, link)
        with self._write() as s:
            row = store.get_idea(s, idea_id)
            row.title, row.text, row.link = title, text, link
        return self._emit(ChangeSet.of(updated=[("idea", idea_id)], description="Edit idea"))

    def discard(self, idea_ids: Sequence[int]) -> ChangeSet:
        """Set ideas aside (they stay listed under "Discarded" and can be restored)."""
        return self._set_state(idea_ids, IdeaState.DISCARDED, "Discard idea")

    def restore(self, idea_ids: Sequence[int]) -> ChangeSet:
        """Put discarded or used ideas back among the new ones."""
        return self._set_state(idea_ids, IdeaState.NEW, "Restore idea")

    def _set_state(self, idea_ids: Sequence[int], state: IdeaState, what: str) -> ChangeSet:
        ids = list(dict.fromkeys(idea_ids))
        if not ids:
            return ChangeSet()
        with self._write() as s:
            rows = [store.get_idea(s, i) for i in ids]
            for row in rows:
                row.state = state.value
        return self._emit(ChangeSet.of(updated=[("idea", i) for i in ids], description=what))

    def get_idea(self, idea_id: int) -> IdeaDTO:
        with self._read() as s:
            return store.one_idea(s, idea_id)

    def list_ideas(
        self,
        workspace_id: int,
        flt: IdeaFilter | None = None,
        *,
        offset: int = 0,
        limit: int = 200,
    ) -> IdeaPage:
        """Ideas matching ``flt`` (default: the new ones), newest first, one page."""
        with self._read() as s:
            return store.ideas(s, workspace_id, flt or IdeaFilter(), offset, limit)

    def to_draft(
        self, idea_id: int, at: datetime | None = None, channel_ids: Sequence[int] = ()
    ) -> int:
        """Make a draft post of an idea (at ``at`` when given) and mark it used; the post's id.

        One transaction: the post is created by the plan's rules (a time already passed, a
        channel of another workspace are refused) and the idea is marked used with it, or
        neither happens.
        """
        with self._write() as s:
            idea = store.get_idea(s, idea_id)
            self._check_unused(s, idea)
            feed = s.get(Feed, idea.feed_id) if idea.feed_id is not None else None
            data = PostInput(
                title=clean_name(idea.title, MAX_TITLE),
                text="\n\n".join(p for p in (idea.text.strip(), idea.link) if p),
                channel_ids=tuple(channel_ids),
                notes=f"From feed {feed.title or feed.url}" if feed else "From the ideas bin",
            )
            post = self.rules.new_post(s, idea.workspace_id, data, PostStatus.DRAFT, at)
            idea.state = IdeaState.USED.value
            idea.post_id = post.id
            post_id = post.id
        self._emit(
            ChangeSet.of(
                created=[("post", post_id)],
                updated=[("idea", idea_id)],
                subject=post_id,
                description="Draft from idea",
            )
        )
        return post_id

    def undo_draft(self, idea_id: int, post_id: int) -> ChangeSet:
        """Take back :meth:`to_draft`: the draft goes to the trash, the idea is new again."""
        with self._write() as s:
            idea = store.get_idea(s, idea_id)
            post = repo.get_post(s, post_id)
            self.rules.trash(post)
            idea.state = IdeaState.NEW.value
            idea.post_id = None
        return self._emit(
            ChangeSet.of(
                deleted=[("post", post_id)], updated=[("idea", idea_id)], description="undo draft"
            )
        )

    def mark_used(self, idea_id: int, post_id: int) -> ChangeSet:
        """Mark an idea used by ``post_id`` again (redo of a draft, after its post is restored)."""
        with self._write() as s:
            idea = store.get_idea(s, idea_id)
            repo.get_post(s, post_id)
            idea.state = IdeaState.USED.value
            idea.post_id = post_id
        return self._emit(ChangeSet.of(updated=[("idea", idea_id)], description="Idea used"))

    @staticmethod
    def _check_unused(s: Session, idea: Idea) -> None:
        if idea.state != IdeaState.USED.value or idea.post_id is None:
            return
        post = s.get(Post, idea.post_id)
        if post is not None and post.trashed_at is None:
            raise ValidationError(
                f"This idea is already the post “{post.title or post.id}”. Open that post, or "
                "restore the idea to make another draft of it."
            )

    # --- feeds -----------------------------------------------------------------------------------

    def subscribe(self, workspace_id: int, url: str, title: str = "") -> int:
        """Store a feed; the caller then asks for :meth:`refresh_feed` off the GUI thread."""
        url = feedlib.check_url(url)
        with self._write() as s:
            repo.get_workspace(s, workspace_id)
            same = s.scalar(
                select(Feed.id).where(Feed.workspace_id == workspace_id, Feed.url == url)
            )
            if same is not None:
                raise ValidationError("This workspace already follows that feed.", field="url")
            row = Feed(
                workspace_id=workspace_id,
                url=url,
                title=feedlib.one_line(title, feedlib.FEED_TITLE_CHARS),
                last_error="",
                is_active=True,
            )
            s.add(row)
            s.flush()
            new_id = row.id
        self._emit(ChangeSet.of(created=[("feed", new_id)], subject=new_id, description="feed"))
        return new_id

    def rename(self, feed_id: int, title: str) -> ChangeSet:
        with self._write() as s:
            store.get_feed(s, feed_id).title = feedlib.one_line(title, feedlib.FEED_TITLE_CHARS)
        return self._emit(ChangeSet.of(updated=[("feed", feed_id)], description="Rename feed"))

    def set_active(self, feed_id: int, active: bool) -> ChangeSet:
        """Pause a feed (it is not read until resumed) or resume it (read at the next tick)."""
        with self._write() as s:
            row = store.get_feed(s, feed_id)
            row.is_active = active
            if active:
                row.last_fetched_at = None  # due at once
        return self._emit(
            ChangeSet.of(
                updated=[("feed", feed_id)], description="Resume feed" if active else "Pause feed"
            )
        )

    def remove(self, feed_id: int) -> ChangeSet:
        """Unsubscribe: its new and discarded ideas go; ideas already used stay in the bin."""
        with self._write() as s:
            store.get_feed(s, feed_id)
            gone = list(
                s.scalars(
                    select(Idea.id).where(
                        Idea.feed_id == feed_id, Idea.state != IdeaState.USED.value
                    )
                )
            )
            s.execute(delete(Idea).where(Idea.id.in_(gone)))
            s.execute(delete(Feed).where(Feed.id == feed_id))
        return self._emit(
            ChangeSet.of(
                deleted=[("feed", feed_id), *(("idea", i) for i in gone)],
                description="Remove feed",
            )
        )

    def list_feeds(self, workspace_id: int) -> list[FeedDTO]:
        with self._read() as s:
            return store.feeds(s, workspace_id)

    def get_feed(self, feed_id: int) -> FeedDTO:
        with self._read() as s:
            row = store.get_feed(s, feed_id)
            return store.feeds(s, row.workspace_id, [feed_id])[0]

    # --- reading feeds ---------------------------------------------------------------------------

    def refresh_feed(self, feed_id: int) -> FeedRefresh:
        """Read one feed now (paused or not); never raises for the network, stores the outcome."""
        with self._feed_lock(feed_id):
            with self._read() as s:
                row = store.get_feed(s, feed_id)
                url, etag, modified = row.url, row.etag, row.last_modified
            try:
                fetched = feedlib.fetch(
                    self._http(), url, etag=etag, last_modified=modified, now=self.clock.now()
                )
                parsed = feedlib.parse(fetched) if fetched.body is not None else None
            except feedlib.FeedError as exc:
                return self._store_failure(feed_id, exc)
            return self._store_success(feed_id, fetched, parsed)

    def refresh_all(
        self, workspace_id: int | None = None, *, interval: timedelta = DEFAULT_INTERVAL
    ) -> list[FeedRefresh]:
        """The periodic tick: read every active feed due (not read for ``interval``).

        A feed that failed waits (one interval, then twice as long each time, up to a day; a
        server's Retry-After is honoured); one feed's failure never stops the others.
        """
        now = self.clock.now()
        with self._read() as s:
            due = store.due_feed_ids(s, now - interval + timedelta(minutes=1))
            if workspace_id is not None:
                mine = set(s.scalars(select(Feed.id).where(Feed.workspace_id == workspace_id)))
                due = [f for f in due if f in mine]
        results: list[FeedRefresh] = []
        for feed_id in due:
            if not self.backoff.ready(feed_id, now):
                continue

            def run(fid: int = feed_id) -> int:
                outcome = self.refresh_feed(fid)
                results.append(outcome)
                if outcome.retry_at is not None:
                    raise RateLimited(outcome.error, retry_at=outcome.retry_at)
                if outcome.error:
                    raise UserError(outcome.error)
                return outcome.new_ideas

            self.backoff.attempt(feed_id, run, f"feed {feed_id}", now, interval)
        return results

    def _store_failure(self, feed_id: int, exc: feedlib.FeedError) -> FeedRefresh:
        with self._write() as s:
            row = s.get(Feed, feed_id)
            if row is None:
                raise NotFoundError("That feed is no longer subscribed; refresh the list.")
            row.last_fetched_at = self.clock.now()
            row.last_error = exc.message
            if exc.gone:
                row.is_active = False
        self._emit(ChangeSet.of(updated=[("feed", feed_id)], description="Feed read"))
        return FeedRefresh(
            feed_id,
            error=exc.message,
            paused=exc.gone,
            retry_at=exc.retry_at,
            suggested_url=exc.suggested_url,
        )

    def _store_success(
        self, feed_id: int, fetched: feedlib.Fetched, parsed: feedlib.ParsedFeed | None
    ) -> FeedRefresh:
        now = self.clock.now()
        more, problem = False, ""
        created: list[int] = []
        try:
            with self._write() as s:
                row = s.get(Feed, feed_id)
                if row is None:
                    raise NotFoundError("That feed is no longer subscribed; refresh the list.")
                row.last_fetched_at = now
                self._follow_move(s, row, fetched.moved_to)
                if parsed is not None:
                    created, more = store.store_entries(
                        s, row, parsed.entries, now, MAX_NEW_PER_REFRESH
                    )
                    row.title = row.title or parsed.title
                # With entries left over, the next request must get the whole feed again.
                row.etag = None if more else fetched.etag
                row.last_modified = None if more else fetched.last_modified
                problem = store.refresh_problem(parsed, more, MAX_NEW_PER_REFRESH)
                row.last_error = problem
        except IntegrityError:
            # Another process stored the same entries meanwhile: they are in, nothing is lost.
            log.info("feed %s: entries stored by another process meanwhile", feed_id)
            return FeedRefresh(feed_id)
        self._emit(
            ChangeSet.of(
                created=[("idea", i) for i in created],
                updated=[("feed", feed_id)],
                description="Feed read",
            )
        )
        return FeedRefresh(
            feed_id, new_ideas=len(created), not_modified=parsed is None, problem=problem
        )

    @staticmethod
    def _follow_move(s: Session, row: Feed, moved_to: str) -> None:
        """A feed that moved for good is followed at its new address (unless already followed)."""
        if not moved_to or moved_to == row.url:
            return
        taken = s.scalar(
            select(Feed.id).where(Feed.workspace_id == row.workspace_id, Feed.url == moved_to)
        )
        if taken is None:
            log.info("feed %s moved permanently to %s", row.id, moved_to)
            row.url = moved_to

    def _http(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = self._local.http = self._http_factory()
        return session

    def _feed_lock(self, feed_id: int) -> threading.Lock:
        with self._locks_lock:
            return self._feed_locks.setdefault(feed_id, threading.Lock())
