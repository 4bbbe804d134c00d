"""Old listened posts are pruned on the housekeeper: by age and beyond a number per search."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet
from cmdesk.housekeeping import Housekeeper
from cmdesk.listening.upkeep import TASK, prune_listened, register_upkeep
from tests.core.helpers import channel, workspace
from tests.ui.listening_rows import add_posts


def _searches(ctx: AppContext) -> tuple[int, int, int]:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    return (
        wid,
        ctx.listening.add(wid, cid, "query", "books"),
        ctx.listening.add(wid, cid, "hashtag", "cafe"),
    )


def test_prune_by_age_and_by_count_per_search(
    ctx: AppContext, clock: FakeClock, events: list[ChangeSet]
) -> None:
    wid, books, cafe = _searches(ctx)
    add_posts(ctx, books, 30)  # one a minute, the newest a minute ago
    add_posts(ctx, cafe, 5)
    clock.advance(timedelta(days=10))
    add_posts(ctx, cafe, 3)  # found later: ten days newer
    assert ctx.listening.prune(keep_days=5, keep_per_search=1000) == 35  # the old ones
    assert len(ctx.listening.list_results(wid, limit=500)) == 3
    assert "old listened posts removed" in events[-1].description
    add_posts(ctx, books, 30)
    gone = ctx.listening.prune(keep_days=90, keep_per_search=12)
    assert gone == 18
    kept = ctx.listening.list_results(wid, books, limit=500)
    assert len(kept) == 12 and kept[0].text == "Books post 29" and kept[-1].text == "Books post 18"
    assert len(ctx.listening.list_results(wid, cafe, limit=500)) == 3  # under the limit
    assert ctx.listening.prune(keep_days=90, keep_per_search=12) == 0
    with pytest.raises(ValidationError):
        ctx.listening.prune(keep_days=0, keep_per_search=12)


def test_pruned_posts_are_not_read_again_and_paging_still_works(ctx: AppContext) -> None:
    wid, books, _cafe = _searches(ctx)
    add_posts(ctx, books, 250)
    ctx.listening.prune(keep_days=90, keep_per_search=120)
    first = ctx.listening.list_results(wid, books, limit=100)
    last = first[-1]
    rest = ctx.listening.list_results(wid, books, limit=100, before=(last.created_at, last.id))
    assert len(first) == 100 and len(rest) == 20
    assert not {p.id for p in first} & {p.id for p in rest}


def test_the_upkeep_task_reads_the_settings(ctx: AppContext, clock: FakeClock) -> None:
    wid, books, _cafe = _searches(ctx)
    add_posts(ctx, books, 150)
    ctx.settings.set("listening_keep_per_search", 100)
    assert ctx.settings.get("listening_keep_days") == 90
    keeper = Housekeeper()
    register_upkeep(keeper, ctx)
    assert TASK in keeper.names
    assert keeper.run_now(TASK)
    assert len(ctx.listening.list_results(wid, books, limit=500)) == 100
    clock.advance(timedelta(days=91))
    assert prune_listened(ctx) == 100
    with pytest.raises(ValidationError):
        ctx.settings.set("listening_keep_per_search", 5)
