"""The window and the daemon run the same upkeep: every part's tasks are on the housekeeper."""

from __future__ import annotations

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.upkeep import build_housekeeper

EVERY_PART = {"backups", "feeds", "ics_subscription", "listening_prune", "series"}


@pytest.mark.parametrize("daemon", [False, True])
def test_every_upkeep_task_is_registered(ctx: AppContext, daemon: bool) -> None:
    keeper = build_housekeeper(ctx, daemon=daemon)
    assert set(keeper.names) >= EVERY_PART
    # Each tick runs against an empty plan without failing (nothing to fetch, write or prune).
    for name in EVERY_PART - {"backups"}:
        assert keeper.run_now(name), name
