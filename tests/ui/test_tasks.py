"""The task runner: work off the GUI thread, outcomes on it, cancellation, default error path."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.errors import ValidationError
from ui.tasks import TaskRunner


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    made = TaskRunner()
    yield made
    assert made.shutdown(5000)
    made.deleteLater()


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes record (title, text) instead of waiting for a click."""
    seen: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append((box.windowTitle(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


def on_gui_thread() -> bool:
    app = QApplication.instance()
    assert app is not None
    return QThread.currentThread() is app.thread()


def test_work_runs_off_the_gui_thread_and_the_result_arrives_on_it(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    where: dict[str, bool] = {}
    results: list[int] = []

    def work() -> int:
        where["work"] = on_gui_thread()
        return 42

    def success(value: int) -> None:
        where["callback"] = on_gui_thread()
        results.append(value)

    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    task = runner.run(work, success)
    assert not runner.is_idle()
    qtbot.waitUntil(runner.is_idle, timeout=5000)
    assert results == [42]
    assert where == {"work": False, "callback": True}
    assert task.is_done and not task.is_cancelled
    assert busy == [True, False]


def test_the_gui_thread_keeps_running_while_work_waits(qtbot: QtBot, runner: TaskRunner) -> None:
    release = threading.Event()
    results: list[str] = []
    runner.run(lambda: "done" if release.wait(5) else "timeout", results.append)
    qtbot.wait(50)  # the event loop turns while the work blocks
    assert results == [] and not runner.is_idle()
    release.set()
    qtbot.waitUntil(lambda: results == ["done"], timeout=5000)


def test_an_exception_reaches_the_failure_callback(qtbot: QtBot, runner: TaskRunner) -> None:
    failures: list[BaseException] = []

    def work() -> None:
        raise ValidationError("That handle does not exist.")

    task = runner.run(work, lambda _: pytest.fail("no success expected"), failures.append)
    with qtbot.waitSignal(task.finished, timeout=5000):
        pass
    assert len(failures) == 1 and str(failures[0]) == "That handle does not exist."


def test_without_a_failure_callback_errors_are_shown(
    qtbot: QtBot, runner: TaskRunner, shown: list[tuple[str, str]]
) -> None:
    def refuse() -> None:
        raise ValidationError("The server refused.")

    def bug() -> None:
        raise KeyError("boom")

    runner.run(refuse)
    qtbot.waitUntil(runner.is_idle, timeout=5000)
    runner.run(bug)
    qtbot.waitUntil(runner.is_idle, timeout=5000)
    assert shown[0] == ("cmdesk", "The server refused.")
    assert shown[1][0] == "Something went wrong" and "KeyError" in shown[1][1]


def test_a_cancelled_task_calls_no_callback_and_runs_its_hooks(
    qtbot: QtBot, runner: TaskRunner
) -> None:
    release = threading.Event()
    discarded: list[str] = []
    delivered: list[object] = []
    task = runner.run(
        lambda: "resource" if release.wait(5) else "late",
        delivered.append,
        delivered.append,
        cancel=release.set,  # the hook makes the work stop early
        discard=discarded.append,
    )
    cancelled: list[bool] = []
    task.cancelled.connect(lambda: cancelled.append(True))
    task.cancel()
    assert task.is_cancelled and cancelled == [True]
    qtbot.waitUntil(runner.is_idle, timeout=5000)
    qtbot.wait(20)
    assert delivered == []
    assert discarded == ["resource"]  # released on the worker, not leaked
    task.cancel()  # a second cancel is harmless


def test_shutdown_cancels_and_waits(qtbot: QtBot) -> None:
    runner = TaskRunner()
    release = threading.Event()
    seen: list[object] = []
    runner.run(lambda: release.wait(5), seen.append, cancel=release.set)
    assert runner.shutdown(5000)
    assert release.is_set()
    qtbot.wait(20)
    assert seen == []
