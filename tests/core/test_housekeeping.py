"""The housekeeper runs registered upkeep tasks, survives their failures and folds early requests."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from cmdesk.housekeeping import Housekeeper


def test_a_task_runs_after_its_first_delay_and_a_failure_does_not_stop_it() -> None:
    keeper = Housekeeper()
    calls: list[int] = []
    ran_twice = threading.Event()

    def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("boom")
        ran_twice.set()

    keeper.add("flaky", timedelta(seconds=1), flaky, first_delay=timedelta(seconds=0))
    keeper.start()
    try:
        assert ran_twice.wait(5), "the task ran again after it raised"
    finally:
        keeper.stop()
    assert len(calls) >= 2


def test_run_now_reports_failure_and_unknown_names() -> None:
    keeper = Housekeeper()
    keeper.add("ok", timedelta(hours=1), lambda: None)
    keeper.add("bad", timedelta(hours=1), lambda: 1 / 0)
    assert keeper.run_now("ok") is True
    assert keeper.run_now("bad") is False
    assert keeper.run_now("missing") is False
    assert keeper.names == ["bad", "ok"]


def test_requests_for_an_early_tick_fold_into_one_run() -> None:
    keeper = Housekeeper()
    calls: list[float] = []
    keeper.add("export", timedelta(hours=1), lambda: calls.append(time.monotonic()))
    keeper.start()
    try:
        for _ in range(5):
            keeper.run_soon("export")
        deadline = time.monotonic() + 6
        while not calls and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        keeper.stop()
    assert len(calls) == 1
