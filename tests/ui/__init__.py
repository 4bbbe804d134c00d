"""Tests of the PySide6 front end (pytest-qt, offscreen)."""
