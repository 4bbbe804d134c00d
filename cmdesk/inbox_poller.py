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
import threading
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.adapters.base import AdapterError, AuthExpired, NetworkUnavailable, RateLimited
from cmdesk.clock import Clock, SystemClock
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet, EventHub
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
        self._lock = threading.Lock()
        # Keyed by channel id, or ("search", id) for a saved search.
        self._failures: dict[Hashable, int] = {}
        self._not_before: dict[Hashable, datetime] = {}
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
            with self._lock:
                wait_until = self._not_before.get(cid)
            if wait_until is not None and now < wait_until:
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
            with self._lock:
                wait_until = self._not_before.get(key)
            if wait_until is not None and now < wait_until:
                continue
            outcome = self._attempt(
                key, functools.partial(listening.sync_search, sid), f"saved search {sid}", now
            )
            if outcome is None:
                break
            found[sid] = outcome
        return found

    def _poll(self, cid: int, now: datetime) -> int | None:
        return self._attempt(
            cid, lambda: self.inbox.poll_channel(cid), f"inbox of channel {cid}", now
        )

    def _attempt(
        self, cid: Hashable, run: Callable[[], int], what: str, now: datetime
    ) -> int | None:
        """Run one channel's poll (or one search); None when there is no network."""
        try:
            found = run()
        except NetworkUnavailable:
            log.info("%s: no network; trying again at the next check", what)
            return None
        except RateLimited as exc:
            self._wait(cid, exc.retry_at, count=False)
            log.info("%s rate-limited until %s", what, exc.retry_at.isoformat())
            return 0
        except AuthExpired as exc:
            self._wait(cid, now + MAX_BACKOFF)
            log.warning("%s: %s", what, exc.message)
            return 0
        except (AdapterError, UserError) as exc:
            self._wait(cid, now + self._backoff(cid))
            log.warning("%s not read: %s", what, getattr(exc, "message", exc))
            return 0
        except Exception:
            self._wait(cid, now + self._backoff(cid))
            log.exception("%s: unexpected failure", what)
            return 0
        with self._lock:
            self._failures.pop(cid, None)
            self._not_before.pop(cid, None)
        return found

    def _backoff(self, cid: Hashable) -> timedelta:
        with self._lock:
            failures = self._failures.get(cid, 0) + 1
        doubled: timedelta = timedelta(minutes=self._minutes or 1) * (2 ** (failures - 1))
        return min(doubled, MAX_BACKOFF)

    def _wait(self, cid: Hashable, until: datetime, *, count: bool = True) -> None:
        with self._lock:
            if count:
                self._failures[cid] = self._failures.get(cid, 0) + 1
            self._not_before[cid] = until

    def waiting_until(self, cid: Hashable) -> datetime | None:
        """When a channel (or ``("search", id)``) that failed is tried again (None: next tick)."""
        with self._lock:
            return self._not_before.get(cid)
