"""Listening's upkeep: old found posts are pruned on the housekeeper.

Every :data:`EVERY` the posts that saved searches found are pruned to the last
``listening_keep_days`` days and at most ``listening_keep_per_search`` per search (Settings), so
the Listening tab and the database stay small however long cmdesk runs. Pruned posts are not
read again: each search's cursor stays where it was.

The window and ``cmdesk daemon`` call :func:`register_upkeep` on their ``Housekeeper``.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from cmdesk.housekeeping import Housekeeper

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext

log = logging.getLogger(__name__)

TASK = "listening_prune"
EVERY = timedelta(hours=6)
FIRST_DELAY = timedelta(minutes=2)


def prune_listened(ctx: AppContext) -> int:
    """Prune now, by the settings; returns how many posts were removed."""
    days = int(ctx.settings.get("listening_keep_days"))
    per_search = int(ctx.settings.get("listening_keep_per_search"))
    gone = ctx.listening.prune(keep_days=days, keep_per_search=per_search)
    if gone:
        log.info("%d old listened posts removed", gone)
    return gone


def register_upkeep(keeper: Housekeeper, ctx: AppContext) -> None:
    """Prune listened posts every few hours on ``keeper``."""
    keeper.add(TASK, EVERY, lambda: prune_listened(ctx), first_delay=FIRST_DELAY)
