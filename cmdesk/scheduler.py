"""The embedded publishing engine: an APScheduler dispatch job and a bounded pool of workers.

One date job, ``dispatch``, is always armed at the earliest instant something may become due (a
queued target's time or retry time, a lease's expiry), and never more than a minute away as a
safety net. It runs the missed-post policy first, then claims what is due and hands each claimed
target to a worker. Any change to the plan (an event on the hub) re-arms it, so a post scheduled
for "in two minutes" is not waited for until the next safety-net tick.

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
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
from apscheduler.schedulers.background import BackgroundScheduler

from cmdesk.adapters.base import (
    AmbiguousError,
    AuthExpired,
    NetworkUnavailable,
    PermanentError,
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
DISPATCH_JOB = "dispatch"


class PublishingEngine:
    """Publishes due posts in the background, exactly once, in any process that runs it."""

    def __init__(
        self,
        publishing: PublishingService,
        settings: SettingsService,
        registry: AdapterRegistry,
        hub: EventHub,
        *,
        workers: int = 4,
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
        self._unsubscribe: Callable[[], None] | None = None
        self._stopping = False
        # A dispatch in progress absorbs re-arm requests: it runs once more instead of stacking
        # jobs that APScheduler would refuse ("maximum number of running instances").
        self._dispatching = False
        self._again = False

    # --- life cycle ----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the scheduler thread; posts due now go out right away."""
        self.publishing.release_stale_leases()
        scheduler = BackgroundScheduler(
            timezone=UTC,
            # Overlapping runs are absorbed by _dispatch_safely itself; APScheduler must never
            # skip one (a skipped date job would leave nothing armed).
            job_defaults={"coalesce": True, "max_instances": 3, "misfire_grace_time": None},
        )
        scheduler.start()
        self._scheduler = scheduler
        self._unsubscribe = self.hub.subscribe(self._on_change)
        self.arm(datetime.now(UTC))

    def stop(self, *, wait: bool = True) -> None:
        """Stop claiming, let running publishes finish (``wait``), then release what is held."""
        self._stopping = True
        if self._unsubscribe:
            self._unsubscribe()
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self._pool.shutdown(wait=wait, cancel_futures=True)
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
        if when is None and self.busy >= self.workers:
            # Every worker is busy: each one re-arms when it finishes, so only the safety net
            # is needed now (arming for "due now" would spin while nothing can be started).
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
        scheduler.add_job(
            self._dispatch_safely, "date", run_date=when, id=DISPATCH_JOB, replace_existing=True
        )

    def _on_change(self, changes: ChangeSet) -> None:
        if changes.description.startswith("engine"):
            return  # our own outcomes: the worker re-arms when it finishes
        if changes.ids("post") or changes.ids("target") or changes.ids("setting"):
            self.arm()

    # --- dispatching ---------------------------------------------------------------------------

    def _dispatch_safely(self) -> None:
        with self._lock:
            if self._dispatching:
                # Another run is dispatching: it will look once more before it ends.
                self._again = True
                return
            self._dispatching = True
        try:
            while True:
                with self._lock:
                    self._again = False
                self.dispatch_once()
                with self._lock:
                    if not self._again or self._stopping:
                        self._dispatching = False
                        break
        except Exception:
            with self._lock:
                self._dispatching = False
            log.exception("dispatch failed; trying again soon")
            self.arm(datetime.now(UTC) + timedelta(seconds=10))
            return
        self.arm()

    def dispatch_once(self) -> int:
        """Apply the missed rule, claim what is due and start it; returns how many started."""
        if self._stopping or self.settings.get("publishing_paused"):
            return 0
        grace = timedelta(minutes=int(self.settings.get("missed_grace_minutes")))
        self.publishing.release_stale_leases()
        self.publishing.mark_missed(grace)
        free = self.workers - self.busy
        started = 0
        for target_id in self.publishing.due_target_ids(limit=max(free, 0) * 4):
            if started >= free:
                break
            job = self.publishing.claim(target_id, self.owner)
            if job is None:
                continue  # another process or thread took it
            self._submit(job)
            started += 1
        return started

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
                return True
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
        """Publish one claimed target and record the outcome (never raises)."""
        tid, owner, pub = job.target_id, self.owner, self.publishing
        network = "demo" if job.is_demo else job.network
        label = (
            f"target={tid} post={job.post_id} channel={job.request.channel.name!r} "
            f"attempt={job.request.attempt}"
        )
        try:
            adapter = self.registry.get(network)
            result = adapter.publish(
                job.request,
                pub.credentials_for(job),
                self._http(),
                lambda state: pub.checkpoint(tid, owner, state),
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
            pub.retry_later(tid, owner, exc.message)
        except (AmbiguousError, MaybeSent) as exc:
            log.warning("publish %s: needs confirmation: %s", label, exc.message)
            pub.ambiguous(tid, owner, _ambiguous_message(exc.message))
        except AuthExpired as exc:
            log.warning("publish %s: sign-in refused: %s", label, exc.detail or exc.message)
            pub.fail(tid, owner, exc.message, reauth_channel=True)
        except PermanentError as exc:
            log.warning("publish %s: failed: %s", label, exc.message)
            pub.fail(tid, owner, exc.message)
        except Exception as exc:  # a bug in an adapter: retried with backoff, then failed
            log.exception("publish %s: unexpected error", label)
            pub.retry_later(tid, owner, f"Unexpected problem ({type(exc).__name__}); retrying.")
        else:
            log.info("publish %s: published %s", label, result.url or result.remote_id)
            pub.succeed(tid, owner, result)

    def _plan_time(self, real: datetime) -> datetime:
        """A real-clock instant expressed in the plan's clock (the same clock outside tests)."""
        return self.publishing.clock.now() + (real - datetime.now(UTC))


def _ambiguous_message(detail: str) -> str:
    return (
        f"{detail} cmdesk cannot tell whether the post went out and will not risk sending it "
        "twice. Check the account, then mark it as sent or not sent."
    )


def describe(engine: PublishingEngine) -> dict[str, Any]:
    """The engine's state for a status bar or ``cmdesk doctor``."""
    pub = engine.publishing
    return {
        "paused": bool(engine.settings.get("publishing_paused")),
        "waiting_for_network": pub.waiting_for_network(),
        "next_due": pub.next_wakeup(),
        "attention": pub.attention_counts(),
        "running": engine.busy,
    }
