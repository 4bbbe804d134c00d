"""The one path from an exception to a dialog."""

from __future__ import annotations

import logging
import sys

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from cmdesk.errors import ValidationError
from ui.errors import BUG_TITLE, describe_error, install_excepthook, show_error


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Message boxes record (title, text) instead of waiting for a click."""
    seen: list[tuple[str, str]] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append((box.windowTitle(), box.text()))
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


def test_user_error_shows_its_own_message() -> None:
    report = describe_error(ValidationError("A workspace needs a name."))
    assert report.text == "A workspace needs a name."
    assert not report.is_bug


def test_bug_says_something_went_wrong_with_type_and_message() -> None:
    report = describe_error(KeyError("post 12"))
    assert report.is_bug
    assert report.title == BUG_TITLE
    assert "KeyError: 'post 12'" in report.text


def test_show_error_logs_bugs_with_traceback(
    shown: list[tuple[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        with caplog.at_level(logging.ERROR, logger="ui.errors"):
            show_error(None, exc)
    assert shown and shown[0][0] == BUG_TITLE and "RuntimeError: boom" in shown[0][1]
    assert caplog.records and caplog.records[0].exc_info is not None


def test_show_error_does_not_log_user_errors(
    shown: list[tuple[str, str]], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="ui.errors"):
        show_error(None, ValidationError("Choose a channel."))
    assert shown == [("cmdesk", "Choose a channel.")]
    assert not caplog.records


def test_excepthook_routes_escaped_exceptions_to_a_dialog(
    shown: list[tuple[str, str]], monkeypatch: pytest.MonkeyPatch, qapp: QApplication
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    install_excepthook()
    try:
        raise ValueError("bad slot")
    except ValueError as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert shown and "ValueError: bad slot" in shown[0][1]
