"""The window quits cleanly on SIGTERM and SIGINT (logout, shutdown, Ctrl-C), engine stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_the_window_quits_with_status_0_on_a_signal(tmp_path: Path, signum: int) -> None:
    env = {
        **os.environ,
        "CMDESK_DATA_DIR": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "tests.fakes.keyring_backend.MemoryKeyring",
        "PYTHONPATH": str(ROOT),
    }
    demo = subprocess.run(
        [sys.executable, "-m", "cmdesk", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=120,
    )
    assert demo.returncode == 0
    gui = subprocess.Popen(
        [sys.executable, "-m", "cmdesk"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(4)  # the window is up and the engine running
        assert gui.poll() is None, gui.stderr.read() if gui.stderr else ""
        gui.send_signal(signum)
        _, err = gui.communicate(timeout=60)
    finally:
        if gui.poll() is None:
            gui.kill()
            gui.wait()
    assert gui.returncode == 0, err
    assert "Traceback" not in err
