"""Autosave survives SIGKILL: a process that types into the journal is killed, a fresh one recovers.

The writer process saves a growing text as fast as it can and reports each saved length; it is
killed with SIGKILL mid-write, at an unpredictable moment. A fresh process then reads the
journal: the draft must be whole (valid, never half a file) and hold at least the last text the
writer reported as saved.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys
    from cmdesk.autosave import DraftJournal, DraftSnapshot

    journal = DraftJournal()
    text = ""
    for i in range(1_000_000):
        text += "Pan de masa madre 🥖 número %d. " % i
        journal.save(DraftSnapshot(key="kill1", workspace_id=1, title="Kill", text=text))
        print(len(text), flush=True)
    """
)

READER = textwrap.dedent(
    """
    import json
    from cmdesk.autosave import DraftJournal

    drafts = DraftJournal().pending()
    print(json.dumps([[d.key, d.text] for d in drafts]))
    """
)


def _env(data: Path) -> dict[str, str]:
    return {**os.environ, "CMDESK_DATA_DIR": str(data), "PYTHONPATH": str(ROOT)}


@pytest.mark.slow
@pytest.mark.parametrize("after_saves", [3, 40, 200])
def test_text_saved_before_a_sigkill_is_recovered_by_a_fresh_process(
    tmp_path: Path, after_saves: int
) -> None:
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER],
        cwd=ROOT,
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        text=True,
    )
    confirmed = 0
    try:
        assert writer.stdout is not None
        for _ in range(after_saves):
            line = writer.stdout.readline()
            assert line, "the writer stopped before it was killed"
            confirmed = int(line)
        time.sleep(0.01)  # let it get into the middle of another write
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=30)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == -signal.SIGKILL
    reader = subprocess.run(
        [sys.executable, "-c", READER],
        cwd=ROOT,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    drafts = json.loads(reader.stdout)
    assert [key for key, _ in drafts] == ["kill1"]
    text = drafts[0][1]
    assert len(text) >= confirmed
    assert text.startswith("Pan de masa madre 🥖 número 0. ")
    assert text.endswith(". ")  # a whole snapshot, never a torn one
    assert not list((tmp_path / "drafts").glob("*.unreadable"))
