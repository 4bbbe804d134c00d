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


COMPOSER = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from cmdesk.bootstrap import build_context
    from cmdesk.credentials import MemoryCredentialStore
    from ui.actions import PlanActions
    from ui.views.composer import ComposerDialog

    ctx = build_context(sys.argv[1], credentials=MemoryCredentialStore())
    wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
    dialog = ComposerDialog(ctx, PlanActions(ctx), ctx.workspaces.get(wid), None)
    dialog.show()
    for i in range(int(sys.argv[2])):
        QTest.keyClicks(dialog.master, "w%d " % i)
        app.processEvents()
        print(i, flush=True)
        time.sleep(0.02)
    print("done", flush=True)
    while True:  # a window left open, its event loop running
        app.processEvents()
        time.sleep(0.02)
    """
)

RECOVER = textwrap.dedent(
    """
    import json, sys
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from cmdesk.bootstrap import build_context
    from cmdesk.credentials import MemoryCredentialStore
    from ui.actions import PlanActions
    from ui.views.composer import recover_drafts

    ctx = build_context(sys.argv[1], credentials=MemoryCredentialStore())
    dialogs = recover_drafts(ctx, PlanActions(ctx))
    print(json.dumps([d.master.toPlainText() for d in dialogs]))
    for d in dialogs:
        d.dirty = False
    """
)


def _typed(count: int) -> str:
    return "".join(f"w{i} " for i in range(count))


def _recover(tmp_path: Path, db: str) -> list[str]:
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", RECOVER, db],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    texts: list[str] = json.loads(out.stdout.strip().splitlines()[-1])
    return texts


def _start_composer(tmp_path: Path, db: str, words: int) -> subprocess.Popen[str]:
    env = {**_env(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.Popen(
        [sys.executable, "-c", COMPOSER, db, str(words)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)


@pytest.mark.slow
def test_the_composer_window_killed_after_typing_loses_nothing(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    words = 40
    gui = _start_composer(tmp_path, db, words)
    try:
        assert gui.stdout is not None
        lines = [gui.stdout.readline().strip() for _ in range(words + 1)]
        assert lines[-1] == "done", lines
        time.sleep(2.0)  # the autosave's one-second timer has fired meanwhile
    finally:
        _kill(gui)
    assert gui.returncode == -signal.SIGKILL
    assert _recover(tmp_path, db) == [_typed(words)]


@pytest.mark.slow
def test_the_composer_window_killed_while_typing_keeps_a_whole_prefix(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'plan.sqlite3'}"
    gui = _start_composer(tmp_path, db, 400)
    typed = -1
    try:
        assert gui.stdout is not None
        started = time.monotonic()
        while time.monotonic() - started < 3.0:  # type for three seconds, then pull the plug
            typed = int(gui.stdout.readline())
    finally:
        _kill(gui)
    (text,) = _recover(tmp_path, db)
    assert _typed(typed + 1).startswith(text)  # what was typed, in order, never torn
    # at most about a second of typing (plus the save itself) may be missing
    assert len(text) >= len(_typed(max(0, typed - 60)))
