"""Feeds read on the housekeeper: every few minutes, the feeds that are due are read.

The task ticks every :data:`TICK` and :meth:`~cmdesk.services.ideas.IdeaService.refresh_all`
reads only the feeds not read for ``feed_refresh_minutes`` (a setting), so a changed interval
counts from the next tick, a window and the daemon running together do not read a feed twice
(the last read time is in the database), and a resumed feed is read within minutes.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from cmdesk.events import ChangeSet
from cmdesk.housekeeping import Housekeeper
from cmdesk.planning.ideas_dto import FeedRefresh

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext

log = logging.getLogger(__name__)

TASK_NAME = "feeds"
TICK = timedelta(minutes=5)
FIRST_DELAY = timedelta(seconds=30)


def refresh_interval(ctx: AppContext) -> timedelta:
    """The ``feed_refresh_minutes`` setting as a duration (60 minutes if it cannot be read)."""
    try:
        minutes = int(ctx.settings.get("feed_refresh_minutes"))
    except Exception:
        log.exception("feed_refresh_minutes cannot be read; reading feeds hourly")
        minutes = 60
    return timedelta(minutes=max(1, minutes))


def tick(ctx: AppContext) -> list[FeedRefresh]:
    """One round: read the due feeds of every workspace."""
    results = ctx.ideas.refresh_all(interval=refresh_interval(ctx))
    added = sum(r.new_ideas for r in results)
    if results:
        log.info("feeds: %d read, %d new ideas", len(results), added)
    return results


def register_upkeep(keeper: Housekeeper, ctx: AppContext) -> None:
    """Add the feed task; a resumed or new feed asks for an early tick."""
    keeper.add(TASK_NAME, TICK, lambda: tick(ctx), first_delay=FIRST_DELAY)

    def on_changes(changes: ChangeSet) -> None:
        if changes.ids("feed", "created") or changes.description == "Resume feed":
            keeper.run_soon(TASK_NAME)

    ctx.hub.subscribe(on_changes)
