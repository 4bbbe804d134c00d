"""Running one claimed job: the adapter's publish (or hand-off check), then its outcome recorded.

The engine (:mod:`cmdesk.scheduler`) decides when a job runs; ``JobRunner`` runs it on a worker
thread, with that thread's HTTP session, and turns what the adapter returned or raised into the
matching call on :class:`~cmdesk.services.publishing.PublishingService`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from cmdesk.adapters.base import (
    AmbiguousError,
    AuthExpired,
    HandoffTracker,
    NetworkUnavailable,
    PermanentError,
    RateLimited,
    TransientError,
)
from cmdesk.adapters.http import MaybeSent
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.publish_writers import CheckpointWriter, SuccessRecorder
from cmdesk.services.publishing import Job, LeaseLostError, PublishingService

log = logging.getLogger("cmdesk.publish")

HANDOFF_RECHECK = timedelta(minutes=1)


class JobRunner:
    """Runs claimed jobs for one engine (one lease owner); safe to use from many threads."""

    def __init__(
        self,
        publishing: PublishingService,
        registry: AdapterRegistry,
        owner: str,
        *,
        http_factory: Callable[[], requests.Session],
        network_seen: Callable[[bool], None] = lambda offline: None,
    ) -> None:
        self.publishing = publishing
        self.registry = registry
        self.owner = owner
        self._http_factory = http_factory
        # Told after each publish whether the network was there (True: it was not).
        self._network_seen = network_seen
        self._local = threading.local()
        self._lock = threading.Lock()
        #: Set while the engine runs: the group-commit and batch writers (else direct writes).
        self.checkpoints: CheckpointWriter | None = None
        self.recorder: SuccessRecorder | None = None
        # Channels whose sign-in was refused: jobs already claimed for them are given back
        # unrun until the channel is reconnected (a change event on it clears the entry).
        self._needs_reauth: set[int] = set()

    def blocked(self, channel_id: int) -> bool:
        with self._lock:
            return channel_id in self._needs_reauth

    def channels_changed(self, channel_ids: Iterable[int]) -> None:
        """Channels changed (perhaps reconnected): their jobs may run again."""
        with self._lock:
            self._needs_reauth.difference_update(channel_ids)

    def _http(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = self._http_factory()
            self._local.http = session
        return session

    def run(self, job: Job) -> None:
        """Publish one claimed target (or check its hand-off) and record the outcome; never raises."""
        tid, owner, pub = job.target_id, self.owner, self.publishing
        network = "demo" if job.is_demo else job.network
        label = (
            f"target={tid} post={job.post_id} channel={job.request.channel.name!r} "
            f"attempt={job.request.attempt}"
        )
        if self.blocked(job.channel_id):
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
            self._network_seen(True)
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
            self._network_seen(False)
            if result.handed_off:
                log.info(
                    "publish %s: handed to the server's scheduler as %s", label, result.remote_id
                )
                pub.handed_off(tid, owner, result)
            else:
                log.info("publish %s: published %s", label, result.url or result.remote_id)
                if self.recorder is not None:
                    self.recorder.add(tid, owner, result)
                else:
                    pub.succeed(tid, owner, result)

    def _checkpoint_for(self, target_id: int) -> Callable[[Mapping[str, Any]], None]:
        writer, owner = self.checkpoints, self.owner
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
