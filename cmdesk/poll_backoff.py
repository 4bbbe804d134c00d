"""Per-key backoff shared by the pollers (inbox, saved searches, engagement).

Each key (a channel id, or ``("search", id)``) that fails waits before it is tried again: one
interval after the first failure, then twice as long each time up to a cap. A rate limit is
waited out until the time the network gives (not counted as a failure); a refused sign-in waits
the whole cap; no network ends the round (None), since every other key would fail the same way.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from datetime import datetime, timedelta

from cmdesk.adapters.base import AdapterError, AuthExpired, NetworkUnavailable, RateLimited
from cmdesk.errors import UserError


class Backoff:
    """When each key may be tried again, and one attempt with the failures sorted out."""

    def __init__(self, cap: timedelta, log: logging.Logger) -> None:
        self.cap = cap
        self._log = log
        self._lock = threading.Lock()
        self._failures: dict[Hashable, int] = {}
        self._not_before: dict[Hashable, datetime] = {}

    def waiting_until(self, key: Hashable) -> datetime | None:
        """When ``key`` is tried again after a failure (None: at the next round)."""
        with self._lock:
            return self._not_before.get(key)

    def ready(self, key: Hashable, now: datetime) -> bool:
        until = self.waiting_until(key)
        return until is None or now >= until

    def forget(self) -> None:
        """Try every key at the next round (after a settings change, or in tests)."""
        with self._lock:
            self._failures.clear()
            self._not_before.clear()

    def attempt(
        self, key: Hashable, run: Callable[[], int], what: str, now: datetime, base: timedelta
    ) -> int | None:
        """Run one key's work; its count, 0 after a failure, None when there is no network."""
        log = self._log
        try:
            found = run()
        except NetworkUnavailable:
            log.info("%s: no network; trying again at the next check", what)
            return None
        except RateLimited as exc:
            self._wait(key, exc.retry_at, count=False)
            log.info("%s rate-limited until %s", what, exc.retry_at.isoformat())
            return 0
        except AuthExpired as exc:
            self._wait(key, now + self.cap)
            log.warning("%s: %s", what, exc.message)
            return 0
        except (AdapterError, UserError) as exc:
            self._wait(key, now + self._delay(key, base))
            log.warning("%s not read: %s", what, getattr(exc, "message", exc))
            return 0
        except Exception:
            self._wait(key, now + self._delay(key, base))
            log.exception("%s: unexpected failure", what)
            return 0
        with self._lock:
            self._failures.pop(key, None)
            self._not_before.pop(key, None)
        return found

    def _delay(self, key: Hashable, base: timedelta) -> timedelta:
        with self._lock:
            failures = self._failures.get(key, 0) + 1
        doubled: timedelta = base * (2 ** (failures - 1))
        return min(doubled, self.cap)

    def _wait(self, key: Hashable, until: datetime, *, count: bool = True) -> None:
        with self._lock:
            if count:
                self._failures[key] = self._failures.get(key, 0) + 1
            self._not_before[key] = until
