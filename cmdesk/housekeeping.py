"""The plan's periodic upkeep on one background scheduler: feeds, series, exports, backups, reminders.

Each piece of upkeep registers a task (a name, an interval and a function that never needs the GUI)
with the ``Housekeeper``; the window (after its first paint) and ``cmdesk daemon`` start it. One
``BackgroundScheduler`` runs every task, so five kinds of upkeep cost one timer thread, not five.

Rules every task gets for free:
- ticks of one task never overlap (``max_instances=1``), and a late tick after the laptop slept
  runs once, not in a burst (``coalesce``);
- an exception is logged once with its traceback and the next tick runs as planned;
- ``run_soon(name)`` asks for an early tick (an export after the plan changed), debounced so that
  a burst of changes costs one run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

log = logging.getLogger("cmdesk.housekeeping")

DEFAULT_FIRST_DELAY = timedelta(seconds=10)
SOON_DELAY = timedelta(seconds=2)


@dataclass(frozen=True, slots=True)
class Task:
    """One kind of upkeep: ``fn`` runs every ``every``, first after ``first_delay``."""

    name: str
    every: timedelta
    fn: Callable[[], object]
    first_delay: timedelta = DEFAULT_FIRST_DELAY


class Housekeeper:
    """Runs registered tasks on one background scheduler; ``start()`` / ``stop()``."""

    def __init__(self) -> None:
        self._tasks: dict[str, Task] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._lock = threading.Lock()
        # One lock per task: an early tick and a timed tick of one task run one after the other.
        self._running: dict[str, threading.Lock] = {}

    def add(
        self,
        name: str,
        every: timedelta,
        fn: Callable[[], object],
        *,
        first_delay: timedelta = DEFAULT_FIRST_DELAY,
    ) -> None:
        """Register a task (before or after ``start``); a second task of that name replaces it."""
        task = Task(name, every, fn, first_delay)
        with self._lock:
            self._tasks[name] = task
            self._running.setdefault(name, threading.Lock())
            if self._scheduler is not None:
                self._schedule(self._scheduler, task)

    @property
    def names(self) -> list[str]:
        return sorted(self._tasks)

    def start(self) -> None:
        with self._lock:
            if self._scheduler is not None:
                return
            scheduler = BackgroundScheduler(daemon=True)
            for task in self._tasks.values():
                self._schedule(scheduler, task)
            scheduler.start()
            self._scheduler = scheduler

    def stop(self, *, wait: bool = True) -> None:
        with self._lock:
            scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=wait)

    def run_soon(self, name: str) -> None:
        """Tick ``name`` in a moment; more requests before then fold into that one tick."""
        with self._lock:
            scheduler = self._scheduler
            if scheduler is None or name not in self._tasks:
                return
            when = datetime.now().astimezone() + SOON_DELAY
            scheduler.add_job(
                self.run_now,
                "date",
                args=(name,),
                id=f"{name}:soon",
                run_date=when,
                replace_existing=True,
                misfire_grace_time=60,
            )

    def run_now(self, name: str) -> bool:
        """Run a task here and now (tests, "Refresh" buttons); False when it failed or is unknown."""
        task = self._tasks.get(name)
        if task is None:
            return False
        with self._running[name]:
            try:
                task.fn()
            except Exception:
                log.exception("upkeep task %r failed; it runs again at its next tick", name)
                return False
        return True

    def _schedule(self, scheduler: BackgroundScheduler, task: Task) -> None:
        scheduler.add_job(
            self.run_now,
            "interval",
            args=(task.name,),
            seconds=max(1, int(task.every.total_seconds())),
            id=task.name,
            next_run_time=datetime.now().astimezone() + task.first_delay,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
