"""A long session does not abort: guards against PySide6 releases that leak references.

PySide6 6.12.0 drops a reference to ``None`` on every void call, slot run and empty ``data()``
answer, and one to ``True`` on every emit. On Python 3.11 (where these objects are not immortal)
the interpreter aborts after some thousands of calls; pyproject.toml excludes that release there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

# Far more void calls, slot runs, empty data() answers and emits than None (a few thousand) and
# True (about 600) have references at start: on an affected release the child aborts with
# "Fatal Python error: none_dealloc" (or bool_dealloc).
SESSION = textwrap.dedent(
    """
    import ui
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtWidgets import QApplication, QPushButton
    from ui.models.month import MonthModel, MonthPeriod

    class Source(QObject):
        fired = Signal(object)

    app = QApplication([])
    button = QPushButton()
    button.clicked.connect(lambda: None)
    source = Source()
    model = MonthModel(MonthPeriod(2026, 3, "UTC"))
    for i in range(60_000):
        button.setText("x")
        source.fired.emit(i)
        model.index(0, 0).data(1)  # DecorationRole: the model answers None
    for _ in range(2_000):
        button.click()
    print("survived")
    """
)


def test_long_session_does_not_abort() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", SESSION],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"
