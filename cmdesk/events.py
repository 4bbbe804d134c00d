"""Change sets and a small thread-safe listener hub.

Every service call that changes the plan returns a :class:`ChangeSet` and also emits it on the
:class:`EventHub`, so that views (through ``ui.bridge``), the scheduler and other listeners learn what
changed without polling. Listeners may be called from any thread; the hub holds no Qt objects.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

EntityKind = Literal[
    "workspace",
    "channel",
    "post",
    "target",
    "campaign",
    "tag",
    "setting",
    "queue_slot",
    "series",
    "hashtag_group",
    "snippet",
    "routine_task",
    "idea",
    "feed",
]


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """What one service call changed, as (kind, id) pairs."""

    created: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    updated: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    deleted: frozenset[tuple[str, int]] = field(default_factory=frozenset)
    description: str = ""
    #: The id of the entity the action was about (the new post of a create or duplicate).
    subject: int | None = None

    @classmethod
    def of(
        cls,
        *,
        created: Iterable[tuple[str, int]] = (),
        updated: Iterable[tuple[str, int]] = (),
        deleted: Iterable[tuple[str, int]] = (),
        description: str = "",
        subject: int | None = None,
    ) -> ChangeSet:
        return cls(frozenset(created), frozenset(updated), frozenset(deleted), description, subject)

    def ids(
        self, kind: str, which: Literal["created", "updated", "deleted", "any"] = "any"
    ) -> set[int]:
        """The ids of one kind of entity touched in the given way."""
        pools = {
            "created": (self.created,),
            "updated": (self.updated,),
            "deleted": (self.deleted,),
            "any": (self.created, self.updated, self.deleted),
        }[which]
        return {eid for pool in pools for (k, eid) in pool if k == kind}

    @property
    def empty(self) -> bool:
        return not (self.created or self.updated or self.deleted)


Listener = Callable[[ChangeSet], None]


class EventHub:
    """Fan-out of change sets to listeners; safe to use from several threads.

    A listener that raises is logged and does not stop the others: one broken view must not keep
    the scheduler from learning that a post moved.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it again."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def emit(self, changes: ChangeSet) -> None:
        if changes.empty:
            return
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(changes)
            except Exception:
                log.exception("a change listener failed")
