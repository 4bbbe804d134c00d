"""A keyring back end that keeps secrets in memory, so tests never touch a real keyring.

Selected for the whole test session in ``tests/conftest.py`` (and by ``PYTHON_KEYRING_BACKEND``
for child processes), so the suite passes on a machine without any keyring service.
"""

from __future__ import annotations

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError


class MemoryKeyring(KeyringBackend):
    """Secrets in a class-level dictionary, per process."""

    priority = 1  # type: ignore[assignment]
    store: dict[tuple[str, str], str] = {}  # noqa: RUF012 - shared on purpose within a process

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def delete_password(self, service: str, username: str) -> None:
        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError("no such secret")
