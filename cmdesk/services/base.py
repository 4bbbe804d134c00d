"""What every service shares: the database, the clock, the event hub, one transaction per call."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import requests
from sqlalchemy.orm import Session

from cmdesk.adapters.base import Adapter
from cmdesk.adapters.http import make_session
from cmdesk.adapters.registry import AdapterRegistry
from cmdesk.clock import Clock
from cmdesk.credentials import CredentialStore
from cmdesk.db import Database
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet, EventHub


class Service:
    """Base of the services: owns transactions, emits change sets after they commit."""

    def __init__(self, db: Database, clock: Clock, hub: EventHub) -> None:
        self.db = db
        self.clock = clock
        self.hub = hub

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self.db.session(write=True) as s:
            yield s

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self.db.session(write=False) as s:
            yield s

    def _emit(self, changes: ChangeSet) -> ChangeSet:
        """Tell listeners once the transaction has committed, and hand the change set back."""
        self.hub.emit(changes)
        return changes


class NetworkService(Service):
    """A service that reads from the networks: stored sign-ins, the adapters, HTTP sessions.

    Each thread (a poller's job, the window's task runner) keeps its own ``requests.Session``:
    sessions are not safe to share across threads, and one per call would lose keep-alive.
    """

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        credentials: CredentialStore,
        adapters: AdapterRegistry,
        http_factory: Callable[[], requests.Session] = make_session,
    ) -> None:
        super().__init__(db, clock, hub)
        self.credentials = credentials
        self.adapters = adapters
        self._http_factory = http_factory
        self._local = threading.local()

    def _http(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "http", None)
        if session is None:
            session = self._local.http = self._http_factory()
        return session

    def _adapter(self, network: str) -> Adapter | None:
        """The adapter of ``network``, or None where cmdesk has none."""
        try:
            return self.adapters.get(network)
        except UserError:
            return None
