"""The embedded publishing engine: an APScheduler dispatch job and a bounded pool of workers.

One APScheduler date job, ``dispatch``, is always armed at the earliest instant something may
become due (a queued target's time or retry time, a lease's expiry), and never more than a minute
away as a safety net. The job only wakes the dispatcher thread, which runs the missed-post policy
first, then claims what is due and hands each claimed target to a worker. Any change to the plan
(an event on the hub) re-arms it, so a post scheduled for "in two minutes" is not waited for until
the next safety-net tick; a worker that finishes wakes the dispatcher directly.

Under load the database is the narrow part (SQLite has one writer), so claims are taken in
batches, outbox checkpoints of all waiting workers share one transaction (``CheckpointWriter``)
and successes are recorded in batches (``SuccessRecorder``, :mod:`cmdesk.publish_writers`).
Targets are claimed up to ``CLAIM_AHEAD`` before their time, so that the claim (a write and the
reading of each post) is done before the minute; the worker then waits for the job's instant.

``status()`` tells the window what the engine is doing; when it starts or stops, is paused or
resumed, starts or stops waiting for the network, or the next post's time moves, a ChangeSet with
``description="engine"`` (and the pseudo-entity ``("engine", 0)``, so that it is not empty) goes
out on the hub.

A ``BackgroundScheduler`` is used, not APScheduler's Qt scheduler: the latter leaks timers under
PySide6 (DESIGN.md, "Facts about the stack"), and the daemon has no Qt at all.
``misfire_grace_time`` is None so that a late wake-up (after the laptop slept) still runs the
dispatch, which then applies cmdesk's own missed-post rule instead of APScheduler silently
dropping the run.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.adapters.base import Preparer
from cmdesk.adapters.http import make_session
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.events import ChangeSet, EventHub
from cmdesk.publish_job import JobRunner
from cmdesk.publish_writers import CheckpointWriter, SuccessRecorder
from cmdesk.services.publishing import Job, PublishingService, process_owner
from cmdesk.services.settings import SettingsService

__all__ = ["CheckpointWriter", "EngineStatus", "PublishingEngine", "SuccessRecorder"]

log = logging.getLogger("cmdesk.publish")

SAFETY_NET = timedelta(seconds=60)
IN_FLIGHT_PER_WORKER = 4
HOUSEKEEPING_EVERY = timedelta(seconds=5)
DISPATCH_JOB = "dispatch"
#: Targets are claimed this long before their time (the worker waits for the instant). Short:
#: a post being published can no longer be edited, and a pause does not reach it after it is sent.
CLAIM_AHEAD = timedelta(seconds=5)
#: Most jobs claimed ahead of their time at once (a thousand posts due at one minute fit).
STAGED_MAX = 2000
#: A job whose first checkpoint was stored at its claim (``Preparer``) sends without another one
#: only this soon after (seconds): well inside its lease.
PREPARED_FOR = 60.0


@dataclass(frozen=True, slots=True)
class EngineStatus:
    """What the engine is doing, for the window's status bar."""

    running: bool
    paused: bool
    waiting_for_network: bool
    #: The earliest time a queued post may go out (as of the last arming); None if none.
    next_due: datetime | None
    #: Jobs claimed and not finished (including those claimed ahead of their time).
    in_flight: int


