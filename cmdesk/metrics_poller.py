"""Taking engagement snapshots on an APScheduler job, politely.

One ``BackgroundScheduler`` interval job runs every :data:`INTERVAL` and asks
:class:`~cmdesk.services.metrics.MetricsService` which published targets are due (1 hour, 1 day and
7 days after publishing), then reads each channel's due posts in batches. A channel that fails
waits longer before its next try, doubling from one interval up to :data:`MAX_BACKOFF`; a rate
limit is honoured to the time the network named; no network at all is not a failure: that tick
ends and the next one tries again. A sign-in refused waits the longest.

Ticks never overlap (``max_instances=1``) and a late tick (the laptop slept) runs once
(``coalesce``). The poller holds no Qt: the GUI and the daemon both start it.
"""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.clock import Clock, SystemClock
from cmdesk.poll_backoff import Backoff
from cmdesk.services.metrics import MetricsService

log = logging.getLogger("cmdesk.metrics")

JOB_ID = "metrics-poll"
INTERVAL = timedelta(minutes=10)
MAX_BACKOFF = timedelta(hours=6)
FIRST_TICK_DELAY = timedelta(seconds=30)  # after the window (or daemon) and the inbox poll


class MetricsPoller:
    """Takes due engagement snapshots on a timer; ``start()`` / ``stop()``."""

    def __init__(self, metrics: MetricsService, *, clock: Clock | None = None) -> None:
        self.metrics = metrics
        self.clock: Clock = clock or SystemClock()
        self.backoff = Backoff(MAX_BACKOFF, log)
        self._scheduler: BackgroundScheduler | None = None

    def start(self) -> None:
        if self._scheduler is not None:
            return
        scheduler = BackgroundScheduler(daemon=True)
        scheduler.add_job(
            self.tick,
            "interval",
            seconds=int(INTERVAL.total_seconds()),
            id=JOB_ID,
            next_run_time=datetime.now().astimezone() + FIRST_TICK_DELAY,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler

    def stop(self, *, wait: bool = True) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=wait)
            self._scheduler = None

    def tick(self) -> dict[int, int]:
        """Snapshots taken per channel this tick. Never raises."""
        taken: dict[int, int] = {}
        try:
            due = self.metrics.due()
        except Exception:
            log.exception("cannot list the posts whose engagement is due")
            return taken
        for cid, targets in due.items():
            now = self.clock.now()
            if not self.backoff.ready(cid, now):
                continue
            outcome = self.backoff.attempt(
                cid,
                functools.partial(self.metrics.snap_channel, cid, targets),
                f"engagement of channel {cid}",
                now,
                INTERVAL,
            )
            if outcome is None:
                break  # offline: the other channels would fail the same way
            taken[cid] = outcome
        return taken

    def waiting_until(self, cid: int) -> datetime | None:
        """When a channel that failed is tried again (None: at the next tick)."""
        return self.backoff.waiting_until(cid)
