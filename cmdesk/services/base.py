"""What every service shares: the database, the clock, the event hub, one transaction per call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from cmdesk.clock import Clock
from cmdesk.db import Database
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