class PublishingEngine:
    """Publishes due posts in the background, exactly once, in any process that runs it."""

    def __init__(
        self,
        publishing: PublishingService,
        settings: SettingsService,
        registry: AdapterRegistry,
        hub: EventHub,
        *,
        workers: int = 8,
        http_factory: Callable[[], requests.Session] = make_session,
        claim_ahead: timedelta = CLAIM_AHEAD,
    ) -> None:
        self.publishing = publishing
        self.settings = settings
        self.registry = registry
        self.hub = hub
        self.owner = process_owner()
        self.workers = workers
        self.claim_ahead = claim_ahead
        self._runner = JobRunner(
            publishing,
            registry,
            self.owner,
            http_factory=http_factory,
            network_seen=self._network_seen,
        )
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cmdesk-publish")
        self._lock = threading.Lock()
        self._running: dict[int, Future[None]] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._stopping = False
        self._stopped = threading.Event()  # wakes workers waiting for a job's instant
        # APScheduler only keeps time: its job (and any finishing worker) sets this event, and
        # one dispatcher thread does the work, so dispatches never overlap or get skipped.
        self._wake = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self._housekept: datetime | None = None
        self._paused = False
        self._grace = timedelta(minutes=15)
        self._unsubscribe = self.hub.subscribe(self._on_change)
        self._recorder: SuccessRecorder | None = None
        self._checkpoints: CheckpointWriter | None = None
        self._waiting_for_network = False
        self._next_due: datetime | None = None

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread; posts due now go out right away."""
        self.publishing.release_stale_leases()
        self._waiting_for_network = self.publishing.waiting_for_network()
        self._paused = bool(self.settings.get("publishing_paused"))
        scheduler = BackgroundScheduler(
            timezone=UTC,
            # The job only wakes the dispatcher thread, so it never runs long enough to overlap
            # itself; a late run (after sleep) still runs: cmdesk applies its own missed rule.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._recorder = SuccessRecorder(self.publishing, defer=lambda: self.busy > 0)
        self._checkpoints = CheckpointWriter(self.publishing)
        self._runner.recorder, self._runner.checkpoints = self._recorder, self._checkpoints
        scheduler.start()
        self._scheduler = scheduler
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="cmdesk-dispatch", daemon=True
        )
        self._dispatcher.start()
        self.arm(datetime.now(UTC))
        self._announce()

    def stop(self, *, wait: bool = True) -> None:
        """Stop claiming, let running publishes finish (``wait``), then release what is held."""
        self._stopping = True
        self._stopped.set()
        self._unsubscribe()
        running = self._scheduler is not None
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.join(30)
        with self._lock:
            queued = dict(self._running)
        self._pool.shutdown(wait=wait, cancel_futures=True)
        for target_id, future in queued.items():
            if future.cancelled():  # claimed (perhaps ahead of its time) but never started
                self.publishing.release(target_id, self.owner)
        if self._recorder is not None:
            self._recorder.stop()
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.publishing.release_stale_leases()
        if running:
            self._announce()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    def status(self) -> EngineStatus:
        """What the engine is doing now; safe to call from any thread (no database access)."""
        with self._lock:
            return EngineStatus(
                running=self._scheduler is not None and not self._stopping,
                paused=self._paused,
                waiting_for_network=self._waiting_for_network,
                next_due=self._next_due,
                in_flight=len(self._running),
            )

    def _announce(self) -> None:
        """Tell listeners (the window's status bar) that ``status()`` changed."""
        self.hub.emit(ChangeSet.of(updated=[("engine", 0)], description="engine"))

    def _set_flags(self, *, paused: bool | None = None, offline: bool | None = None) -> None:
        with self._lock:
            before = (self._paused, self._waiting_for_network)
            if paused is not None:
                self._paused = paused
            if offline is not None:
                self._waiting_for_network = offline
            changed = before != (self._paused, self._waiting_for_network)
        if changed:
            self._announce()

    # --- arming --------------------------------------------------------------------------------

    def arm(self, when: datetime | None = None) -> None:
        """Schedule the next dispatch at ``when`` or at the earliest due instant (<= 60 s away)."""
        scheduler = self._scheduler
        if scheduler is None or self._stopping:
            return
        now = datetime.now(UTC)
        if when is None and self.busy >= self.workers * IN_FLIGHT_PER_WORKER:
            # Every worker busy (each re-arms when it finishes): only the safety net is needed
            # now; arming for "due now" would spin while nothing can be started.
            when = now + SAFETY_NET
        if when is None:
            when = self._next_wake(now)
        when = min(when, now + SAFETY_NET)
        if when <= now:
            self._wake.set()  # due now: no timer needed
            return
        scheduler.add_job(
            self._wake.set, "date", run_date=when, id=DISPATCH_JOB, replace_existing=True
        )

    def _next_wake(self, now: datetime) -> datetime:
        """When to dispatch next (real time); also notes the next post's time for ``status()``."""
        due, wake = self.publishing.wakeups()
        with self._lock:
            moved, self._next_due = due != self._next_due, due
        if moved:
            self._announce()
        if self._paused:
            return now + SAFETY_NET  # nothing may start: arming for "due now" would spin
        if due is not None:
            due -= self.claim_ahead  # claimed a little early (see the module docstring)
        wake = min((w for w in (due, wake) if w is not None), default=None)
        if wake is None:
            return now + SAFETY_NET
        # The plan's clock may be a test's; the scheduler runs on real time, so convert the
        # distance rather than the instant.
        return now + max(timedelta(0), wake - self.publishing.clock.now())

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.description.startswith("engine"):
            return  # our own outcomes: the worker re-arms when it finishes
        self._runner.channels_changed(changes.ids("channel"))
        if changes.ids("setting"):
            self._housekept = None  # read the settings again, at once (a resume must not wait)
            self.arm(datetime.now(UTC))
            return
        if changes.ids("post") or changes.ids("target") or changes.ids("setting"):
            self.arm()

    # --- dispatching ---------------------------------------------------------------------------

    def _dispatch_loop(self) -> None:
        """The dispatcher thread: one dispatch at a time, whenever the timer or a worker wakes it."""
        while True:
            self._wake.wait()
            if self._stopping:
                return
            self._wake.clear()
            try:
                self.dispatch_once()
            except Exception:
                log.exception("dispatch failed; trying again soon")
                self.arm(datetime.now(UTC) + timedelta(seconds=10))
                continue
            self.arm()

    def dispatch_once(self) -> int:
        """Apply the missed rule, claim what is due and start it; returns how many started."""
        if self._stopping:
            return 0
        now = self.publishing.clock.now()
        if self._housekept is None or now - self._housekept >= HOUSEKEEPING_EVERY:
            # Settings, stale leases and the missed rule change slowly: under load a dispatch
            # follows every finished publish, and these would cost writes each time.
            self._housekept = now
            self._set_flags(paused=bool(self.settings.get("publishing_paused")))
            self._grace = timedelta(minutes=int(self.settings.get("missed_grace_minutes")))
            self.publishing.release_stale_leases()
            if not self._paused:
                self.publishing.mark_missed(self._grace)
        if self._paused:
            return 0
        jobs = self.publishing.claim_many(self._to_claim(), self.owner, ahead=self.claim_ahead)
        prepared = self._prepare(jobs)
        stamp = time.monotonic()
        for job in jobs:
            job = prepared.get(job.target_id, job)
            self._submit(job, stamp if job.request.prepared else None)
        return len(jobs)

    def _prepare(self, jobs: list[Job]) -> dict[int, Job]:
        """Store the first checkpoint of the jobs just claimed, in one transaction (``Preparer``).

        For the adapters that allow it, the checkpoint each publish would write before sending
        is written here, before the posts' time, so that nothing waits for the database at the
        minute itself. Returns the jobs whose request now carries its prepared state.
        """
        states: dict[int, tuple[Job, Mapping[str, Any]]] = {}
        for job in jobs:
            if job.is_demo or job.handed_off is not None:
                continue
            try:
                adapter = self.registry.get(job.network)
            except Exception:  # no adapter: run_job says so
                continue
            state = adapter.prepare(job.request) if isinstance(adapter, Preparer) else None
            if state is not None:
                states[job.target_id] = (job, state)
        if not states:
            return {}
        items = [(tid, self.owner, state) for tid, (_, state) in states.items()]
        held = self.publishing.checkpoint_many(items)
        return {
            tid: replace(job, request=replace(job.request, state=state, prepared=True))
            for (tid, (job, state)), ok in zip(states.items(), held, strict=True)
            if ok
        }

    def _to_claim(self) -> list[int]:
        """Targets to claim: a short queue of due ones, and all that become due very soon.

        A short queue of due jobs waits behind the workers, so none idles between two dispatches;
        it stays short because every claim holds a lease. Jobs not yet due are claimed ahead
        (up to ``STAGED_MAX``) so that their claim is not on the minute's path.
        """
        pub = self.publishing
        with self._lock:
            running = set(self._running)
        free = self.workers * IN_FLIGHT_PER_WORKER - len(running)
        chosen = pub.due_target_ids(limit=free) if free > 0 else []
        room = STAGED_MAX - len(running) - len(chosen)
        if room > 0 and self.claim_ahead > timedelta(0):
            chosen += pub.upcoming_target_ids(self.claim_ahead, room)
        # One already ours (a lease that ran out while it waited) is never taken twice.
        return [target_id for target_id in chosen if target_id not in running]

    def _submit(self, job: Job, prepared_at: float | None = None) -> None:
        with self._lock:
            if job.target_id in self._running:
                return
            future = self._pool.submit(self._run_when_ready, job, prepared_at)
            self._running[job.target_id] = future
        future.add_done_callback(functools.partial(self._finished, job.target_id))

    def _finished(self, target_id: int, _future: Future[None]) -> None:
        with self._lock:
            self._running.pop(target_id, None)
            room = len(self._running) < self.workers * IN_FLIGHT_PER_WORKER
        if room:
            # Work may be waiting for a free worker: look again now rather than at the next tick.
            self.arm(datetime.now(UTC))

    def _run_when_ready(self, job: Job, prepared_at: float | None = None) -> None:
        """Wait for a job claimed ahead of its time, then run it (unless stopped or paused)."""
        if job.ready_at is not None:
            # The plan's clock may be a test's: wait the distance, in real time.
            delay = (job.ready_at - self.publishing.clock.now()).total_seconds()
            if delay > 0:
                self._stopped.wait(delay)
        if self._stopping or self._paused:
            self.publishing.release(job.target_id, self.owner)
            return
        if prepared_at is not None and time.monotonic() - prepared_at > PREPARED_FOR:
            # The lease was last checked when the state was stored: check it again at the send.
            job = replace(job, request=replace(job.request, prepared=False))
        self.run_job(job)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until no publish is running (tests, daemon shutdown)."""
        deadline = datetime.now(UTC) + timedelta(seconds=timeout)
        while datetime.now(UTC) < deadline:
            with self._lock:
                futures = list(self._running.values())
            if not futures:
                return self._recorder.flush(timeout) if self._recorder is not None else True
            for f in futures:
                # run_job records every outcome itself; here only the waiting matters.
                with contextlib.suppress(Exception):
                    f.result(timeout=max(0.0, (deadline - datetime.now(UTC)).total_seconds()))
        return False

    # --- one publish ---------------------------------------------------------------------------

    def run_job(self, job: Job) -> None:
        """Publish one claimed target (or check its hand-off) and record the outcome; never raises."""
        self._runner.run(job)

    def _network_seen(self, offline: bool) -> None:
        if offline != self._waiting_for_network:
            self._set_flags(offline=offline)
