"""Errors a person can act on, kept apart from bugs.

A ``UserError`` is expected: bad input, a refused change, a missing keyring. Its message is shown
as it is (one line in the CLI, one dialog in the GUI) and must say what to do. Anything else that
escapes a service is a bug and is reported with a traceback only in debug mode.
"""

from __future__ import annotations


class UserError(Exception):
    """An expected failure whose message is written for the person using cmdesk."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def __str__(self) -> str:
        return self.message


class ValidationError(UserError):
    """Input that cannot be accepted as it is (a form field, an argument, an imported cell)."""


class NotFoundError(UserError):
    """The thing asked for does not exist (any more)."""


class TransitionError(UserError):
    """A status change the plan's rules do not allow."""


class DatabaseError(UserError):
    """The database cannot be opened, is damaged, or belongs to a newer cmdesk."""


class CredentialError(UserError):
    """Secrets cannot be stored or read: no usable keyring, or a locked one."""
