"""The one path from an exception to a dialog.

A ``UserError`` is expected and its message already says what to do, so it is shown as it is. Any
other exception is a bug: it is logged with its traceback and shown once as "Something went
wrong" with its type and message, so the person can report it without losing their work.
"""

from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from types import TracebackType

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from cmdesk.errors import UserError

log = logging.getLogger(__name__)

BUG_TITLE = "Something went wrong"


@dataclass(frozen=True, slots=True)
class ErrorReport:
    """What a dialog shows for an exception."""

    title: str
    text: str
    detail: str
    is_bug: bool


def describe_error(exc: BaseException) -> ErrorReport:
    """The title, message and detail to show for an exception (no Qt involved)."""
    if isinstance(exc, UserError):
        return ErrorReport("cmdesk", exc.message, "", is_bug=False)
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    text = (
        f"{BUG_TITLE}.\n\n{detail}\n\n"
        "Your work is kept. The details are in the log file; please include them in a report."
    )
    return ErrorReport(BUG_TITLE, text, detail, is_bug=True)


def show_error(parent: QWidget | None, exc: BaseException) -> None:
    """Log the exception if it is a bug, then show it in a modal message box."""
    report = describe_error(exc)
    if report.is_bug:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical if report.is_bug else QMessageBox.Icon.Warning)
    box.setWindowTitle(report.title)
    box.setText(report.text)
    box.setAccessibleName(report.title)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.exec()


def install_excepthook() -> None:
    """Route exceptions that escape Qt slots and event handlers to :func:`show_error`.

    Without this PySide6 prints them to stderr and carries on, so a person never learns that
    their click did nothing.
    """
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt) or QApplication.instance() is None:
            previous(kind, exc, tb)
            return
        show_error(QApplication.activeWindow(), exc.with_traceback(tb))

    sys.excepthook = hook
