"""Posts that need the person: failed, missed, or a delivery to confirm as sent or not."""

from __future__ import annotations

from datetime import timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PostFilter
from cmdesk.status import PostStatus
from tests.core.helpers import channel, post, workspace


def _delivered_badly(ctx: AppContext, clock: FakeClock, wid: int, cid: int, *, fail: bool) -> int:
    """A scheduled post whose delivery failed, or ended ambiguously (sent or not?)."""
    due = clock.now() + timedelta(minutes=5)
    pid = post(ctx, wid, channels=(cid,), at=due, status=PostStatus.SCHEDULED)
    clock.advance(timedelta(minutes=5))
    (target,) = ctx.plan.get_post(pid).targets
    assert ctx.publishing.claim(target.id, "tester") is not None
    if fail:
        ctx.publishing.fail(target.id, "tester", "The server refused the image.")
    else:
        ctx.publishing.ambiguous(target.id, "tester", "The connection dropped after sending.")
    return pid


def test_attention_filter_finds_failed_and_unconfirmed_posts(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    calm = post(
        ctx, wid, channels=(cid,), at=clock.now() + timedelta(days=2), status=PostStatus.SCHEDULED
    )
    unsure = _delivered_badly(ctx, clock, wid, cid, fail=False)
    failed = _delivered_badly(ctx, clock, wid, cid, fail=True)
    assert ctx.plan.get_post(failed).status == PostStatus.FAILED
    assert ctx.plan.get_post(unsure).status == PostStatus.SCHEDULED  # the post itself looks fine
    assert ctx.plan.count_to_confirm(wid) == 1
    found = {p.id for p in ctx.plan.list_posts(wid, PostFilter(needs_attention=True))}
    assert found == {unsure, failed}
    assert calm in {p.id for p in ctx.plan.list_posts(wid, PostFilter())}
    assert not PostFilter(needs_attention=True).is_empty()
    (target,) = ctx.plan.get_post(unsure).targets
    ctx.publishing.confirm(target.id, sent=True)
    assert ctx.plan.count_to_confirm(wid) == 0
