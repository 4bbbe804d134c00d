"""Which deliveries went wrong since a moment: failed, missed and undecided, in every workspace."""

from __future__ import annotations

from datetime import date, timedelta

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PostInput
from cmdesk.services.alerts import AlertService, post_label
from cmdesk.status import PostStatus, TargetState
from tests.core.helpers import channel, madrid, workspace

DUE = madrid(date(2026, 3, 20), 12)
OWNER = "testhost:1:abc"


def scheduled(ctx: AppContext, wid: int, cid: int, title: str = "", text: str = "Hola") -> int:
    pid = ctx.plan.create_post(
        wid,
        PostInput(title=title, text=text, channel_ids=(cid,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=DUE,
    ).subject
    assert pid is not None
    return pid


def target_id(ctx: AppContext, pid: int) -> int:
    return ctx.plan.get_post(pid).targets[0].id


def fail(ctx: AppContext, pid: int, message: str) -> int:
    tid = target_id(ctx, pid)
    assert ctx.publishing.claim(tid, OWNER) is not None
    ctx.publishing.fail(tid, OWNER, message)
    return tid


def test_failed_missed_and_undecided_since_a_moment(ctx: AppContext, clock: FakeClock) -> None:
    alerts = AlertService(ctx.db, ctx.clock, ctx.hub)
    bakery = workspace(ctx, "Bakery", "Europe/Madrid")
    books = workspace(ctx, "Books", "America/New_York")
    masto = channel(ctx, bakery, "Bakery · Mastodon")
    sky = channel(ctx, books, "Books · Bluesky", network="bluesky")
    failed = scheduled(ctx, bakery, masto, title="Sourdough day")
    undecided = scheduled(ctx, books, sky, text="Staff picks\nare in")
    missed = scheduled(ctx, books, sky, text="asleep")
    fine = scheduled(ctx, bakery, masto, title="Fine")
    start = clock.now()
    assert alerts.problems_since(start) == []

    clock.set(DUE + timedelta(seconds=5))
    fail(ctx, failed, "Reconnect the channel.")
    tid = target_id(ctx, undecided)
    assert ctx.publishing.claim(tid, OWNER) is not None
    ctx.publishing.ambiguous(tid, OWNER, "Check the account, then mark it as sent.")
    clock.set(DUE + timedelta(hours=1))
    ctx.publishing.mark_missed(timedelta(minutes=15))  # the last two were never tried

    problems = alerts.problems_since(start)
    by_post = {p.post_id: p for p in problems}
    assert set(by_post) == {failed, undecided, missed, fine}
    assert by_post[failed].state is TargetState.FAILED
    assert by_post[failed].workspace_name == "Bakery"
    assert by_post[failed].channel_name == "Bakery · Mastodon"
    assert by_post[failed].post_label == "Sourdough day"
    assert by_post[failed].error == "Reconnect the channel."
    assert by_post[undecided].state is TargetState.NEEDS_CONFIRMATION
    assert by_post[undecided].post_label == "Staff picks"  # first line when there is no title
    assert by_post[missed].state is TargetState.MISSED
    assert by_post[missed].workspace_id == books
    assert [p.at for p in problems] == sorted(p.at for p in problems)  # oldest first

    # Only what changed after the moment asked about.
    later = alerts.problems_since(DUE + timedelta(minutes=30))
    assert {p.post_id for p in later} == {missed, fine}


def test_a_delivery_that_is_fixed_is_no_longer_a_problem(ctx: AppContext, clock: FakeClock) -> None:
    alerts = AlertService(ctx.db, ctx.clock, ctx.hub)
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = scheduled(ctx, wid, cid)
    start = clock.now()
    clock.set(DUE + timedelta(seconds=5))
    fail(ctx, pid, "Too long for this network.")
    assert [p.post_id for p in alerts.problems_since(start)] == [pid]
    ctx.plan.publish_now(pid)  # the person sends it again
    assert alerts.problems_since(start) == []


def test_a_failed_post_deleted_into_the_trash_is_not_a_problem(
    ctx: AppContext, clock: FakeClock
) -> None:
    alerts = AlertService(ctx.db, ctx.clock, ctx.hub)
    wid = workspace(ctx)
    cid = channel(ctx, wid)
    pid = scheduled(ctx, wid, cid)
    start = clock.now()
    clock.set(DUE + timedelta(seconds=5))
    fail(ctx, pid, "Too long for this network.")
    assert [p.post_id for p in alerts.problems_since(start)] == [pid]
    ctx.history.trash([pid])
    assert alerts.problems_since(start) == []
    ctx.history.restore([pid])
    assert [p.post_id for p in alerts.problems_since(start)] == [pid]


def test_post_label() -> None:
    assert post_label("  Title ", "text") == "Title"
    assert post_label("", "\n\n  first line \nsecond") == "first line"
    assert post_label("", "") == "Untitled post"
    long = post_label("", "x" * 200)
    assert len(long) == 60 and long.endswith("…")
