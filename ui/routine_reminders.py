"""Routine reminders in the window: "Routine: 2 tasks waiting — Answer replies, Check …".

``RoutineReminders`` looks every ``POLL_MS`` (and soon after a routine task changes, so a
reminder time set in the past counts at once) whether a task's reminder time has come on a day it
is due and it is still not done. What is due is claimed through ``RoutineService.claim_reminders``
(one claim for the window and the daemon, so each task is reminded once per period) and shown as
one notification per workspace through the notifier.

During quiet hours it claims nothing: the reminders stay due, and the first look after quiet
hours end (``Notifier.quiet_ended``) gives them, with their own wording rather than folded into
the summary of held notifications. Clicking one of its notifications emits ``open_requested``
with the workspace, for the window to show the Routine page.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.planning.routine_store import describe_reminders, group_by_workspace
from ui.hub_watcher import HubWatcher
from ui.notifier import Notification, NotificationKind, Notifier

log = logging.getLogger(__name__)

#: How often to look whether a reminder time has come.
POLL_MS = 60_000
#: After a change to the routine, look this much later (once per burst).
SOON_MS = 1_500
#: How many of our own notifications are remembered to recognise a click on one.
REMEMBER = 50


class RoutineReminders(HubWatcher):
    """Reminds of routine tasks through the notifier.

    Signals:
        reminded(object): the list of ``ReminderDue`` just announced.
        open_requested(int): one of its notifications was clicked: show the Routine page of
            this workspace id (0 when the reminder spoke of several workspaces).
    """

    reminded = Signal(object)
    open_requested = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        notifier: Notifier,
        parent: QObject | None = None,
        *,
        poll_ms: int = POLL_MS,
        soon_ms: int = SOON_MS,
    ) -> None:
        super().__init__(ctx, parent, fire=self.check, poll=self.check, poll_ms=poll_ms)
        self.ctx = ctx
        self._notifier = notifier
        self._soon_ms = soon_ms
        self._mine: list[Notification] = []
        notifier.quiet_ended.connect(self.check)
        notifier.activated.connect(self._activated)

    def start(self) -> None:
        """Begin looking (the first look comes at once)."""
        self._poll.start()
        self._timer.start(0)

    def on_changes(self, changes: ChangeSet) -> None:
        if changes.ids("routine_task") and not self._closed and not self._timer.isActive():
            self._timer.start(self._soon_ms)

    def check(self) -> list[Notification]:
        """Claim and show the reminders due now; returns the notifications shown."""
        if self._closed or self._notifier.is_quiet():
            return []
        try:
            due = self.ctx.routine.claim_reminders()
        except Exception:
            # A reminder is a courtesy: a failing read must not break the window.
            log.exception("could not read the routine reminders")
            return []
        shown: list[Notification] = []
        for workspace_id, group in group_by_workspace(due).items():
            title, message = describe_reminders(group)
            try:
                note = self._notifier.notify(
                    title, message, NotificationKind.INFO, workspace_id=workspace_id
                )
            except Exception:
                log.exception("could not show a routine reminder")
                self.ctx.routine.release_reminders(group)
                continue
            shown.append(note)
        self._mine = [*self._mine, *shown][-REMEMBER:]
        if due:
            self.reminded.emit(due)
        return shown

    def _activated(self, note: Notification) -> None:
        if any(n is note for n in self._mine):
            self.open_requested.emit(note.workspace_id or 0)
