"""Runs service calls off the GUI thread and delivers their outcome back on it.

The GUI thread never waits on the network (DESIGN.md rule 4): a click that signs in, checks a
connection or publishes hands a callable to :meth:`TaskRunner.run`, which runs it on the runner's
own ``QThreadPool``. Its result or exception comes back through a queued signal, so the callbacks
run on the GUI thread and may touch widgets. Without a failure callback, the exception goes to
``ui.errors.show_error`` (a ``UserError`` is shown as it is, anything else as a bug).

A task can be cancelled: its callbacks are then never called, and an optional ``cancel`` hook runs
at once (on the GUI thread, so it must not block) to make the work stop early, for instance by
closing the listener the work waits on. What a cancelled task still returns goes to an optional
``discard`` hook on the worker thread, so resources it opened are released there.

Tests wait with ``qtbot.waitUntil(runner.is_idle)`` or ``qtbot.waitSignal(task.finished)``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from ui.errors import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")


class Task(QObject, Generic[T]):
    """One piece of work handed to a :class:`TaskRunner`.

    Signals:
        succeeded(object): the work returned this value (on the GUI thread).
        failed(object): the work raised this exception (on the GUI thread).
        cancelled(): :meth:`cancel` was called before the outcome was delivered.
        finished(): emitted last, once, whatever the outcome.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    finished = Signal()

    def __init__(
        self,
        name: str,
        cancel_hook: Callable[[], None] | None,
        discard: Callable[[T], None] | None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name = name
        self._cancel_hook = cancel_hook
        self._discard = discard
        self._lock = threading.Lock()
        self._cancelled = False
        self._done = False

    @property
    def is_cancelled(self) -> bool:
        with self._lock:
            return self._cancelled

    @property
    def is_done(self) -> bool:
        """True once the outcome was delivered or the task was cancelled."""
        return self._done

    def cancel(self) -> None:
        """Drop the outcome and ask the work to stop (non-blocking; GUI thread)."""
        with self._lock:
            if self._cancelled or self._done:
                return
            self._cancelled = True
        if self._cancel_hook is not None:
            try:
                self._cancel_hook()
            except Exception:  # stopping early is a courtesy: the outcome is dropped anyway
                log.exception("cancelling task %r failed", self.name)
        self._done = True
        self.cancelled.emit()
        self.finished.emit()

    def _discard_result(self, value: T) -> None:
        """Worker thread: release what a cancelled task produced."""
        if self._discard is not None:
            try:
                self._discard(value)
            except Exception:
                log.exception("releasing the result of cancelled task %r failed", self.name)

    def _deliver(self, ok: bool, value: Any) -> None:
        """GUI thread: emit the outcome unless the task was cancelled meanwhile."""
        with self._lock:
            if self._cancelled or self._done:
                return
            self._done = True
        if ok:
            self.succeeded.emit(value)
        else:
            self.failed.emit(value)
        self.finished.emit()


class _Relay(QObject):
    """Carries an outcome from a pool thread to the GUI thread (a queued connection)."""

    arrived = Signal(object, bool, object)  # task, ok, value or exception


class _Job(QRunnable):
    def __init__(self, task: Task[Any], fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self.task, self.fn, self.relay = task, fn, relay
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            value = self.fn()
        except BaseException as exc:  # every outcome must reach the GUI thread
            self.relay.arrived.emit(self.task, False, exc)
            return
        if self.task.is_cancelled:
            self.task._discard_result(value)
        self.relay.arrived.emit(self.task, True, value)


class TaskRunner(QObject):
    """Runs callables on a thread pool; outcomes arrive on the GUI thread.

    Signals:
        busy_changed(bool): True when the first task starts, False when the last one ends.
    """

    busy_changed = Signal(bool)

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_threads: int = 4,
        error_parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.arrived.connect(self._arrived, Qt.ConnectionType.QueuedConnection)
        self._running: set[Task[Any]] = set()  # keeps tasks alive until their outcome arrives
        self.error_parent = error_parent

    def run(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], None] | None = None,
        on_failure: Callable[[BaseException], None] | None = None,
        *,
        name: str = "",
        cancel: Callable[[], None] | None = None,
        discard: Callable[[T], None] | None = None,
    ) -> Task[T]:
        """Start ``fn()`` on a pool thread; callbacks run on the GUI thread unless cancelled.

        ``cancel`` runs (on the GUI thread, non-blocking) when :meth:`Task.cancel` is called;
        ``discard`` gets what ``fn`` returns if it was cancelled meanwhile (on the worker).
        """
        task: Task[T] = Task(name or getattr(fn, "__name__", "task"), cancel, discard, self)
        if on_success is not None:
            task.succeeded.connect(on_success)
        task.failed.connect(on_failure if on_failure is not None else self._show_failure)
        was_idle = not self._running
        self._running.add(task)
        self._pool.start(_Job(task, fn, self._relay))
        if was_idle:
            self.busy_changed.emit(True)
        return task

    def is_idle(self) -> bool:
        """No task's work is still running (cancelled ones included) or undelivered."""
        return not self._running

    @property
    def active_count(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        for task in list(self._running):
            task.cancel()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Cancel every task and wait for the pool threads (at quit); False if some still run."""
        self.cancel_all()
        return bool(self._pool.waitForDone(timeout_ms))

    def _show_failure(self, exc: BaseException) -> None:
        parent = self.error_parent or QApplication.activeWindow()
        show_error(parent, exc)

    @Slot(object, bool, object)
    def _arrived(self, task: Task[Any], ok: bool, value: object) -> None:
        self._running.discard(task)
        try:
            task._deliver(ok, value)
        finally:
            task.deleteLater()
            if not self._running:
                self.busy_changed.emit(False)
