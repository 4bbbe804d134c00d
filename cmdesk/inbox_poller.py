"""Polling every channel's inbox on its own APScheduler job, politely.

One ``BackgroundScheduler`` interval job runs every ``inbox_poll_minutes`` (re-armed when the
setting changes) and reads each pollable channel once. A channel that fails waits longer before
its next try, doubling from one interval up to an hour; a rate limit is honoured to the time the
network named; no network at all is not a failure: that tick ends and the next one tries again.
A channel whose sign-in was refused waits the longest (an hour) until it is reconnected.

Ticks never overlap (``max_instances=1``) and a late tick (the laptop slept) runs once, not in
a burst (``coalesce``). The poller holds no Qt: the GUI and the daemon both start it.

Given the listening service, each tick then reads every saved search once
(``ListeningService.sync_search``), each search backing off on its own by the same rules.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.clock import Clock, SystemClock
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet, EventHub
from cmdesk.poll_backoff import Backoff
from cmdesk.services.inbox import InboxService
from cmdesk.services.listening import ListeningService
from cmdesk.services.settings import SettingsService

log = logging.getLogger("cmdesk.inbox")

JOB_ID = "inbox-poll"
MAX_BACKOFF = timedelta(hours=1)
FIRST_TICK_DELAY = timedelta(seconds=5)  # let the window (or daemon) finish starting first


class InboxPoller:
    """Reads every channel's new replies and mentions on a timer; ``start()`` / ``stop()``."""

    def __init__(
        self,
        inbox: InboxService,
        settings: SettingsService,
        hub: EventHub,
        *,
        clock: Clock | None = None,
        listening: ListeningService | None = None,
    ) -> None:
        self.inbox = inbox
        self.listening = listening
        self.settings = settings
        self.hub = hub
        self.clock: Clock = clock or SystemClock()
        # Keyed by channel id, or ("search", id) for a saved search.
        self.backoff = Backoff(MAX_BACKOFF, log)
        self._scheduler: BackgroundScheduler | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._minutes = 0

    # --- life cycle -------------------------------------------------------------------------------

    def start(self) -> None:
        if self._scheduler is not None:
            return
        self._minutes = self._interval_minutes()
        scheduler = BackgroundScheduler(daemon=True)
        scheduler.add_job(
            self.tick,
            "interval",
            minutes=self._minutes,
            id=JOB_ID,
            next_run_time=datetime.now().astimezone() + FIRST_TICK_DELAY,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler
        self._unsubscribe = self.hub.subscribe(self._on_change)

    def stop(self, *, wait: bool = True) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.description != "setting:inbox_poll_minutes" or self._scheduler is None:
            return
        minutes = self._interval_minutes()
        if minutes != self._minutes:
            self._minutes = minutes
            self._scheduler.reschedule_job(JOB_ID, trigger="interval", minutes=minutes)

    def _interval_minutes(self) -> int:
        try:
            return max(1, int(self.settings.get("inbox_poll_minutes")))
        except (UserError, TypeError, ValueError):
            return 5

    # --- one tick -------------------------------------------------------------------------------

    def tick(self) -> dict[int, int]:
        """Poll every channel that is due; new items per channel. Never raises."""
        counts: dict[int, int] = {}
        try:
            channels = self.inbox.pollable_channels()
        except Exception:
            log.exception("cannot list the channels to poll")
            return counts
        for cid in channels:
            now = self.clock.now()
            if not self.backoff.ready(cid, now):
                continue
            outcome = self._poll(cid, now)
            if outcome is None:
                return counts  # offline: the other channels (and searches) would fail the same way
            counts[cid] = outcome
        self.listen()
        return counts

    def listen(self) -> dict[int, int]:
        """Read every saved search that is due; new posts per search. Never raises."""
        found: dict[int, int] = {}
        if self.listening is None:
            return found
        listening = self.listening
        try:
            searches = listening.syncable_searches()
        except Exception:
            log.exception("cannot list the saved searches to read")
            return found
        for sid in searches:
            now = self.clock.now()
            key = ("search", sid)
            if not self.backoff.ready(key, now):
                continue
            outcome = self.backoff.attempt(
                key,
                functools.partial(listening.sync_search, sid),
                f"saved search {sid}",
                now,
                self._base(),
            )
            if outcome is None:
                break
            found[sid] = outcome
        return found

    def _poll(self, cid: int, now: datetime) -> int | None:
        return self.backoff.attempt(
            cid, lambda: self.inbox.poll_channel(cid), f"inbox of channel {cid}", now, self._base()
        )

    def _base(self) -> timedelta:
        """The first wait after a failure: one polling interval."""
        return timedelta(minutes=self._minutes or 1)

    def waiting_until(self, cid: Hashable) -> datetime | None:
        """When a channel (or ``("search", id)``) that failed is tried again (None: next tick)."""
        return self.backoff.waiting_until(cid)
