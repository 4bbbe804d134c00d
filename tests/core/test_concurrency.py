"""Two processes (the GUI and the daemon) writing to one SQLite file lose nothing and never fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cmdesk.bootstrap import AppContext
from tests.core.helpers import post, workspace

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_read_modify_write_without_lost_updates(ctx: AppContext, db_url: str) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    start = ctx.plan.get_post(pid).revision
    per_process = 150
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.core.writer_process", db_url, str(pid), str(per_process)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [p.communicate(timeout=120) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
        assert "locked" not in err
    assert ctx.plan.get_post(pid).revision == start + 2 * per_process
