"""PlanActions: every change of the plan is one undo step, undone and redone through the core."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PlacementInput, PostInput, SaveAs, VariantInput
from cmdesk.errors import UserError
from cmdesk.status import PostStatus, TargetState
from cmdesk.timeutil import at_wall_time
from ui import actions as actions_module
from ui.actions import PlanActions

# The fake clock reads Friday 2026-03-20 10:00 UTC (11:00 in Madrid).
TZ = "Europe/Madrid"


def madrid(day: date, hh: int, mm: int = 0) -> datetime:
    return at_wall_time(day, time(hh, mm), TZ)


@pytest.fixture
def ctx(empty_ctx: AppContext) -> AppContext:
    return empty_ctx


@pytest.fixture
def ws(ctx: AppContext) -> int:
    wid = ctx.workspaces.create("Brand", TZ).subject
    assert wid is not None
    return wid


@pytest.fixture
def chan(ctx: AppContext, ws: int) -> int:
    cid = ctx.channels.add(ws, "mastodon", "Masto", handle="@b@example.social").subject
    assert cid is not None
    return cid


@pytest.fixture
def actions(ctx: AppContext, qtbot: QtBot) -> PlanActions:
    a = PlanActions(ctx)
    a.show_errors = False
    return a


def new_post(
    ctx: AppContext,
    ws: int,
    title: str = "Launch teaser",
    *,
    at: datetime | None = None,
    channels: tuple[int, ...] = (),
    status: PostStatus = PostStatus.DRAFT,
) -> int:
    pid = ctx.plan.create_post(
        ws, PostInput(title=title, channel_ids=channels), status=status, scheduled_at=at
    ).subject
    assert pid is not None
    return pid


def test_move_to_day_is_one_step_named_after_the_post(
    ctx: AppContext, ws: int, actions: PlanActions, qtbot: QtBot
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    with qtbot.waitSignal(actions.performed) as sig:
        actions.move_to_day(pid, date(2026, 3, 31))
    assert sig.args == ["Move of 'Launch teaser'"]
    # Across the spring change in Madrid: 09:00 stays 09:00.
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 31), 9)
    assert actions.undo_stack.count() == 1
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 24), 9)
    actions.undo_stack.redo()
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 31), 9)


def test_edit_menu_actions_name_the_step_and_have_the_usual_shortcuts(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    undo = actions.create_undo_action(actions)
    redo = actions.create_redo_action(actions)
    assert (undo.text(), undo.isEnabled(), redo.isEnabled()) == ("Undo", False, False)
    assert "Ctrl+Z" in [k.toString() for k in undo.shortcuts()]
    assert {"Ctrl+Shift+Z", "Ctrl+Y"} <= {k.toString() for k in redo.shortcuts()}
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.reschedule(pid, madrid(date(2026, 3, 25), 10))
    assert undo.text() == "Undo move of 'Launch teaser'" and undo.isEnabled()
    undo.trigger()
    assert redo.text() == "Redo move of 'Launch teaser'" and undo.text() == "Undo"
    redo.trigger()
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 25), 10)


def test_a_refusal_raises_and_pushes_nothing(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    idea = new_post(ctx, ws, "Idea", status=PostStatus.IDEA)
    with pytest.raises(UserError, match="already passed"):
        actions.reschedule(pid, datetime(2026, 3, 1, 9, tzinfo=UTC))
    with pytest.raises(UserError, match="draft first"):
        actions.change_status_many([pid, idea], PostStatus.IN_REVIEW)
    with pytest.raises(UserError, match="no time yet"):
        actions.move_by(idea, timedelta(days=1))
    assert actions.undo_stack.count() == 0
    assert ctx.plan.get_post(pid).status == PostStatus.DRAFT


def test_status_change_of_many_posts_is_one_step(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    ids = [new_post(ctx, ws, f"P{i}") for i in range(3)]
    actions.change_status_many(ids, PostStatus.IN_REVIEW)
    assert actions.undo_stack.undoText() == "Status change of 3 posts"
    actions.undo_stack.undo()
    assert {ctx.plan.get_post(i).status for i in ids} == {PostStatus.DRAFT}
    actions.undo_stack.redo()
    assert {ctx.plan.get_post(i).status for i in ids} == {PostStatus.IN_REVIEW}


def test_undo_of_archiving_a_post_in_review(ctx: AppContext, ws: int, actions: PlanActions) -> None:
    pid = new_post(ctx, ws)
    actions.change_status(pid, PostStatus.IN_REVIEW)
    actions.change_status(pid, PostStatus.ARCHIVED)
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).status == PostStatus.IN_REVIEW
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).status == PostStatus.DRAFT


def test_keyboard_nudges_of_one_post_merge_into_one_step(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    start = madrid(date(2026, 3, 24), 9)
    pid = new_post(ctx, ws, at=start)
    other = new_post(ctx, ws, "Other", at=start)
    for _ in range(4):
        actions.move_by(pid, timedelta(minutes=15))
    actions.move_by(pid, timedelta(days=1))
    assert actions.undo_stack.count() == 1
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 25), 10)
    actions.move_by(other, timedelta(hours=1))
    assert actions.undo_stack.count() == 2
    actions.undo_stack.undo()
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).scheduled_at == start
    assert ctx.plan.get_post(other).scheduled_at == start


def test_nudges_back_to_the_start_leave_no_step(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.move_by(pid, timedelta(hours=1))
    actions.move_by(pid, timedelta(hours=-1))
    assert actions.undo_stack.count() == 0


def test_edit_undo_and_redo_bring_back_content_and_variants(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, channels=(chan,))
    rev = ctx.plan.get_post(pid).revision
    actions.save_post(
        pid,
        PostInput(title="Launch day", text="It is here", channel_ids=(chan,)),
        {chan: VariantInput(chan, text="Short version")},
        expected_revision=rev,
    )
    assert actions.undo_stack.undoText() == "Edit of 'Launch teaser'"
    actions.undo_stack.undo()
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.text, detail.variants) == ("Launch teaser", "", ())
    actions.undo_stack.redo()
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.variants[0].text) == ("Launch day", "Short version")


def test_bulk_delete_is_one_step_and_undo_restores_every_post(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    when = madrid(date(2026, 3, 24), 9)
    ids = [new_post(ctx, ws, f"P{i}", at=when, channels=(chan,)) for i in range(3)]
    ctx.plan.schedule_post(ids[0])
    actions.delete(ids)
    assert actions.undo_stack.undoText() == "Delete of 3 posts"
    assert ctx.plan.list_posts(ws) == []
    actions.undo_stack.undo()
    assert sorted(p.id for p in ctx.plan.list_posts(ws)) == ids
    scheduled = ctx.plan.get_post(ids[0])
    assert scheduled.status == PostStatus.SCHEDULED
    assert scheduled.targets[0].state == TargetState.QUEUED
    actions.undo_stack.redo()
    assert ctx.plan.list_posts(ws) == []


def test_restore_of_a_post_whose_time_passed_comes_back_as_a_draft_with_a_notice(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions, fake_clock: FakeClock, qtbot: QtBot
) -> None:
    when = madrid(date(2026, 3, 20), 12)
    pid = new_post(ctx, ws, at=when, channels=(chan,), status=PostStatus.SCHEDULED)
    actions.delete([pid])
    assert actions.undo_stack.undoText() == "Delete of 'Launch teaser'"
    fake_clock.advance(timedelta(hours=3))
    with qtbot.waitSignal(actions.notice) as sig:
        actions.undo_stack.undo()
    assert "back as a draft" in sig.args[0]
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.DRAFT, when)


def test_create_and_duplicate_undo_to_the_trash_and_redo_back(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    pid = actions.create_post(
        ws,
        PostInput(title="Fresh", channel_ids=(chan,)),
        {chan: VariantInput(chan, thread_parts=("a", "b"))},
    )
    copy = actions.duplicate(pid, at=madrid(date(2026, 3, 26), 9))
    assert actions.undo_stack.undoText() == "Duplicate of 'Fresh'"
    assert actions.undo_stack.text(0) == "Creation of 'Fresh'"
    actions.undo_stack.undo()
    assert [p.id for p in ctx.plan.list_posts(ws)] == [pid]
    actions.undo_stack.undo()
    assert ctx.plan.list_posts(ws) == []
    actions.undo_stack.redo()
    actions.undo_stack.redo()
    assert {p.id for p in ctx.plan.list_posts(ws)} == {pid, copy}
    assert ctx.plan.get_post(pid).variants[0].thread_parts == ("a", "b")


def test_unschedule_undo_queues_the_post_again(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    when = madrid(date(2026, 3, 24), 9)
    pid = new_post(ctx, ws, at=when, channels=(chan,), status=PostStatus.SCHEDULED)
    actions.unschedule(pid)
    assert ctx.plan.get_post(pid).scheduled_at is None
    actions.undo_stack.undo()
    detail = ctx.plan.get_post(pid)
    assert (detail.status, detail.scheduled_at) == (PostStatus.SCHEDULED, when)
    assert detail.targets[0].state == TargetState.QUEUED


def test_publish_now_is_not_an_undo_step(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, channels=(chan,))
    actions.publish_now(pid)
    assert actions.undo_stack.count() == 0
    assert ctx.plan.get_post(pid).status == PostStatus.SCHEDULED


def test_undo_after_a_change_made_elsewhere_says_why_and_drops_the_step(
    ctx: AppContext, ws: int, actions: PlanActions, qtbot: QtBot
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.change_status(pid, PostStatus.IN_REVIEW)
    actions.move_to_day(pid, date(2026, 3, 25))
    ctx.plan.move_post(pid, date(2026, 3, 27))  # another window
    with qtbot.waitSignal(actions.failed) as sig:
        actions.undo_stack.undo()
    assert "changed elsewhere" in sig.args[0] and sig.args[0].startswith("Could not undo move")
    assert ctx.plan.get_post(pid).scheduled_at == madrid(date(2026, 3, 27), 9)
    # The stale step is gone; the one before it still undoes.
    assert actions.undo_stack.count() == 1
    assert actions.undo_stack.undoText() == "Status change of 'Launch teaser'"
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).status == PostStatus.DRAFT
    assert actions.undo_stack.redoText() == "Status change of 'Launch teaser'"


def test_undo_of_an_edit_changed_elsewhere_keeps_their_text(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws)
    actions.save_post(pid, PostInput(title="Mine"), {})
    ctx.plan.update_post(pid, PostInput(title="Theirs"))
    actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).title == "Theirs"
    assert actions.undo_stack.count() == 0


def test_a_failed_redo_is_dropped_too(ctx: AppContext, ws: int, actions: PlanActions) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.move_to_day(pid, date(2026, 3, 25))
    actions.undo_stack.undo()
    ctx.history.trash([pid])  # deleted in another window
    actions.undo_stack.redo()
    assert actions.undo_stack.count() == 0 and not actions.undo_stack.canRedo()


def test_a_failed_undo_is_shown_after_the_stack_has_finished(
    ctx: AppContext,
    ws: int,
    actions: PlanActions,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(actions_module, "show_error", lambda _parent, exc: shown.append(str(exc)))
    actions.show_errors = True
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.move_to_day(pid, date(2026, 3, 25))
    ctx.plan.move_post(pid, date(2026, 3, 26))
    actions.undo_stack.undo()
    assert shown == []  # not from inside the stack's undo()
    qtbot.waitUntil(lambda: len(shown) == 1)
    assert "changed elsewhere" in shown[0]


def test_old_trash_is_purged_when_the_actions_start(
    ctx: AppContext, ws: int, fake_clock: FakeClock
) -> None:
    pid = new_post(ctx, ws)
    ctx.history.trash([pid])
    fake_clock.advance(timedelta(days=31))
    PlanActions(ctx)
    assert ctx.history.trashed_ids(ws) == []


def test_restore_from_the_trash_is_a_step_too(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws)
    ctx.history.trash([pid])  # deleted earlier, in another session
    actions.restore([pid])
    assert [p.id for p in ctx.plan.list_posts(ws)] == [pid]
    assert actions.undo_stack.undoText() == "Restore of 1 post"
    actions.undo_stack.undo()
    assert ctx.plan.list_posts(ws) == [] and ctx.history.trashed_ids(ws) == [pid]


def test_steps_grouped_in_a_macro_undo_together_and_a_stale_one_is_skipped(
    ctx: AppContext, ws: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    stack = actions.undo_stack
    stack.beginMacro("Save of 'Launch teaser'")
    actions.save_post(pid, PostInput(title="Launch day"), {})
    actions.reschedule(pid, madrid(date(2026, 3, 25), 9))
    stack.endMacro()
    assert stack.count() == 1
    stack.undo()
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.scheduled_at) == ("Launch teaser", madrid(date(2026, 3, 24), 9))
    stack.redo()
    ctx.plan.move_post(pid, date(2026, 3, 27))  # elsewhere
    stack.undo()  # the move cannot be undone; the edit still is
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.scheduled_at) == ("Launch teaser", madrid(date(2026, 3, 27), 9))
    stack.redo()
    stack.undo()
    assert ctx.plan.get_post(pid).title == "Launch teaser"


# --- a save with its status and time: one call, one transaction, one step ----------------------


def test_save_and_schedule_is_one_step_whose_undo_puts_back_content_status_and_time(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    old, when = madrid(date(2026, 3, 24), 9), madrid(date(2026, 3, 26), 18)
    pid = new_post(ctx, ws, at=old, channels=(chan,))
    actions.save_post(
        pid,
        PostInput(title="Launch day", channel_ids=(chan,)),
        {chan: VariantInput(chan, text="Short")},
        expected_revision=ctx.plan.get_post(pid).revision,
        placement=PlacementInput(SaveAs.SCHEDULED, when),
    )
    assert actions.undo_stack.count() == 1
    assert actions.undo_stack.undoText() == "Scheduling of 'Launch teaser'"
    actions.undo_stack.undo()
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.variants, detail.status) == ("Launch teaser", (), "draft")
    assert detail.scheduled_at == old and detail.targets[0].state == TargetState.PENDING
    actions.undo_stack.redo()
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.variants[0].text) == ("Launch day", "Short")
    assert (detail.status, detail.scheduled_at) == (PostStatus.SCHEDULED, when)
    assert detail.targets[0].state == TargetState.QUEUED


def test_a_refused_time_saves_nothing_and_adds_no_step(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions
) -> None:
    pid = new_post(ctx, ws, channels=(chan,), status=PostStatus.IN_REVIEW)
    with pytest.raises(UserError, match="approve it first"):
        actions.save_post(
            pid,
            PostInput(title="Mine", channel_ids=(chan,)),
            {chan: VariantInput(chan, text="Own")},
            placement=PlacementInput(SaveAs.SCHEDULED, madrid(date(2026, 3, 24), 9)),
        )
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.variants, detail.status) == ("Launch teaser", (), "in_review")
    assert detail.scheduled_at is None
    assert actions.undo_stack.count() == 0


def test_save_and_publish_now_is_not_an_undo_step_not_even_its_text(
    ctx: AppContext, ws: int, chan: int, actions: PlanActions, qtbot: QtBot
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9), channels=(chan,))
    actions.move_to_day(pid, date(2026, 3, 25))
    with qtbot.waitSignal(actions.performed) as sig:
        actions.save_post(
            pid,
            PostInput(title="Out now", channel_ids=(chan,)),
            {},
            placement=PlacementInput(SaveAs.PUBLISH_NOW),
        )
    assert sig.args == ["Publish now of 'Launch teaser'"]
    assert actions.undo_stack.count() == 1  # only the move before it
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.status, detail.scheduled_at) == (
        "Out now",
        PostStatus.SCHEDULED,
        ctx.clock.now(),
    )
    new_id = actions.create_post(
        ws,
        PostInput(title="Fresh", channel_ids=(chan,)),
        {},
        placement=PlacementInput(SaveAs.PUBLISH_NOW),
    )
    assert ctx.plan.get_post(new_id).status == PostStatus.SCHEDULED
    assert actions.undo_stack.count() == 1


def test_undo_of_a_save_moved_elsewhere_keeps_their_time_and_my_text(
    ctx: AppContext, ws: int, actions: PlanActions, qtbot: QtBot
) -> None:
    pid = new_post(ctx, ws, at=madrid(date(2026, 3, 24), 9))
    actions.save_post(
        pid,
        PostInput(title="Mine"),
        {},
        placement=PlacementInput(SaveAs.KEEP, madrid(date(2026, 3, 25), 9)),
    )
    assert actions.undo_stack.undoText() == "Edit of 'Launch teaser'"
    ctx.plan.move_post(pid, date(2026, 3, 27))  # another window
    with qtbot.waitSignal(actions.failed) as sig:
        actions.undo_stack.undo()
    assert "changed elsewhere" in sig.args[0]
    detail = ctx.plan.get_post(pid)
    assert (detail.title, detail.scheduled_at) == ("Mine", madrid(date(2026, 3, 27), 9))
    assert actions.undo_stack.count() == 0
