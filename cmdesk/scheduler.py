"""The embedded publishing engine: an APScheduler dispatch job and a bounded pool of workers.

One APScheduler date job, ``dispatch``, is always armed at the earliest instant something may
become due (a queued target's time or retry time, a lease's expiry), and never more than a minute
away as a safety net. The job only wakes the dispatcher thread, which runs the missed-post policy
first, then claims what is due and hands each claimed target to a worker. Any change to the plan
(an event on the hub) re-arms it, so a post scheduled for "in two minutes" is not waited for until
the next safety-net tick; a worker that finishes wakes the dispatcher directly.

Under load the database is the narrow part (SQLite has one writer), so claims are taken in
batches, outbox checkpoints of all waiting workers share one transaction (``CheckpointWriter``)
and successes are recorded in batches (``SuccessRecorder``).

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
import queue
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import requests
from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.adapters.base import (
    AmbiguousError,
    AuthExpired,
    HandoffTracker,
    NetworkUnavailable,
    PermanentError,
    PublishResult,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.http import MaybeSent, make_session
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.events import ChangeSet, EventHub
from cmdesk.services.publishing import Job, LeaseLostError, PublishingService, process_owner
from cmdesk.services.settings import SettingsService

log = logging.getLogger("cmdesk.publish")

SAFETY_NET = timedelta(seconds=60)
_T = TypeVar("_T")
HANDOFF_RECHECK = timedelta(minutes=1)
IN_FLIGHT_PER_WORKER = 4
HOUSEKEEPING_EVERY = timedelta(seconds=5)
DISPATCH_JOB = "dispatch"


def _next_batch(q: queue.Queue[_T], max_batch: int) -> list[_T]:
    """Wait for one item, then take whatever else is already waiting, up to ``max_batch``."""
    batch = [q.get()]
    while len(batch) < max_batch:
        try:
            batch.append(q.get_nowait())
        except queue.Empty:
            break
    return batch


class SuccessRecorder:
    """Writes successful publishes in batches, on one thread, off the workers' path.

    Under load (a thousand posts due at one minute) a transaction per success was a large share
    of each publish's cost. A success not yet written when the process dies is not lost: the
    target is still claimed with its outbox state, and the next attempt resumes it without
    posting again (the network deduplicates, or the state shows every part already out).
    """

    def __init__(self, publishing: PublishingService, *, max_batch: int = 100) -> None:
        self.publishing = publishing
        self.max_batch = max_batch
        self._queue: queue.Queue[tuple[int, str, PublishResult] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="cmdesk-record", daemon=True)
        self._thread.start()

    def add(self, target_id: int, owner: str, result: PublishResult) -> None:
        self._queue.put((target_id, owner, result))

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until everything added so far is written."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.005)
        return not self._queue.unfinished_tasks

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(30)

    def _run(self) -> None:
        while True:
            batch = _next_batch(self._queue, self.max_batch)
            items = [item for item in batch if item is not None]
            try:
                if items:
                    self.publishing.succeed_many(items)
            except Exception:
                # Not lost: the targets stay claimed and are resumed (see the class docstring).
                log.exception("could not record %d publish(es); they will be resumed", len(items))
            finally:
                for _ in batch:
                    self._queue.task_done()
            if None in batch:
                return


class CheckpointWriter:
    """Group commit for outbox checkpoints: one transaction for every worker waiting.

    Each checkpoint must be durable before its adapter sends anything, so a worker waits for
    its own to be committed; but many workers' checkpoints share one transaction. With SQLite's
    single writer this is what lets several publishes progress at once (benchmarks/RESULTS.md).
    """

    def __init__(self, publishing: PublishingService, *, max_batch: int = 64) -> None:
        self.publishing = publishing
        self.max_batch = max_batch
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="cmdesk-checkpoint", daemon=True)
        self._thread.start()

    def write(self, target_id: int, owner: str, state: Mapping[str, Any]) -> None:
        pending = _Pending(target_id, owner, dict(state))
        self._queue.put(pending)
        pending.done.wait()
        if pending.error is not None:
            raise pending.error

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(30)

    def _run(self) -> None:
        while True:
            batch = _next_batch(self._queue, self.max_batch)
            items = [p for p in batch if p is not None]
            if items:
                self._commit(items)
            if None in batch:
                return

    def _commit(self, items: list[_Pending]) -> None:
        try:
            held = self.publishing.checkpoint_many([(p.target_id, p.owner, p.state) for p in items])
        except Exception as exc:  # the database failed: nobody may send
            for p in items:
                p.error = exc
                p.done.set()
            return
        for p, ok in zip(items, held, strict=True):
            if not ok:
                p.error = LeaseLostError(p.target_id)
            p.done.set()


@dataclass
class _Pending:
    target_id: int
    owner: str
    state: dict[str, Any]
    done: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None


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
    ) -> None:
        self.publishing = publishing
        self.settings = settings
        self.registry = registry
        self.hub = hub
        self.owner = process_owner()
        self.workers = workers
        self._http_factory = http_factory
        self._local = threading.local()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cmdesk-publish")
        self._lock = threading.Lock()
        self._running: dict[int, Future[None]] = {}
        self._scheduler: BackgroundScheduler | None = None
        self._stopping = False
        # APScheduler only keeps time: its job (and any finishing worker) sets this event, and
        # one dispatcher thread does the work, so dispatches never overlap or get skipped.
        self._wake = threading.Event()
        self._dispatcher: threading.Thread | None = None
        self._housekept: datetime | None = None
        self._paused = False
        self._grace = timedelta(minutes=15)
        # Channels whose sign-in was refused: jobs already claimed for them are given back
        # unrun until the channel is reconnected (a change event on it clears the entry).
        self._needs_reauth: set[int] = set()
        self._unsubscribe = self.hub.subscribe(self._on_change)
        self._recorder: SuccessRecorder | None = None
        self._checkpoints: CheckpointWriter | None = None

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread; posts due now go out right away."""
        self.publishing.release_stale_leases()
        scheduler = BackgroundScheduler(
            timezone=UTC,
            # The job only wakes the dispatcher thread, so it never runs long enough to overlap
            # itself; a late run (after sleep) still runs: cmdesk applies its own missed rule.
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        self._recorder = SuccessRecorder(self.publishing)
        self._checkpoints = CheckpointWriter(self.publishing)
        scheduler.start()
        self._scheduler = scheduler
        self._dispatcher = threading.Thread(
            target=self._dispatch_loop, name="cmdesk-dispatch", daemon=True
        )
        self._dispatcher.start()
        self.arm(datetime.now(UTC))

    def stop(self, *, wait: bool = True) -> None:
        """Stop claiming, let running publishes finish (``wait``), then release what is held."""
        self._stopping = True
        self._unsubscribe()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._wake.set()
        if self._dispatcher is not None:
            self._dispatcher.join(30)
        self._pool.shutdown(wait=wait, cancel_futures=True)
        if self._recorder is not None:
            self._recorder.stop()
        if self._checkpoints is not None:
            self._checkpoints.stop()
        self.publishing.release_stale_leases()

    @property
    def busy(self) -> int:
        with self._lock:
            return len(self._running)

    # --- arming --------------------------------------------------------------------------------

    def arm(self, when: datetime | None = None) -> None:
        """Schedule the next dispatch at ``when`` or at the earliest due instant (<= 60 s away)."""
        scheduler = self._scheduler
        if scheduler is None or self._stopping:
            return
        now = datetime.now(UTC)
        if when is None and (self._paused or self.busy >= self.workers * IN_FLIGHT_PER_WORKER):
            # Paused, or every worker busy (each re-arms when it finishes): only the safety net is
            # needed now; arming for "due now" would spin while nothing can be started.
            when = now + SAFETY_NET
        if when is None:
            wake = self.publishing.next_wakeup()
            # The plan's clock may be a test's; the scheduler runs on real time, so convert the
            # distance rather than the instant.
            when = (
                now + max(timedelta(0), (wake - self.publishing.clock.now()))
                if wake
                else now + SAFETY_NET
            )
        when = min(when, now + SAFETY_NET)
        if when <= now:
            self._wake.set()  # due now: no timer needed
            return
        scheduler.add_job(
            self._wake.set, "date", run_date=when, id=DISPATCH_JOB, replace_existing=True
        )

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.description.startswith("engine"):
            return  # our own outcomes: the worker re-arms when it finishes
        with self._lock:
            self._needs_reauth -= changes.ids("channel")
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
            self._paused = bool(self.settings.get("publishing_paused"))
            self._grace = timedelta(minutes=int(self.settings.get("missed_grace_minutes")))
            self.publishing.release_stale_leases()
            if not self._paused:
                self.publishing.mark_missed(self._grace)
        if self._paused:
            return 0
        # A short queue of claimed jobs waits behind the workers, so none idles between two
        # dispatches; it stays short because every claim holds a lease.
        free = self.workers * IN_FLIGHT_PER_WORKER - self.busy
        if free <= 0:
            return 0
        due = self.publishing.due_target_ids(limit=free)
        jobs = self.publishing.claim_many(due, self.owner) if due else []
        for job in jobs:
            self._submit(job)
        return len(jobs)

    def _submit(self, job: Job) -> None:
        with self._lock:
            future = self._pool.submit(self.run_job, job)
            self._running[job.target_id] = future
        future.add_done_callback(functools.partial(self._finished, job.target_id))

    def _finished(self, target_id: int, _future: Future[None]) -> None:
        with self._lock:
            self._running.pop(target_id, None)
        # Work may be waiting for a free worker: look again now rather than at the next tick.
        self.arm(datetime.now(UTC))

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

    def _http(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = self._http_factory()
            self._local.http = session
        return session

    def run_job(self, job: Job) -> None:
        """Publish one claimed target (or check its hand-off) and record the outcome; never raises."""
        tid, owner, pub = job.target_id, self.owner, self.publishing
        network = "demo" if job.is_demo else job.network
        label = (
            f"target={tid} post={job.post_id} channel={job.request.channel.name!r} "
            f"attempt={job.request.attempt}"
        )
        with self._lock:
            blocked = job.channel_id in self._needs_reauth
        if blocked:
            pub.release(tid, owner)
            return
        try:
            adapter = self.registry.get(network)
            if job.handed_off is not None:
                self._check_handoff(job, adapter, label)
                return
            result = adapter.publish(
                job.request, pub.credentials_for(job), self._http(), self._checkpoint_for(tid)
            )
        except LeaseLostError:
            log.warning("publish %s: lease lost; left to the process that holds it", label)
        except RateLimited as exc:
            log.info("publish %s: rate limited until %s", label, exc.retry_at.isoformat())
            pub.retry_later(tid, owner, exc.message, at=self._plan_time(exc.retry_at))
        except NetworkUnavailable:
            log.info("publish %s: waiting for the network", label)
            pub.wait_for_network(tid, owner)
        except TransientError as exc:
            log.info("publish %s: will retry: %s %s", label, exc.message, exc.detail)
            at = None
            if exc.retry_after is not None:
                at = pub.clock.now() + timedelta(seconds=exc.retry_after)
            pub.retry_later(tid, owner, exc.message, at=at)
        except (AmbiguousError, MaybeSent) as exc:
            log.warning("publish %s: needs confirmation: %s", label, exc.message)
            pub.ambiguous(tid, owner, _ambiguous_message(exc.message))
        except AuthExpired as exc:
            log.warning("publish %s: sign-in refused: %s", label, exc.detail or exc.message)
            with self._lock:
                self._needs_reauth.add(job.channel_id)
            pub.fail(tid, owner, exc.message, reauth_channel=True)
        except PermanentError as exc:
            if job.request.scheduled_at is not None:
                log.info(
                    "publish %s: hand-off refused, cmdesk will send it: %s", label, exc.message
                )
                pub.handoff_refused(tid, owner, exc.message)
            else:
                log.warning("publish %s: failed: %s", label, exc.message)
                pub.fail(tid, owner, exc.message)
        except Exception as exc:  # a bug in an adapter: retried with backoff, then failed
            log.exception("publish %s: unexpected error", label)
            pub.retry_later(tid, owner, f"Unexpected problem ({type(exc).__name__}); retrying.")
        else:
            if result.handed_off:
                log.info(
                    "publish %s: handed to the server's scheduler as %s", label, result.remote_id
                )
                pub.handed_off(tid, owner, result)
            else:
                log.info("publish %s: published %s", label, result.url or result.remote_id)
                if self._recorder is not None:
                    self._recorder.add(tid, owner, result)
                else:
                    pub.succeed(tid, owner, result)

    def _checkpoint_for(self, target_id: int) -> Callable[[Mapping[str, Any]], None]:
        writer, owner = self._checkpoints, self.owner
        if writer is None:  # not started (tests drive the engine by hand): write directly
            return lambda state: self.publishing.checkpoint(target_id, owner, state)
        return lambda state: writer.write(target_id, owner, state)

    def _check_handoff(self, job: Job, adapter: object, label: str) -> None:
        """Ask the server whether a handed-off post went out; errors propagate to run_job."""
        pub, tid, owner = self.publishing, job.target_id, self.owner
        handed = job.handed_off or {}
        if not isinstance(adapter, HandoffTracker):
            pub.fail(tid, owner, "This network cannot tell whether a handed-off post went out.")
            return
        first = job.request.parts[0] if job.request.parts else None
        result = adapter.check_handoff(
            job.request.channel,
            pub.credentials_for(job),
            self._http(),
            str(handed.get("scheduled_id")),
            text=first.text if first else None,
            scheduled_at=job.planned_at,
            spoiler_text=str(job.request.options.get("spoiler_text") or ""),
        )
        if result is None:
            log.info("publish %s: handed-off post not out yet; looking again soon", label)
            pub.check_again_later(tid, owner, pub.clock.now() + HANDOFF_RECHECK)
        else:
            log.info(
                "publish %s: the server published it: %s", label, result.url or result.remote_id
            )
            pub.succeed(tid, owner, result)

    def _plan_time(self, real: datetime) -> datetime:
        """A real-clock instant expressed in the plan's clock (the same clock outside tests)."""
        return self.publishing.clock.now() + (real - datetime.now(UTC))


def _ambiguous_message(detail: str) -> str:
    return (
        f"{detail} cmdesk cannot tell whether the post went out and will not risk sending it "
        "twice. Check the account, then mark it as sent or not sent."
    )
