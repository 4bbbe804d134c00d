"""The exchange benchmark still runs against the current code (tiny sizes; numbers not checked)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_exchange_benchmark_runs_on_small_data() -> None:
    out = subprocess.run(
        [
            sys.executable,
            "benchmarks/bench_exchange.py",
            "--posts",
            "600",
            "--rows",
            "50",
            "--repeat",
            "1",
            "--warmup",
            "0",
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
    assert result["rows"] == 50 and result["events"] > 0
    for key in ("export_csv", "export_ics", "check_csv", "import_csv"):
        assert result[key]["median_ms"] > 0
