"""The inbox benchmark script still runs against the current code (tiny size; time not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ingest_benchmark_runs_and_stores_every_notification() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_inbox.py",
            "--only",
            "ingest",
            "--notifications",
            "300",
            "--repeat",
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
    result = json.loads(out.stdout)["ingest"]
    assert result["stored"] == result["notifications"] == 300
