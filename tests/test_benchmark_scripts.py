"""The benchmark scripts still run against the current code (tiny sizes; numbers not checked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_month_window_benchmark_runs_on_small_data(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_month_window.py",
            "--posts",
            "600",
            "--channels",
            "3",
            "--repeat",
            "2",
            "--warmup",
            "1",
            "--json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["posts"] == 600
    for window in result["windows"].values():
        # The calendar call and its raw replay see the same rows; so do the listing and its replay.
        assert window["calendar_days"]["rows"] == window["calendar_days_raw"]["rows"] > 0
        assert window["list_window"]["rows"] == window["list_window_raw"]["rows"] > 0


def test_publish_benchmark_idle_part_runs(tmp_path: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_publish.py",
            "--only",
            "idle",
            "--future-posts",
            "200",
            "--idle-seconds",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    idle = json.loads(out.stdout)["idle"]
    assert idle["future_posts"] == 200 and idle["daemon_exit"] == 0
    assert idle["core_share_percent"] >= 0


def test_window_benchmark_runs_on_small_data(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    out = subprocess.run(
        [sys.executable, "benchmarks/bench_gui.py", "--posts", "1500", "--runs", "1", "--json"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["platform"] == "offscreen"
    assert result["month_posts"] > 0
    assert 0 < result["startup_s"] < 30
    assert result["drop_ms"] > 0 and result["month_switch_ms"] > 0
