"""The listening service (``ctx.listening``): saved searches, their sync, and what they found.

A saved search is a hashtag or a text query read through one channel (Mastodon or Bluesky;
:meth:`cmdesk.adapters.search.Searcher.search`). ``sync`` reads each search from where it stopped, one page a
request, storing each page and its cursor in one short transaction before asking for the next,
so a rate limit or a dropped connection part-way loses nothing. The network is never waited on
inside a transaction. Found posts live in their own table: they are not inbox items, never
unread, never counted in the inbox badge.

The poller (``cmdesk.inbox_poller``) calls :meth:`sync_search` for every search on its tick,
with its own per-search backoff; the command line and the Listening tab call :meth:`sync`.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from cmdesk.adapters.base import AdapterError
from cmdesk.adapters.search import CURSOR_CHARS, SearchBatch, Searcher, clean_tag
from cmdesk.errors import NotFoundError, UserError, ValidationError
from cmdesk.events import ChangeSet
from cmdesk.listening import store
from cmdesk.listening.dto import ListenedPostDTO, SavedSearchDTO, SearchKind
from cmdesk.models import Channel, SavedSearch
from cmdesk.services.base import NetworkService
from cmdesk.services.channel_refs import channel_ref
from cmdesk.services.publishing import StoredCredentials

log = logging.getLogger(__name__)

SEARCH_KIND = "saved_search"
POST_KIND = "listened_post"
MAX_PAGES_PER_SYNC = 10
TEXT_CHARS = 255


class ListeningService(NetworkService):
    """Saved searches of a workspace and the posts they found."""

    # --- saved searches ---------------------------------------------------------------------------

    def add(self, workspace_id: int, channel_id: int, kind: SearchKind | str, text: str) -> int:
        """Save a search; returns its id. Refuses a channel that cannot listen, or a repeat."""
        try:
            kind = SearchKind(kind)
        except ValueError:
            raise ValidationError(f"{kind!r} is not a kind of search (hashtag or query).") from None
        cleaned = clean_tag(text) if kind is SearchKind.HASHTAG else " ".join(text.split())
        if kind is SearchKind.HASHTAG and (not cleaned or any(c.isspace() for c in cleaned)):
            raise ValidationError("A hashtag is one word, such as #coffee.", field="text")
        if not cleaned:
            raise ValidationError("Type what to search for.", field="text")
        if len(cleaned) > TEXT_CHARS:
            raise ValidationError(f"A search is at most {TEXT_CHARS} characters.", field="text")
        with self._write() as s:
            ch = s.get(Channel, channel_id)
            if ch is None or ch.removed_at is not None or ch.workspace_id != workspace_id:
                raise NotFoundError("That channel is not in this workspace any more.")
            if not ch.is_demo and self._listener(ch.network) is None:
                raise ValidationError(
                    f"cmdesk cannot search posts on {ch.name!r}: listening works on Mastodon "
                    "and Bluesky channels."
                )
            same = s.scalar(
                select(SavedSearch.id).where(
                    SavedSearch.channel_id == channel_id,
                    SavedSearch.kind == kind.value,
                    SavedSearch.text == cleaned,
                )
            )
            if same is not None:
                raise ValidationError(f"{ch.name!r} already listens for that search.")
            row = SavedSearch(
                workspace_id=workspace_id,
                channel_id=channel_id,
                kind=kind.value,
                text=cleaned,
                note="",
                created_at=self.clock.now(),
            )
            s.add(row)
            s.flush()
            new_id = row.id
        label = f"#{cleaned}" if kind is SearchKind.HASHTAG else f"“{cleaned}”"
        self._emit(
            ChangeSet.of(created=[(SEARCH_KIND, new_id)], description=f"Listening for {label}")
        )
        return new_id

    def remove(self, search_id: int) -> ChangeSet:
        """Forget a saved search and the posts it found."""
        with self._write() as s:
            row = s.get(SavedSearch, search_id)
            if row is None:
                raise NotFoundError("That saved search no longer exists; refresh the list.")
            s.execute(delete(SavedSearch).where(SavedSearch.id == search_id))
        return self._emit(
            ChangeSet.of(deleted=[(SEARCH_KIND, search_id)], description="Saved search removed")
        )

    def list_searches(self, workspace_id: int) -> list[SavedSearchDTO]:
        with self._read() as s:
            return store.searches(s, workspace_id)

    def get_search(self, search_id: int) -> SavedSearchDTO:
        with self._read() as s:
            row = s.get(SavedSearch, search_id)
            found = store.searches(s, row.workspace_id, [search_id]) if row else []
        if not found:
            raise NotFoundError("That saved search no longer exists; refresh the list.")
        return found[0]

    def list_results(
        self,
        workspace_id: int,
        search_id: int | None = None,
        *,
        limit: int = 200,
        before: tuple[datetime, int] | None = None,
    ) -> list[ListenedPostDTO]:
        """Found posts, newest first; ``before`` = the last one's ``(created_at, id)``."""
        with self._read() as s:
            return store.posts(s, workspace_id, search_id, limit=limit, before=before)

    def prune(self, *, keep_days: int, keep_per_search: int) -> int:
        """Forget old found posts in one transaction; returns how many were removed.

        Those older than ``keep_days`` go, and those beyond each search's newest
        ``keep_per_search``.
        """
        if keep_days < 1 or keep_per_search < 1:
            raise ValidationError("Keep at least one day and one post per search.")
        before = self.clock.now() - timedelta(days=keep_days)
        with self._write() as s:
            gone = store.prune(s, before=before, keep_per_search=keep_per_search)
            searches = list(s.scalars(select(SavedSearch.id))) if gone else []
        if gone:
            self._emit(
                ChangeSet.of(
                    updated=[(SEARCH_KIND, i) for i in searches],
                    description=f"{gone} old listened posts removed",
                )
            )
        return gone

    def results_by_id(self, post_ids: list[int]) -> list[ListenedPostDTO]:
        with self._read() as s:
            return store.posts_by_id(s, post_ids)

    # --- network -----------------------------------------------------------------------------------

    def syncable_searches(self, workspace_id: int | None = None) -> list[int]:
        """Searches whose channel is signed in, usable and can listen (never demo ones)."""
        query = (
            select(SavedSearch.id, Channel.network)
            .join(Channel, Channel.id == SavedSearch.channel_id)
            .where(
                Channel.removed_at.is_(None),
                Channel.health == "ok",
                Channel.is_demo.is_(False),
                Channel.credential_ref.is_not(None),
            )
            .order_by(SavedSearch.id)
        )
        if workspace_id is not None:
            query = query.where(SavedSearch.workspace_id == workspace_id)
        with self._read() as s:
            rows = s.execute(query).all()
        return [sid for sid, network in rows if self._listener(network) is not None]

    def sync(
        self, search_id: int | None = None, *, workspace_id: int | None = None
    ) -> dict[int, int]:
        """Read one search (or every one, of a workspace if given); new posts per search id.

        Syncing every search goes on past one that fails (logged) and raises only when all
        failed, with the first one's reason.
        """
        if search_id is not None:
            try:
                return {search_id: self.sync_search(search_id)}
            except AdapterError as exc:
                raise UserError(exc.message) from None
        counts: dict[int, int] = {}
        first: AdapterError | None = None
        ids = self.syncable_searches(workspace_id)
        for sid in ids:
            try:
                counts[sid] = self.sync_search(sid)
            except AdapterError as exc:
                log.warning("saved search %s not read: %s (%s)", sid, exc.message, exc.detail)
                first = first or exc
        if ids and not counts and first is not None:
            raise UserError(first.message)
        return counts

    def sync_search(self, search_id: int) -> int:
        """Read one search's new posts. Raises the adapter's errors (the poller backs off)."""
        with self._read() as s:
            row = s.get(SavedSearch, search_id)
            ch = s.get(Channel, row.channel_id) if row is not None else None
            if row is None or ch is None or ch.removed_at is not None:
                raise NotFoundError("That saved search no longer exists; refresh the list.")
            kind, text, cursor = row.kind, row.text, row.cursor
            ref, cred_ref, demo = channel_ref(ch), ch.credential_ref, ch.is_demo
        if demo:
            return 0  # demo channels reach no network
        listener = self._listener(ref.network)
        if listener is None:
            raise ValidationError(f"cmdesk cannot search posts on {ref.name!r}.")
        creds = StoredCredentials(self.credentials, cred_ref, ref.name)
        total = 0
        skipped: list[str] = []
        for _ in range(MAX_PAGES_PER_SYNC):
            batch = listener.search(ref, creds, self._http(), kind, text, cursor)
            total += self._keep(search_id, batch)
            skipped.extend(batch.skipped)
            cursor = batch.cursor
            if not batch.more:
                break
        if skipped:
            reasons = ", ".join(f"{n} × {why}" for why, n in Counter(skipped).most_common(5))
            log.warning("saved search %s: %d posts skipped (%s)", search_id, len(skipped), reasons)
        return total

    def _keep(self, search_id: int, batch: SearchBatch) -> int:
        now = self.clock.now()
        values: dict[str, object] = {"synced_at": now}
        if batch.cursor is not None and len(batch.cursor) <= CURSOR_CHARS:
            values["cursor"] = batch.cursor
        if batch.note is not None:
            values["note"] = batch.note[:500]
        with self._write() as s:
            if s.get(SavedSearch, search_id) is None:
                return 0  # removed while the network answered
            ids = store.store(s, search_id, batch.items, now)
            s.execute(update(SavedSearch).where(SavedSearch.id == search_id).values(**values))
        changes = ChangeSet.of(
            created=[(POST_KIND, i) for i in ids],
            updated=[(SEARCH_KIND, search_id)],
            description=f"{len(ids)} new listened posts" if ids else "Saved search read",
        )
        self._emit(changes)
        return len(ids)

    def _listener(self, network: str) -> Searcher | None:
        adapter = self._adapter(network)
        return adapter if isinstance(adapter, Searcher) else None
