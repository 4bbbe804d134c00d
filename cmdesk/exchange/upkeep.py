"""The subscribed calendar: one ``.ics`` file per workspace kept up to date in a chosen folder.

With the ``ics_folder`` setting set, ``<folder>/<workspace name>.ics`` holds the workspace's
scheduled and published posts from :data:`DAYS_BACK` days ago onwards. The file is written every
:data:`EVERY` and a moment after any change to the plan (a burst of changes is one write), and only
when its content changed, so a calendar application polling it sees a new modification time only
when there is something new. Each write is atomic.
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.exchange.files import write_atomic
from cmdesk.housekeeping import Housekeeper

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext

log = logging.getLogger(__name__)

TASK = "ics_subscription"
EVERY = timedelta(minutes=15)
DAYS_BACK = 90
#: Change sets about these kinds can change what a calendar file shows.
_KINDS = frozenset({"post", "target", "campaign", "tag", "channel", "workspace"})
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


def subscription_path(folder: str | Path, workspace_name: str) -> Path:
    """Where a workspace's file goes: its name made safe for any file system."""
    stem = _UNSAFE.sub("-", workspace_name).strip(" .-") or "workspace"
    return Path(folder).expanduser() / f"{stem[:100]}.ics"


def write_subscriptions(ctx: AppContext) -> list[Path]:
    """Write each workspace's file if its content changed; returns the files written."""
    folder_setting = str(ctx.settings.get("ics_folder") or "").strip()
    if not folder_setting:
        return []
    folder = Path(folder_setting).expanduser()
    if not folder.is_dir():
        log.warning("the calendar folder %s does not exist; no .ics file written", folder)
        return []
    start = (ctx.clock.now() - timedelta(days=DAYS_BACK)).date()
    written: list[Path] = []
    for ws in ctx.workspaces.list():
        data, _count = ctx.exchange.render_ics(ws.id, start=start)
        path = subscription_path(folder, ws.name)
        try:
            if path.is_file() and path.read_bytes() == data:
                continue
        except OSError:
            pass  # unreadable: write it again
        try:
            write_atomic(path, data)
        except UserError as exc:
            log.warning("could not write the calendar file: %s", exc.message)
            continue
        written.append(path)
    return written


def concerns_calendar(changes: ChangeSet) -> bool:
    """Whether a change can alter a calendar file (a post, a label, the folder setting...)."""
    if changes.description == "setting:ics_folder":
        return True
    pools = (changes.created, changes.updated, changes.deleted)
    return any(kind in _KINDS for pool in pools for kind, _id in pool)


def register_upkeep(keeper: Housekeeper, ctx: AppContext) -> None:
    """Keep the subscribed files current: every 15 minutes, and soon after plan changes."""
    keeper.add(TASK, EVERY, lambda: write_subscriptions(ctx), first_delay=timedelta(seconds=20))

    def on_change(changes: ChangeSet) -> None:
        if concerns_calendar(changes):
            keeper.run_soon(TASK)

    ctx.hub.subscribe(on_change)
