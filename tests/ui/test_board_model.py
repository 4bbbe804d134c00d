"""The board's model: structure, the posts' MIME drops onto columns, refusals and undo."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from PySide6.QtCore import QModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.clock import FakeClock
from cmdesk.dto import PostFilter, PostInput
from cmdesk.status import PostStatus
from ui.actions import PlanActions
from ui.models.board import BoardModel, BoardRole, DropState, refusal
from ui.models.board_data import BOARD_STATUSES, load_board
from ui.models.mime import POST_MIME_TYPE, decode_posts, encode_posts


def _model(ctx: AppContext, *, per_column: int = 200) -> tuple[BoardModel, PlanActions, int]:
    ws = ctx.workspaces.list()[0]
    actions = PlanActions(ctx)
    model = BoardModel()
    model.set_context(ws.id, ws.timezone, ctx.channels.list(ws.id), ctx.plan.list_campaigns(ws.id))
    model.set_columns(load_board(ctx, ws.id, PostFilter(), per_column=per_column))

    def mover(ids: object, status: PostStatus) -> None:
        actions.change_status_many(list(ids), status)  # type: ignore[call-overload]

    model.mover = mover
    return model, actions, ws.id


def _reload(ctx: AppContext, model: BoardModel, ws_id: int) -> None:
    model.set_columns(load_board(ctx, ws_id, PostFilter()))


def test_model_passes_the_model_tester(qtmodeltester: ModelTester, demo_ctx: AppContext) -> None:
    model, _actions, _ws = _model(demo_ctx)
    qtmodeltester.check(model)
    assert model.rowCount() == len(BOARD_STATUSES)
    published = model.column_index(PostStatus.PUBLISHED)
    assert model.rowCount(published) == 36
    card = model.index(0, 0, published)
    assert card.parent() == published
    assert card.data(BoardRole.STATUS) == PostStatus.PUBLISHED
    assert card.data(BoardRole.LOCAL_TIME)
    assert all(g.letter in "MB" for g in card.data(BoardRole.GLYPHS))
    assert not model.flags(published) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(published) & Qt.ItemFlag.ItemIsDropEnabled
    assert model.flags(card) & Qt.ItemFlag.ItemIsDragEnabled


def test_model_tester_with_an_empty_board(qtmodeltester: ModelTester) -> None:
    model = BoardModel()
    qtmodeltester.check(model)
    assert model.rowCount(model.column_index(PostStatus.IDEA)) == 0


def test_drag_carries_the_posts_in_the_vendor_type(demo_ctx: AppContext) -> None:
    model, _actions, ws = _model(demo_ctx)
    column = model.column_index(PostStatus.APPROVED)
    cards = [model.index(r, 0, column) for r in range(2)]
    mime = model.mimeData(cards)
    assert mime.hasFormat(POST_MIME_TYPE)
    dragged = decode_posts(mime)
    assert dragged is not None
    assert dragged.workspace_id == ws
    assert dragged.post_ids == tuple(c.data(BoardRole.POST_ID) for c in cards)


def test_drop_on_a_column_changes_status_in_one_undo_step(demo_ctx: AppContext) -> None:
    model, actions, ws = _model(demo_ctx)
    ids = [p.id for p in model.column(PostStatus.APPROVED).posts[:3]]
    mime = encode_posts(ws, ids)
    target = model.column_index(PostStatus.IN_REVIEW)
    assert model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    assert model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    assert {demo_ctx.plan.get_post(p).status for p in ids} == {PostStatus.IN_REVIEW}
    assert actions.undo_stack.count() == 1
    actions.undo_stack.undo()
    assert {demo_ctx.plan.get_post(p).status for p in ids} == {PostStatus.APPROVED}


def test_drop_on_a_card_means_its_column(demo_ctx: AppContext) -> None:
    model, _actions, ws = _model(demo_ctx)
    pid = model.column(PostStatus.IDEA).posts[0].id
    card = model.index(0, 0, model.column_index(PostStatus.DRAFT))
    assert model.dropMimeData(encode_posts(ws, [pid]), Qt.DropAction.MoveAction, -1, 0, card)
    assert demo_ctx.plan.get_post(pid).status == PostStatus.DRAFT


def test_refused_drop_changes_nothing_and_says_why(qtbot: QtBot, demo_ctx: AppContext) -> None:
    model, actions, ws = _model(demo_ctx)
    pid = model.column(PostStatus.PUBLISHED).posts[0].id
    mime = encode_posts(ws, [pid])
    target = model.column_index(PostStatus.DRAFT)
    with qtbot.waitSignal(model.drop_refused) as blocker:
        assert not model.dropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target)
    assert blocker.args == [
        "Cannot change a post from published to draft: "
        "It is already published; it can only be archived."
    ]
    assert demo_ctx.plan.get_post(pid).status == PostStatus.PUBLISHED
    assert actions.undo_stack.count() == 0


@pytest.mark.parametrize(
    ("mime_of", "why"),
    [
        (lambda ws: encode_posts(ws + 100, [1]), "another workspace"),
        (lambda ws: encode_posts(ws, []), "no posts"),
    ],
)
def test_foreign_or_empty_drags_are_not_taken(
    demo_ctx: AppContext, mime_of: Callable[[int], object], why: str
) -> None:
    model, _actions, ws = _model(demo_ctx)
    target = model.column_index(PostStatus.DRAFT)
    mime = mime_of(ws)
    assert not model.canDropMimeData(mime, Qt.DropAction.MoveAction, -1, 0, target), why  # type: ignore[arg-type]
    assert not model.canDropMimeData(
        encode_posts(ws, [1]), Qt.DropAction.MoveAction, -1, 0, QModelIndex()
    )


def test_drop_states_while_dragging(demo_ctx: AppContext) -> None:
    model, _actions, _ws = _model(demo_ctx)
    pid = model.column(PostStatus.APPROVED).posts[0].id
    status = model.status_of(pid)
    assert status == PostStatus.APPROVED
    model.set_drag([pid])
    for s in BOARD_STATUSES:
        state = model.column_index(s).data(BoardRole.DROP_STATE)
        if s == status:
            assert state == DropState.SAME
        elif refusal([status], s) is None:
            assert state == DropState.ACCEPTS
        else:
            assert state == DropState.REFUSES
            assert model.column_index(s).data(Qt.ItemDataRole.ToolTipRole)
    accepting = {
        s
        for s in BOARD_STATUSES
        if model.column_index(s).data(BoardRole.DROP_STATE) == DropState.ACCEPTS
    }
    assert accepting == {
        PostStatus.DRAFT,
        PostStatus.IN_REVIEW,
        PostStatus.SCHEDULED,
        PostStatus.ARCHIVED,
    }
    model.set_drag(None)
    assert {model.column_index(s).data(BoardRole.DROP_STATE) for s in BOARD_STATUSES} == {
        DropState.IDLE
    }


def test_columns_load_at_most_per_column_cards(demo_ctx: AppContext) -> None:
    model, _actions, _ws = _model(demo_ctx, per_column=3)
    scheduled = model.column(PostStatus.SCHEDULED)
    assert len(scheduled.posts) == 3
    assert scheduled.total == 19
    assert scheduled.hidden == 16
    # The planning columns show the soonest first.
    times = [p.scheduled_at for p in scheduled.posts]
    assert times == sorted(times)  # type: ignore[type-var]
    assert model.column_index(PostStatus.SCHEDULED).data(BoardRole.TOTAL) == 19
    assert model.column_index(PostStatus.SCHEDULED).data(BoardRole.SHOWN) == 3


def test_filtered_columns_know_their_total_when_everything_fits(demo_ctx: AppContext) -> None:
    ws = demo_ctx.workspaces.list()[0]
    board = load_board(demo_ctx, ws.id, PostFilter(text="gift guide"), per_column=200)
    for status, column in board.items():
        assert column.total == len(column.posts), status
        assert all("gift guide" in p.label.lower() for p in column.posts)
    only = load_board(
        demo_ctx, ws.id, PostFilter(statuses=frozenset({PostStatus.IDEA})), per_column=200
    )
    assert only[PostStatus.DRAFT].posts == ()
    assert only[PostStatus.IDEA].posts


def test_finished_columns_show_the_newest_by_time(
    empty_ctx: AppContext, fake_clock: FakeClock
) -> None:
    ctx = empty_ctx
    ws = ctx.workspaces.create("Shop", "Europe/Madrid").subject
    assert ws is not None
    start = fake_clock.now()
    offsets = [1, 2, 3, 5, 8, 13, 21, 34, 55, 60, 400, 401]
    made: dict[int, int | None] = {}
    for days in offsets:
        when = start + timedelta(days=days)
        made[days] = ctx.plan.create_post(
            ws, PostInput(title=f"d{days}"), scheduled_at=when
        ).subject
    made_untimed = ctx.plan.create_post(ws, PostInput(title="no time")).subject
    for pid in [*made.values(), made_untimed]:
        assert pid is not None
        ctx.plan.change_status(pid, PostStatus.ARCHIVED)
    fake_clock.advance(timedelta(days=90))  # all but the two far ones are in the past now
    board = load_board(ctx, ws, PostFilter(), per_column=5)
    archived = board[PostStatus.ARCHIVED]
    assert [p.title for p in archived.posts] == ["d401", "d400", "d60", "d55", "d34"]
    assert archived.total == len(offsets) + 1
    everything = load_board(ctx, ws, PostFilter(text="d"), per_column=50)[PostStatus.ARCHIVED]
    assert [p.title for p in everything.posts] == [f"d{d}" for d in reversed(offsets)]
    assert everything.total == len(offsets)
    few = load_board(ctx, ws, PostFilter(text="d"), per_column=3)[PostStatus.ARCHIVED]
    assert [p.title for p in few.posts] == ["d401", "d400", "d60"]
    assert few.total is None  # filtered and cut short: unknown, the footer says "more match"
