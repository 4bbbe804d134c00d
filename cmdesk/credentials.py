"""Where secrets live: the operating system's keyring, and nowhere else.

Channels hold only a *credential reference*; the token or password behind it is stored through a
``CredentialStore``. The keyring-backed store refuses back ends that would write secrets in plain
text (``keyrings.alt``'s plaintext file, the null and fail back ends) and says how to enable a real
one. Tests use ``MemoryCredentialStore``.
"""

from __future__ import annotations

import threading
import uuid
from typing import Protocol

from cmdesk.errors import CredentialError

SERVICE_NAME = "cmdesk"

_HOW_TO_ENABLE = (
    "cmdesk keeps account secrets only in the system keyring. Start a keyring service "
    "(GNOME Keyring or KWallet on Linux; Keychain and Credential Manager are built into macOS "
    "and Windows) and try again. On a headless Linux machine: install gnome-keyring and run "
    "cmdesk inside a D-Bus session with the keyring unlocked."
)

# Back ends that do not keep a secret safe, by their class's module and name.
_REFUSED = {
    "keyring.backends.fail.Keyring": "no keyring service is available",
    "keyring.backends.null.Keyring": "keyring is switched off",
    "keyrings.alt.file.PlaintextKeyring": "that keyring stores secrets in plain text",
    "keyrings.alt.file.EncryptedKeyring": "that keyring asks for its password on the console",
}


def new_reference(kind: str) -> str:
    """A fresh, meaningless reference under which a secret is stored."""
    return f"{kind}:{uuid.uuid4().hex}"


class CredentialStore(Protocol):
    """Stores, reads and deletes secrets by reference."""

    def set_secret(self, ref: str, secret: str) -> None: ...

    def get_secret(self, ref: str) -> str | None: ...

    def delete_secret(self, ref: str) -> None: ...

    def describe(self) -> str:
        """A one-line description of where secrets go, for ``cmdesk doctor``."""
        ...


class MemoryCredentialStore:
    """Secrets in a dictionary, for tests and for demo channels."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._secrets: dict[str, str] = {}

    def set_secret(self, ref: str, secret: str) -> None:
        with self._lock:
            self._secrets[ref] = secret

    def get_secret(self, ref: str) -> str | None:
        with self._lock:
            return self._secrets.get(ref)

    def delete_secret(self, ref: str) -> None:
        with self._lock:
            self._secrets.pop(ref, None)

    def describe(self) -> str:
        return "in-memory store (tests only; nothing is kept after exit)"


def _backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def keyring_problem() -> str | None:
    """Why the configured keyring back end cannot be used, or None when it can."""
    import keyring

    backend = keyring.get_keyring()
    chained = getattr(backend, "backends", None)
    candidates = list(chained) if chained else [backend]
    usable = [b for b in candidates if _backend_name(b) not in _REFUSED]
    if not usable:
        return _REFUSED.get(_backend_name(candidates[0]) if candidates else "", "no keyring")
    return None


class KeyringCredentialStore:
    """Secrets in the operating system's keyring, through the ``keyring`` package.

    The back end is the one keyring itself is configured to use (``PYTHON_KEYRING_BACKEND`` or
    keyring's config file), so a user or a test can choose it without cmdesk knowing.
    """

    def __init__(self, service: str = SERVICE_NAME) -> None:
        self.service = service

    def _check(self) -> None:
        problem = keyring_problem()
        if problem:
            raise CredentialError(f"Cannot store the secret: {problem}. {_HOW_TO_ENABLE}")

    def set_secret(self, ref: str, secret: str) -> None:
        import keyring
        from keyring.errors import KeyringError

        self._check()
        try:
            keyring.set_password(self.service, ref, secret)
        except KeyringError as exc:
            # The message of a keyring error never contains the secret; say only what failed.
            raise CredentialError(
                f"The keyring refused to store the secret ({type(exc).__name__}). {_HOW_TO_ENABLE}"
            ) from None

    def get_secret(self, ref: str) -> str | None:
        import keyring
        from keyring.errors import KeyringError

        self._check()
        try:
            value: str | None = keyring.get_password(self.service, ref)
        except KeyringError as exc:
            raise CredentialError(
                f"The keyring could not be read ({type(exc).__name__}); it may be locked. "
                "Unlock it and try again."
            ) from None
        return value

    def delete_secret(self, ref: str) -> None:
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self.service, ref)
        except PasswordDeleteError:
            pass  # already gone: the goal is reached
        except KeyringError as exc:
            raise CredentialError(
                f"The keyring could not delete the secret ({type(exc).__name__})."
            ) from None

    def describe(self) -> str:
        import keyring

        backend = keyring.get_keyring()
        problem = keyring_problem()
        name = _backend_name(backend)
        return f"{name} (unusable: {problem})" if problem else name
