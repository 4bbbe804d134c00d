"""Core change sets from any thread, delivered as Qt signals on the GUI thread.

The core's :class:`~cmdesk.events.EventHub` calls its listeners on whatever thread made the change
(the GUI thread for a click, a scheduler worker for a publication). Widgets may only be touched on
the GUI thread, so the bridge forwards every change set through a queued connection.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal, Slot

from cmdesk.events import ChangeSet, EventHub


class EventBridge(QObject):
    """Re-emits the hub's change sets on the thread this object lives in (the GUI thread).

    Signals:
        changed(ChangeSet): one change set, delivered from the event loop. Delivery is always
            queued, even for changes made on the GUI thread, so a slot never runs in the middle
            of the service call that caused it.
    """

    changed = Signal(object)
    # Emitted by the hub's thread; its queued connection hops to this object's thread.
    _arrived = Signal(object)

    def __init__(self, hub: EventHub, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._arrived.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        counts = self._counts = _Counts()
        arrived = self._arrived.emit

        def forward(changes: ChangeSet) -> None:
            counts.emitted += 1  # on the hub's thread, when the change is made
            arrived(changes)

        self._unsubscribe = hub.subscribe(forward)
        # A plain function, not a bound method: it must still work while the object is dying.
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: unsubscribe())

    def close(self) -> None:
        """Stop listening to the hub (also done automatically when the object is destroyed)."""
        self._unsubscribe()

    @property
    def emitted(self) -> int:
        """How many change sets the core has made so far (delivered or still on their way)."""
        return self._counts.emitted

    @property
    def delivering(self) -> int:
        """The number of the change set being delivered now (1 for the first)."""
        return self._counts.delivered

    @Slot(object)
    def _deliver(self, changes: ChangeSet) -> None:
        # Deliveries keep the order of emission (one queued connection), so this is the
        # number the change set had when it was made.
        self._counts.delivered += 1
        self.changed.emit(changes)


class _Counts:
    """Change sets made and delivered, kept apart from the QObject that may die first."""

    def __init__(self) -> None:
        self.emitted = 0
        self.delivered = 0
