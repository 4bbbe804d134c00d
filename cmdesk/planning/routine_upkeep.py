"""Routine reminders from ``cmdesk daemon``: through ``notify-send`` when the desktop has it.

The window's ``ui.routine_reminders.RoutineReminders`` is the better messenger (its notification
opens the Routine page), so the daemon claims only reminders whose time passed at least
``DAEMON_DELAY`` ago: with a window open, the window has claimed them by then. Quiet hours hold
the daemon too: it claims nothing during them, and the first look after them reminds at once.
A reminder that could not be shown is handed back for the next look (or the window).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from cmdesk.planning.routine_store import describe_reminders, group_by_workspace
from cmdesk.services.alerts import QuietHours
from cmdesk.services.desktop_notify import Show, notify_send, notify_send_available

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext
    from cmdesk.housekeeping import Housekeeper

log = logging.getLogger(__name__)

UPKEEP_NAME = "routine-reminders"
LOOK_EVERY = timedelta(minutes=1)
DAEMON_DELAY = timedelta(minutes=2)


def remind_tick(ctx: AppContext, show: Show) -> int:
    """One look: show what is due (one notification per workspace); returns how many were shown."""
    if QuietHours.from_settings(ctx.settings.all()).active(ctx.clock.now()):
        return 0
    shown = 0
    for group in group_by_workspace(ctx.routine.claim_reminders(older_than=DAEMON_DELAY)).values():
        title, message = describe_reminders(group)
        if show(title, message):
            shown += 1
        else:
            ctx.routine.release_reminders(group)
    return shown


def register_upkeep(keeper: Housekeeper, ctx: AppContext, *, show: Show | None = None) -> None:
    """Remind from the daemon every minute, when a desktop can show notifications."""
    if show is None:
        if not notify_send_available():
            log.info("no notify-send: routine reminders are left to the window")
            return
        show = notify_send
    chosen = show
    keeper.add(UPKEEP_NAME, LOOK_EVERY, lambda: remind_tick(ctx, chosen))
