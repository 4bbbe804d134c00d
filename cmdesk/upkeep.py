"""Every piece of periodic upkeep, registered on one housekeeper for the window or the daemon.

The window and ``cmdesk daemon`` both call :func:`build_housekeeper`; what differs is who
reminds of routine tasks: the window has its own watcher (its notification opens the Routine
page), the daemon reminds through ``notify-send``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cmdesk.housekeeping import Housekeeper

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext


def build_housekeeper(ctx: AppContext, *, daemon: bool) -> Housekeeper:
    """A housekeeper with every upkeep task of this context registered (not started)."""
    from cmdesk.exchange import upkeep as calendar_file
    from cmdesk.listening import upkeep as listening
    from cmdesk.planning import feed_upkeep, routine_upkeep, series_upkeep
    from cmdesk.services import backups

    keeper = Housekeeper()
    series_upkeep.register_upkeep(keeper, ctx)
    feed_upkeep.register_upkeep(keeper, ctx)
    calendar_file.register_upkeep(keeper, ctx)
    backups.register_upkeep(keeper, ctx)
    listening.register_upkeep(keeper, ctx)
    if daemon:
        routine_upkeep.register_upkeep(keeper, ctx)
    return keeper
