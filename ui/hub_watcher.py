"""The base of the notification watchers: a delayed look, a periodic look, the hub's change sets.

``PublishingAlerts`` (ui/notifications.py) and the inbox watchers (ui/inbox_alerts.py) all wait
a moment after a burst of change sets before looking at the database, and look every so often
anyway, because another process (the daemon) changes the database without a change set here.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from ui.bridge import EventBridge


class HubWatcher(QObject):
    """A delayed look, a periodic look and the hub's change sets, for a subclass to use.

    ``fire`` runs once the single-shot ``_timer`` ends (its interval set by the subclass or at
    each start); ``poll`` runs every ``poll_ms`` once ``_poll`` is started; change sets arrive at
    :meth:`on_changes`. No signals of its own.
    """

    def __init__(
        self,
        ctx: AppContext,
        parent: QObject | None,
        *,
        fire: Callable[[], object],
        poll: Callable[[], object],
        poll_ms: int,
    ) -> None:
        super().__init__(parent)
        self._closed = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(fire)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(poll)
        self.bridge = EventBridge(ctx.hub, self)
        self.bridge.changed.connect(self.on_changes)

    def on_changes(self, changes: ChangeSet) -> None:
        """A change in the plan or the inbox (subclasses decide whether it matters)."""

    def close(self) -> None:
        """Stop listening and looking (the window is closing for good)."""
        self._closed = True
        self.bridge.close()
        self._timer.stop()
        self._poll.stop()
