"""A keyring back end that keeps secrets in memory, so tests never touch a real keyring.

Selected for the whole test session in ``tests/conftest.py`` (and by ``PYTHON_KEYRING_BACKEND``
for child processes), so the suite passes on a machine without any keyring service.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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


class FileKeyring(KeyringBackend):
    """Secrets in a JSON file named by ``CMDESK_TEST_KEYRING_FILE``, for tests only.

    The daemon of an end-to-end test is another process and must read what the test stored.
    """

    priority = 1  # type: ignore[assignment]

    def _path(self) -> Path:
        return Path(os.environ["CMDESK_TEST_KEYRING_FILE"])

    def _load(self) -> dict[str, str]:
        try:
            data = json.loads(self._path().read_text())
        except FileNotFoundError:
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, str]) -> None:
        # Written whole and renamed: a process killed mid-write leaves the old file intact.
        tmp = self._path().with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data))
        tmp.replace(self._path())

    def set_password(self, service: str, username: str, password: str) -> None:
        with _file_lock(self._path()):
            data = self._load()
            data[f"{service}\x00{username}"] = password
            self._save(data)

    def get_password(self, service: str, username: str) -> str | None:
        return self._load().get(f"{service}\x00{username}")

    def delete_password(self, service: str, username: str) -> None:
        with _file_lock(self._path()):
            data = self._load()
            if data.pop(f"{service}\x00{username}", None) is None:
                raise PasswordDeleteError("no such secret")
            self._save(data)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path.with_suffix(".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
