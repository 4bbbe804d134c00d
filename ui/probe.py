"""Check that Qt can start here: ``python -m ui.probe`` (run by ``cmdesk doctor``).

It runs in a child process because a broken or missing platform plugin aborts the whole process
that loads it; the doctor reads the one line printed here, or the last line of stderr.
"""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtGui import QGuiApplication


def describe() -> str:
    """One line about the platform plugin and the versions, e.g. ``xcb platform, Qt 6.12.0 ...``."""
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    platform = QGuiApplication.platformName() if app is not None else "unknown"
    return f"{platform} platform, Qt {qVersion()}, PySide6 {PySide6.__version__}"


def main() -> int:
    print(describe())
    return 0


if __name__ == "__main__":
    sys.exit(main())
