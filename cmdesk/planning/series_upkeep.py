"""The series' periodic upkeep on the one ``Housekeeper``: horizons and evergreen runs.

Every hour (and soon after start) recurring series get the occurrences that came within their
horizon and evergreen series their next run when one is due. A change to a series asks for an
early tick, so a new evergreen series whose post already went out is re-run without waiting.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from cmdesk.events import ChangeSet
from cmdesk.housekeeping import Housekeeper

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext

TASK = "series"
EVERY = timedelta(hours=1)
FIRST_DELAY = timedelta(seconds=20)


def register_upkeep(keeper: Housekeeper, ctx: AppContext) -> None:
    """Add the series task to ``keeper``; a change to a series asks for an early tick."""
    series = ctx.series
    if series.slot_finder is None:
        series.slot_finder = ctx.queues.next_free_slots
    keeper.add(TASK, EVERY, series.upkeep, first_delay=FIRST_DELAY)

    def on_change(changes: ChangeSet) -> None:
        if changes.ids("series"):
            keeper.run_soon(TASK)

    ctx.hub.subscribe(on_change)
