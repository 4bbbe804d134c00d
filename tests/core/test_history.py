"""Undoable changes: edits with their variants in one transaction, placements, the trash."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import update

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PlacementInput, PostFilter, PostInput, SaveAs, VariantInput
from cmdesk.errors import UserError, ValidationError
from cmdesk.models import Post, Target
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import utc_to_local
from tests.core.helpers import channel, madrid, post, workspace

# The fake clock reads 2026-03-20 10:00 UTC (11:00 in Madrid); Madrid springs forward on 29 March.


def _set_state(ctx: AppContext, pid: int, status: PostStatus, target: TargetState) -> None:
    """What the publishing engine would have done, written straight to the database."""
    with ctx.db.session() as s:
        s.execute(update(Post).where(Post.id == pid).values(status=status.value))
        s.execute(update(Target).where(Target.post_id == pid).values(state=target.value))


# --- content -----------------------------------------------------------------------------------


def test_save_post_writes_content_and_every_variant_in_one_step(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B", "bluesky")
    pid = post(ctx, wid, channels=(a,))
    data = PostInput(title="Launch", text="Soon", channel_ids=(a, b), notes="n")
    variants = {b: VariantInput(b, text="Short", options={"lang": "es"})}
    edit = ctx.history.save_post(pid, data, variants)
    before, after = edit.before, edit.after
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.channel_ids) == ("Launch", (a, b))
    assert [(v.channel_id, v.text, dict(v.options)) for v in detail.variants] == [
        (b, "Short", {"lang": "es"})
    ]
    assert before.data.title == "Launch teaser" and after.data.title == "Launch"
    assert after.revision == before.revision + 1 == detail.revision


def test_a_refused_variant_leaves_the_content_unchanged(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a, b = channel(ctx, wid, "A"), channel(ctx, wid, "B")
    pid = post(ctx, wid, channels=(a,))
    with pytest.raises(ValidationError, match="Add the channel"):
        ctx.history.save_post(pid, PostInput(title="New"), {b: VariantInput(b, text="x")})
    assert ctx.plan.get_post(pid).title == "Launch teaser"


def test_save_post_refuses_a_stale_revision(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    rev = ctx.plan.get_post(pid).revision
    ctx.plan.update_post(pid, PostInput(title="Changed elsewhere"))
    with pytest.raises(ValidationError, match="changed elsewhere"):
        ctx.history.save_post(pid, PostInput(title="Mine"), {}, expected_revision=rev)
    assert ctx.plan.get_post(pid).title == "Changed elsewhere"


def test_restore_content_undoes_an_edit_with_its_variants(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,))
    ctx.history.save_post(pid, PostInput(title="V1", channel_ids=(a,)), {a: VariantInput(a, "one")})
    edit = ctx.history.save_post(pid, PostInput(title="V2", channel_ids=(a,)), {})
    before, after = edit.before, edit.after
    undone = ctx.history.restore_content(before, current=after)
    detail = ctx.plan.get_post(pid)
    assert detail.title == "V1" and [v.text for v in detail.variants] == ["one"]
    ctx.history.restore_content(after, current=undone)
    assert ctx.plan.get_post(pid).title == "V2"


def test_restore_content_refuses_when_changed_elsewhere(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid)
    edit = ctx.history.save_post(pid, PostInput(title="Mine"), {})
    before, after = edit.before, edit.after
    ctx.plan.update_post(pid, PostInput(title="Theirs"))
    with pytest.raises(UserError, match="changed elsewhere"):
        ctx.history.restore_content(before, current=after)
    assert ctx.plan.get_post(pid).title == "Theirs"


def test_create_post_with_variants_scheduled(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    when = madrid(date(2026, 3, 24), 9)
    snap = ctx.history.create_post(
        wid,
        PostInput(title="New", channel_ids=(a,)),
        {a: VariantInput(a, thread_parts=("1/2", "2/2"))},
        status=PostStatus.SCHEDULED,
        scheduled_at=when,
    )
    detail = ctx.plan.get_post(snap.post_id)
    assert detail.status == PostStatus.SCHEDULED
    assert detail.targets[0].state == TargetState.QUEUED and detail.targets[0].due_at == when
    assert detail.variants[0].thread_parts == ("1/2", "2/2")


# --- a save with its status and time (the composer's buttons) ----------------------------------


def _texts(ctx: AppContext, pid: int) -> tuple[str, str, tuple[str | None, ...]]:
    detail = ctx.plan.get_post(pid)
    return detail.title, detail.text, tuple(v.text for v in detail.variants)


def test_save_and_schedule_is_one_step_and_its_undo_puts_back_all(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    when = madrid(date(2026, 3, 25), 10)
    edit = ctx.history.save_post(
        pid,
        PostInput(title="Launch", text="Now", channel_ids=(a,)),
        {a: VariantInput(a, text="Short")},
        placement=PlacementInput(SaveAs.SCHEDULED, when),
    )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == ("Launch", "scheduled", when)
    assert detail.targets[0].state == TargetState.QUEUED and detail.targets[0].due_at == when
    assert edit.placement is not None and edit.placement.before.status == PostStatus.DRAFT
    undone = ctx.history.apply_edit(edit.reversed())
    detail = ctx.plan.get_post(pid)
    assert _texts(ctx, pid) == ("Launch teaser", "Something is coming", ())
    assert (detail.status, detail.scheduled_at) == (PostStatus.DRAFT, madrid(date(2026, 3, 24), 9))
    assert detail.targets[0].state == TargetState.PENDING
    ctx.history.apply_edit(undone.reversed())
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == ("Launch", "scheduled", when)
    assert detail.variants[0].text == "Short" and detail.targets[0].state == TargetState.QUEUED


@pytest.mark.parametrize(
    ("status", "placement", "refusal"),
    [
        (
            PostStatus.DRAFT,
            PlacementInput(SaveAs.SCHEDULED, madrid(date(2026, 3, 19), 9)),
            "passed",
        ),
        (
            PostStatus.IN_REVIEW,
            PlacementInput(SaveAs.SCHEDULED, madrid(date(2026, 3, 25), 9)),
            "approve",
        ),
        (PostStatus.SCHEDULED, PlacementInput(SaveAs.KEEP, None), "unschedule it instead"),
        (PostStatus.DRAFT, PlacementInput(SaveAs.SCHEDULED, None), "Choose a date"),
    ],
)
def test_a_refused_status_or_time_leaves_the_content_unchanged(
    ctx: AppContext, status: PostStatus, placement: PlacementInput, refusal: str
) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    at = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, channels=(a,), at=at, status=status)
    rev = ctx.plan.get_post(pid).revision
    with pytest.raises(UserError, match=refusal):
        ctx.history.save_post(
            pid,
            PostInput(title="Changed", channel_ids=(a,)),
            {a: VariantInput(a, text="Own")},
            expected_revision=rev,
            placement=placement,
        )
    detail = ctx.plan.get_post(pid)
    assert _texts(ctx, pid) == ("Launch teaser", "Something is coming", ())
    assert (detail.status, detail.scheduled_at, detail.revision) == (status, at, rev)


def test_save_as_draft_without_a_time_unschedules(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(
        ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9), status=PostStatus.SCHEDULED
    )
    edit = ctx.history.save_post(
        pid, PostInput(title="Later", channel_ids=(a,)), {}, placement=PlacementInput(SaveAs.DRAFT)
    )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == ("Later", PostStatus.DRAFT, None)
    assert detail.targets[0].state == TargetState.PENDING
    ctx.history.apply_edit(edit.reversed())
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status) == ("Launch teaser", PostStatus.SCHEDULED)
    assert detail.targets[0].state == TargetState.QUEUED


def test_keep_with_the_same_past_time_saves_the_content(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    at = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, at=at)
    clock.set(at + timedelta(days=1))  # its time has passed: unchanged, it is not checked again
    edit = ctx.history.save_post(
        pid, PostInput(title="Recap"), {}, placement=PlacementInput(scheduled_at=at)
    )
    assert edit.placement is None and ctx.plan.get_post(pid).title == "Recap"


def test_save_and_publish_now_queues_at_once_even_a_failed_post(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    _set_state(ctx, pid, PostStatus.FAILED, TargetState.FAILED)
    ctx.history.save_post(
        pid,
        PostInput(title="Fixed", channel_ids=(a,)),
        {},
        placement=PlacementInput(SaveAs.PUBLISH_NOW),
    )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == ("Fixed", "scheduled", clock.now())
    assert (detail.targets[0].state, detail.targets[0].due_at) == (TargetState.QUEUED, clock.now())


def test_a_post_being_sent_refuses_the_whole_save(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    at = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, channels=(a,), at=at, status=PostStatus.SCHEDULED)
    with ctx.db.session() as s:
        s.execute(update(Target).where(Target.post_id == pid).values(payload={"text": "x"}))
    with pytest.raises(UserError, match="started sending"):
        ctx.history.save_post(
            pid,
            PostInput(title="Late", channel_ids=(a,)),
            {},
            placement=PlacementInput(SaveAs.DRAFT),
        )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == ("Launch teaser", "scheduled", at)


def test_undo_of_a_save_refuses_a_post_moved_elsewhere_and_changes_nothing(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 24), 9))
    edit = ctx.history.save_post(
        pid,
        PostInput(title="Mine"),
        {},
        placement=PlacementInput(scheduled_at=madrid(date(2026, 3, 25), 9)),
    )
    ctx.plan.move_post(pid, date(2026, 3, 27))  # another window
    with pytest.raises(UserError, match="changed elsewhere"):
        ctx.history.apply_edit(edit.reversed())
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.scheduled_at) == ("Mine", madrid(date(2026, 3, 27), 9))


def test_create_post_published_now_or_refused_whole(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    snap = ctx.history.create_post(
        wid,
        PostInput(title="Now", channel_ids=(a,)),
        {},
        placement=PlacementInput(SaveAs.PUBLISH_NOW),
    )
    assert (snap.status, snap.scheduled_at) == (PostStatus.SCHEDULED, clock.now())
    with pytest.raises(UserError, match="passed"):
        ctx.history.create_post(
            wid,
            PostInput(title="Past", channel_ids=(a,)),
            {a: VariantInput(a, text="v")},
            placement=PlacementInput(SaveAs.SCHEDULED, madrid(date(2026, 3, 19), 9)),
        )
    assert [p.id for p in ctx.plan.list_posts(wid)] == [snap.post_id]


# --- placement ---------------------------------------------------------------------------------


def test_move_and_its_undo(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 24), 9))
    change = ctx.history.move(pid, day=date(2026, 3, 31))
    # Across the spring change: 09:00 in Madrid stays 09:00.
    assert change.after.scheduled_at == madrid(date(2026, 3, 31), 9)
    ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 24), 9)
    ctx.history.apply_placements([change])
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 31), 9)


def test_nudges_by_a_day_keep_the_wall_clock_and_by_minutes_move_the_instant(
    ctx: AppContext,
) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 28), 9))
    after = ctx.history.move(pid, delta=timedelta(days=1)).after.scheduled_at
    assert after is not None and utc_to_local(after, "Europe/Madrid").hour == 9
    after = ctx.history.move(pid, delta=timedelta(minutes=-15)).after.scheduled_at
    assert after == madrid(date(2026, 3, 29), 8, 45)


def test_undo_of_a_move_refuses_a_time_that_has_passed(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 20), 12))
    change = ctx.history.move(pid, day=date(2026, 3, 22))
    clock.advance(timedelta(hours=3))
    with pytest.raises(ValidationError, match="already passed"):
        ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 22), 12)


def test_undo_refuses_a_post_moved_elsewhere(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, at=madrid(date(2026, 3, 24), 9))
    change = ctx.history.move(pid, day=date(2026, 3, 25))
    ctx.plan.move_post(pid, date(2026, 3, 26))
    with pytest.raises(UserError, match="changed elsewhere"):
        ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 26), 9)


def test_undo_of_giving_a_time_takes_it_away_again(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, status=PostStatus.IDEA)
    change = ctx.history.move(pid, when=madrid(date(2026, 3, 24), 9))
    ctx.history.apply_placements([change.reversed()])
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.IDEA, None)


def test_status_changes_of_many_posts_undo_together(ctx: AppContext) -> None:
    wid = workspace(ctx)
    ids = [post(ctx, wid, title=f"P{i}") for i in range(3)]
    changes = ctx.history.change_status(ids, PostStatus.IN_REVIEW)
    assert len(changes) == 3
    ctx.history.apply_placements([c.reversed() for c in changes])
    assert {ctx.plan.get_post(i).status for i in ids} == {PostStatus.DRAFT}


def test_a_refused_status_change_changes_no_post(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = post(ctx, wid, title="Fine")
    b = post(ctx, wid, title="Idea", status=PostStatus.IDEA)
    with pytest.raises(UserError, match=r"'Idea'.*draft first"):
        ctx.history.change_status([a, b], PostStatus.IN_REVIEW)
    assert ctx.plan.get_post(a).status == PostStatus.DRAFT


def test_undo_of_archiving_a_post_under_review_puts_it_back_in_review(ctx: AppContext) -> None:
    # archived -> in review is not a step a person may take, but it is the exact undo.
    wid = workspace(ctx)
    pid = post(ctx, wid, status=PostStatus.IN_REVIEW)
    (change,) = ctx.history.change_status([pid], PostStatus.ARCHIVED)
    ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).status == PostStatus.IN_REVIEW


def test_undo_of_archiving_a_published_post(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    _set_state(ctx, pid, PostStatus.PUBLISHED, TargetState.PUBLISHED)
    (change,) = ctx.history.change_status([pid], PostStatus.ARCHIVED)
    ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED


def test_undo_of_scheduling_is_refused_once_published(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    (change,) = ctx.history.change_status([pid], PostStatus.SCHEDULED)
    _set_state(ctx, pid, PostStatus.PUBLISHED, TargetState.PUBLISHED)
    with pytest.raises(UserError, match="changed elsewhere"):
        ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).status == PostStatus.PUBLISHED


def test_undo_of_scheduling_takes_the_post_out_of_the_queue(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    (change,) = ctx.history.change_status([pid], PostStatus.SCHEDULED)
    assert ctx.publishing.next_wakeup() is not None
    ctx.history.apply_placements([change.reversed()])
    detail = ctx.plan.get_post(pid)
    assert detail.status == PostStatus.DRAFT
    assert detail.targets[0].state == TargetState.PENDING


def test_undo_of_a_retry_is_refused_with_why(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    _set_state(ctx, pid, PostStatus.FAILED, TargetState.FAILED)
    (change,) = ctx.history.change_status([pid], PostStatus.SCHEDULED)
    with pytest.raises(UserError, match="queued to be sent again"):
        ctx.history.apply_placements([change.reversed()])
    assert ctx.plan.get_post(pid).status == PostStatus.SCHEDULED


def test_unschedule_and_its_undo(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    when = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, channels=(a,), at=when, status=PostStatus.SCHEDULED)
    change = ctx.history.unschedule(pid)
    assert (change.after.status, change.after.scheduled_at) == (PostStatus.DRAFT, None)
    ctx.history.apply_placements([change.reversed()])
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.SCHEDULED, when)
    assert detail.targets[0].state == TargetState.QUEUED


# --- trash -------------------------------------------------------------------------------------


def test_trashed_posts_leave_every_list_and_the_queue(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    when = madrid(date(2026, 3, 24), 9)
    gone = post(ctx, wid, channels=(a,), at=when, status=PostStatus.SCHEDULED)
    idea = post(ctx, wid, title="Idea without time")
    kept = post(ctx, wid, title="Kept", at=when)
    ctx.history.trash([gone, idea])
    assert [p.id for p in ctx.plan.list_posts(wid)] == [kept]
    assert ctx.plan.list_unscheduled(wid) == []
    days = ctx.plan.calendar_days(wid, date(2026, 3, 23), date(2026, 3, 25))
    assert [p.id for p in days.posts] == [kept] and days.day_counts == {date(2026, 3, 24): 1}
    assert ctx.plan.count_by_status(wid)[PostStatus.SCHEDULED] == 0
    assert (
        ctx.plan.list_window(wid, when - timedelta(days=1), when + timedelta(days=1))[0].id == kept
    )
    assert ctx.publishing.next_wakeup() is None or ctx.publishing.due_target_ids(10) == []
    with pytest.raises(UserError, match="does not exist"):
        ctx.plan.get_post(gone)
    assert ctx.history.trashed_ids(wid) == [idea, gone] or ctx.history.trashed_ids(wid) == [
        gone,
        idea,
    ]


def test_restore_puts_back_status_time_and_queue(ctx: AppContext, clock: FakeClock) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    when = madrid(date(2026, 3, 24), 9)
    pid = post(ctx, wid, channels=(a,), at=when, status=PostStatus.SCHEDULED)
    ctx.history.trash([pid])
    result = ctx.history.restore([pid])
    assert result.notes == ()
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.SCHEDULED, when)
    assert [(t.state, t.due_at) for t in detail.targets] == [(TargetState.QUEUED, when)]
    clock.set(when + timedelta(seconds=1))
    assert ctx.publishing.due_target_ids(10) == [detail.targets[0].id]


def test_restore_after_the_time_passed_gives_a_draft_and_says_so(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    when = madrid(date(2026, 3, 21), 9)
    pid = post(ctx, wid, channels=(a,), at=when, status=PostStatus.SCHEDULED)
    ctx.history.trash([pid])
    clock.set(when + timedelta(hours=2))
    result = ctx.history.restore([pid])
    assert len(result.notes) == 1 and "back as a draft" in result.notes[0]
    assert "already passed" in result.notes[0]
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.DRAFT, when)
    assert detail.targets[0].state == TargetState.PENDING


def test_trash_refuses_a_post_being_published(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    other = post(ctx, wid, title="Other")
    _set_state(ctx, pid, PostStatus.SCHEDULED, TargetState.PUBLISHING)
    with pytest.raises(UserError, match="being published"):
        ctx.history.trash([other, pid])
    assert {p.id for p in ctx.plan.list_posts(wid)} == {pid, other}


def test_purge_deletes_only_what_has_been_in_the_trash_for_30_days(
    ctx: AppContext, clock: FakeClock
) -> None:
    wid = workspace(ctx)
    old, recent = post(ctx, wid, title="Old"), post(ctx, wid, title="Recent")
    ctx.history.trash([old])
    clock.advance(timedelta(days=20))
    ctx.history.trash([recent])
    clock.advance(timedelta(days=11))
    assert ctx.history.purge_trash() == 1
    assert ctx.history.trashed_ids(wid) == [recent]
    with pytest.raises(UserError):
        ctx.history.restore([old])


def test_filters_never_bring_back_trashed_posts(ctx: AppContext) -> None:
    wid = workspace(ctx)
    pid = post(ctx, wid, title="Findme")
    ctx.history.trash([pid])
    assert ctx.plan.list_posts(wid, PostFilter(text="findme")) == []


def test_trash_refuses_a_post_waiting_for_a_sent_or_not_sent_answer(ctx: AppContext) -> None:
    wid = workspace(ctx)
    a = channel(ctx, wid)
    pid = post(ctx, wid, channels=(a,), at=madrid(date(2026, 3, 24), 9))
    _set_state(ctx, pid, PostStatus.SCHEDULED, TargetState.NEEDS_CONFIRMATION)
    with pytest.raises(UserError, match="went out"):
        ctx.history.trash([pid])
    assert ctx.history.trashed_ids(wid) == []
