"""The engine's two database writers, each on its own thread: outbox checkpoints and successes.

Under load (a thousand posts due at one minute) SQLite's single writer is the narrow part, so
checkpoints of all waiting workers share one transaction (``CheckpointWriter``) and successes are
written in batches off the workers' path (``SuccessRecorder``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from cmdesk.adapters.base import PublishResult
from cmdesk.services.publishing import LeaseLostError, PublishingService

log = logging.getLogger("cmdesk.publish")

_T = TypeVar("_T")
#: Longest a success waits to be written while publishes are running (see SuccessRecorder).
SUCCESS_DEFER_MAX = 3.0


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

    def __init__(
        self,
        publishing: PublishingService,
        *,
        max_batch: int = 500,
        defer: Callable[[], bool] = lambda: False,
        defer_max: float = SUCCESS_DEFER_MAX,
    ) -> None:
        self.publishing = publishing
        self.max_batch = max_batch
        # While ``defer()`` says publishes are running, successes wait (up to ``defer_max``
        # seconds) and are then written in one batch: writing them takes the interpreter lock
        # and the database from the publishes that are still due.
        self._defer = defer
        self._defer_max = defer_max
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

    def _wait_while_busy(self, batch: list[tuple[int, str, PublishResult] | None]) -> None:
        """Let successes pile up while publishes run (see ``__init__``), then take them all."""
        deadline = time.monotonic() + self._defer_max
        while self._defer() and time.monotonic() < deadline and len(batch) < self.max_batch:
            time.sleep(0.05)
        while len(batch) < self.max_batch and None not in batch:
            try:
                batch.append(self._queue.get_nowait())
            except queue.Empty:
                break

    def _run(self) -> None:
        while True:
            batch = _next_batch(self._queue, self.max_batch)
            if None not in batch:
                self._wait_while_busy(batch)
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
