"""Launcher of the cmdesk desktop application (also what packagers point at)."""

import sys

from ui.app import run

if __name__ == "__main__":
    sys.exit(run())
