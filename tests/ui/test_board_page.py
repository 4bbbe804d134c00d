"""The Board page: mouse drags between columns, refusals at the drop point, keyboard, filters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QWidget
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter
from cmdesk.planning.recurrence import RecurrenceInput
from cmdesk.status import PostStatus
from ui import feedback
from ui.actions import PlanActions
from ui.bridge import EventBridge
from ui.models.board import BoardRole, DropState
from ui.models.mime import encode_posts
from ui.views import board_page, post_menu
from ui.views.board_column import BoardColumnView
from ui.views.board_page import BoardPage


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal error dialog would hang an offscreen test: fail with the error instead."""

    def fail(_parent: object, exc: BaseException) -> None:
        raise AssertionError(f"unexpected error dialog: {exc}")

    monkeypatch.setattr(board_page, "show_error", fail)
    monkeypatch.setattr(post_menu, "show_error", fail)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext) -> Iterator[BoardPage]:
    page = BoardPage(demo_ctx, PlanActions(demo_ctx))
    bridge = EventBridge(demo_ctx.hub, page)
    bridge.changed.connect(page.on_changes)
    qtbot.addWidget(page)
    page.resize(1400, 800)
    page.set_workspace(demo_ctx.workspaces.list()[0])
    page.show()
    qtbot.waitExposed(page)
    feedback.last_refusal.clear()
    yield page
    bridge.close()


def _first(page: BoardPage, status: PostStatus) -> int:
    return page.model.column(status).posts[0].id


def _status(page: BoardPage, pid: int) -> PostStatus:
    return page.ctx.plan.get_post(pid).status


def _deliver(mime: QMimeData, target: QWidget, pos: QPoint) -> Qt.DropAction:
    """What the platform's drag loop does when the pointer goes over ``target`` and is released."""
    actions = Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(pos, actions, mime, left, none)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return Qt.DropAction.IgnoreAction
    QApplication.sendEvent(target, QDragMoveEvent(pos, actions, mime, left, none))
    drop = QDropEvent(QPointF(pos), actions, mime, left, none)
    QApplication.sendEvent(target, drop)
    return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction


def _mouse_drag(
    monkeypatch: pytest.MonkeyPatch,
    source: BoardColumnView,
    start: QPoint,
    target: QWidget,
    end: QPoint,
) -> list[DropState]:
    """Press on ``start`` in ``source``, drag past the drag distance, release on ``target``.

    The offscreen platform has no drag loop (QDrag.exec returns at once), so the drag's own
    events are delivered by a stand-in for it; everything else is the real view's code path.
    Returns the drop state each column showed while the drag was under way.
    """
    seen: list[DropState] = []

    def exec_(drag: QDrag, *args: object) -> Qt.DropAction:
        mime = drag.mimeData()
        result = _deliver_with_look(mime, target, end, seen)
        return result

    def _deliver_with_look(
        mime: QMimeData, target: QWidget, pos: QPoint, out: list[DropState]
    ) -> Qt.DropAction:
        actions = Qt.DropAction.MoveAction
        left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
        QApplication.sendEvent(target, QDragEnterEvent(pos, actions, mime, left, none))
        model = source.board_model()
        out.extend(model.index(r, 0).data(BoardRole.DROP_STATE) for r in range(model.rowCount()))
        QApplication.sendEvent(target, QDragMoveEvent(pos, actions, mime, left, none))
        drop = QDropEvent(QPointF(pos), actions, mime, left, none)
        QApplication.sendEvent(target, drop)
        return drop.dropAction() if drop.isAccepted() else Qt.DropAction.IgnoreAction

    monkeypatch.setattr(QDrag, "exec", exec_)
    QTest.mousePress(source.viewport(), Qt.MouseButton.LeftButton, pos=start)
    far = start + QPoint(QApplication.startDragDistance() + 10, 4)
    QTest.mouseMove(source.viewport(), far)
    QTest.mouseRelease(source.viewport(), Qt.MouseButton.LeftButton, pos=far)
    return seen


def test_mouse_drag_to_an_allowed_column_changes_the_status(
    qtbot: QtBot, page: BoardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _first(page, PostStatus.IDEA)
    source = page.columns[PostStatus.IDEA].view
    target = page.columns[PostStatus.DRAFT].view
    start = source.visualRect(page.model.card_index(pid)).center()
    seen = _mouse_drag(monkeypatch, source, start, target.viewport(), QPoint(40, 300))
    assert _status(page, pid) == PostStatus.DRAFT
    # While dragging an idea: its own column, the allowed ones and the refused ones.
    order = list(PostStatus)
    assert seen[order.index(PostStatus.IDEA)] == DropState.SAME
    assert seen[order.index(PostStatus.DRAFT)] == DropState.ACCEPTS
    assert seen[order.index(PostStatus.SCHEDULED)] == DropState.REFUSES
    # The drag is over: nothing stays dimmed, and the card is now in the Draft column.
    assert page.model.column_index(PostStatus.SCHEDULED).data(BoardRole.DROP_STATE) == (
        DropState.IDLE
    )
    qtbot.waitUntil(lambda: page.model.card_index(pid).parent() == target.rootIndex())
    assert target.selected_ids() == [pid]
    # One undo step puts it back.
    page.plan_actions.undo_stack.undo()
    assert _status(page, pid) == PostStatus.IDEA


def test_mouse_drag_to_a_refused_column_explains_why_at_the_drop(
    page: BoardPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = _first(page, PostStatus.PUBLISHED)
    source = page.columns[PostStatus.PUBLISHED].view
    target = page.columns[PostStatus.DRAFT].view
    page.scroll_area.ensureWidgetVisible(page.columns[PostStatus.PUBLISHED])
    start = source.visualRect(page.model.card_index(pid)).center()
    _mouse_drag(monkeypatch, source, start, target.viewport(), QPoint(50, 120))
    assert _status(page, pid) == PostStatus.PUBLISHED
    assert feedback.last_refusal and "already published" in feedback.last_refusal[0]
    assert target.viewport().accessibleDescription() == feedback.last_refusal[0]


def test_a_refused_column_is_dimmed_while_a_drag_hovers(qtbot: QtBot, page: BoardPage) -> None:
    pid = _first(page, PostStatus.SCHEDULED)
    mime = encode_posts(page.workspace.id, [pid])  # type: ignore[union-attr]
    view = page.columns[PostStatus.IDEA].view
    before = view.viewport().grab().toImage()
    QApplication.sendEvent(
        view.viewport(),
        QDragEnterEvent(
            QPoint(30, 30),
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    assert view.rootIndex().data(BoardRole.DROP_STATE) == DropState.REFUSES
    assert page.columns[PostStatus.DRAFT].view.rootIndex().data(BoardRole.DROP_STATE) == (
        DropState.ACCEPTS
    )
    assert "unschedule it first" in page.columns[PostStatus.IDEA].toolTip()
    assert view.viewport().grab().toImage() != before  # the shade is painted
    QApplication.sendEvent(
        view.viewport(),
        QDropEvent(
            QPointF(30, 30),
            Qt.DropAction.MoveAction,
            mime,
            Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier,
        ),
    )
    assert view.rootIndex().data(BoardRole.DROP_STATE) == DropState.IDLE
    assert _status(page, pid) == PostStatus.SCHEDULED
    assert "unschedule it first" in feedback.last_refusal[0]


def test_a_drop_the_service_refuses_explains_itself(page: BoardPage) -> None:
    # An idea without a time may become a draft, but a draft needs a time to be scheduled.
    draft = next(p for p in page.model.column(PostStatus.DRAFT).posts if p.scheduled_at is None)
    target = page.columns[PostStatus.SCHEDULED].view
    action = _deliver(encode_posts(draft.workspace_id, [draft.id]), target.viewport(), QPoint(9, 9))
    assert action == Qt.DropAction.IgnoreAction
    assert _status(page, draft.id) == PostStatus.DRAFT
    assert "date and time" in feedback.last_refusal[0]


def test_a_drag_from_another_workspace_is_not_taken(page: BoardPage) -> None:
    target = page.columns[PostStatus.DRAFT].view
    pid = _first(page, PostStatus.IDEA)
    assert _deliver(encode_posts(999, [pid]), target.viewport(), QPoint(5, 5)) == (
        Qt.DropAction.IgnoreAction
    )
    assert _status(page, pid) == PostStatus.IDEA


def test_keyboard_moves_a_card_to_the_next_column_and_back(qtbot: QtBot, page: BoardPage) -> None:
    pid = _first(page, PostStatus.IDEA)
    view = page.columns[PostStatus.IDEA].view
    view.setFocus()
    view.setCurrentIndex(page.model.card_index(pid))
    move = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(view, Qt.Key.Key_Right, move)
    assert _status(page, pid) == PostStatus.DRAFT
    draft_view = page.columns[PostStatus.DRAFT].view
    qtbot.waitUntil(lambda: draft_view.selected_ids() == [pid])
    assert draft_view.hasFocus()
    QTest.keyClick(draft_view, Qt.Key.Key_Left, move)
    assert _status(page, pid) == PostStatus.IDEA


def test_keyboard_move_that_is_refused_says_why(page: BoardPage) -> None:
    pid = _first(page, PostStatus.SCHEDULED)
    view = page.columns[PostStatus.SCHEDULED].view
    view.setFocus()
    view.setCurrentIndex(page.model.card_index(pid))
    QTest.keyClick(
        view,
        Qt.Key.Key_Right,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert _status(page, pid) == PostStatus.SCHEDULED
    assert "publishing engine" in feedback.last_refusal[0]


def test_enter_and_double_click_open_the_composer(qtbot: QtBot, page: BoardPage) -> None:
    pid = _first(page, PostStatus.APPROVED)
    view = page.columns[PostStatus.APPROVED].view
    view.setFocus()
    view.setCurrentIndex(page.model.card_index(pid))
    with qtbot.waitSignal(page.edit_requested) as blocker:
        QTest.keyClick(view, Qt.Key.Key_Return)
    assert blocker.args == [pid]
    rect = view.visualRect(page.model.card_index(pid))
    QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(page.edit_requested) as blocker:
        QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [pid]


def test_left_and_right_walk_between_columns(page: BoardPage) -> None:
    view = page.columns[PostStatus.IDEA].view
    view.setFocus()
    view.setCurrentIndex(page.model.card_index(_first(page, PostStatus.IDEA)))
    QTest.keyClick(view, Qt.Key.Key_Right)
    assert page.columns[PostStatus.DRAFT].view.hasFocus()
    assert page.columns[PostStatus.DRAFT].view.currentIndex().isValid()


def test_delete_key_deletes_the_selected_cards(qtbot: QtBot, page: BoardPage) -> None:
    view = page.columns[PostStatus.APPROVED].view
    ids = [p.id for p in page.model.column(PostStatus.APPROVED).posts[:2]]
    view.setFocus()
    for pid in ids:
        view.selectionModel().select(
            page.model.card_index(pid), view.selectionModel().SelectionFlag.Select
        )
    QTest.keyClick(view, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: page.model.column(PostStatus.APPROVED).total == 5)
    remaining = {p.id for p in page.ctx.plan.list_posts(page.workspace.id)}  # type: ignore[union-attr]
    assert not remaining & set(ids)


def test_filter_narrows_the_columns_and_is_remembered_per_workspace(
    qtbot: QtBot, page: BoardPage, demo_ctx: AppContext
) -> None:
    first, second = demo_ctx.workspaces.list()
    page.filter_bar.search.setText("gift guide")
    page.filter_bar.search.returnPressed.emit()
    shown = [p for s in PostStatus for p in page.model.column(s).posts]
    assert shown and all("gift guide" in p.label.lower() for p in shown)
    page.set_workspace(second)
    assert page.filter_bar.search.text() == ""
    assert page.current_filter() == PostFilter()
    page.set_workspace(first)
    assert page.filter_bar.search.text() == "gift guide"
    assert all(
        "gift guide" in p.label.lower() for s in PostStatus for p in page.model.column(s).posts
    )


def test_a_busy_column_loads_only_the_newest_and_says_how_many_more(page: BoardPage) -> None:
    page.per_column = 5
    page.refresh()
    published = page.model.column(PostStatus.PUBLISHED)
    everything = page.ctx.plan.list_posts(
        page.workspace.id,  # type: ignore[union-attr]
        PostFilter(statuses=frozenset({PostStatus.PUBLISHED})),
    )
    newest = sorted(everything, key=lambda p: (p.scheduled_at, p.id), reverse=True)[:5]
    assert [p.id for p in published.posts] == [p.id for p in newest]
    footer = page.columns[PostStatus.PUBLISHED].footer.text()
    assert f"{len(everything) - 5} more" in footer
    # Filtered: the same number of cards at most, the count says what is known.
    page.filter_bar.search.setText("e")
    page.filter_bar.search.returnPressed.emit()
    assert len(page.model.column(PostStatus.PUBLISHED).posts) == 5
    assert page.columns[PostStatus.PUBLISHED].footer.isVisibleTo(page)


def test_menu_key_opens_the_card_menu(qtbot: QtBot, page: BoardPage) -> None:
    pid = _first(page, PostStatus.SCHEDULED)
    view = page.columns[PostStatus.SCHEDULED].view
    view.setFocus()
    view.setCurrentIndex(page.model.card_index(pid))
    # What the platform sends for the menu key (or Shift+F10); QTest's key click cannot.
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), view.mapToGlobal(QPoint(0, 0))
    )
    QApplication.sendEvent(view, event)
    menu = next(m for m in page.findChildren(QMenu) if m.isVisible())
    items = {a.text(): a.isEnabled() for a in menu.actions() if a.text()}
    assert items["Unschedule"] and not items["Archive"]
    menu.close()


def test_show_more_loads_more_cards_into_one_column(page: BoardPage) -> None:
    page.per_column = 5
    page.refresh()
    published = page.columns[PostStatus.PUBLISHED]
    assert published.more_button.isVisibleTo(page)
    assert not page.columns[PostStatus.IDEA].more_button.isVisibleTo(page)  # 4 ideas: all shown
    published.more_button.click()
    assert len(page.model.column(PostStatus.PUBLISHED).posts) == 10
    assert len(page.model.column(PostStatus.SCHEDULED).posts) == 5
    assert "26 more" in published.footer.text()
    page.filter_bar.search.setText("a")
    page.filter_bar.search.returnPressed.emit()  # a new filter starts again from 5 a column
    assert len(page.model.column(PostStatus.PUBLISHED).posts) == 5


def test_repeating_cards_carry_their_mark_and_rule(page: BoardPage, demo_ctx: AppContext) -> None:
    ws = page.workspace
    assert ws is not None
    scheduled = [p for p in demo_ctx.plan.list_posts(ws.id) if p.status == PostStatus.SCHEDULED]
    pid = scheduled[-1].id
    demo_ctx.series.make_recurring(pid, RecurrenceInput(frequency="weekly", count=2))
    page.reload()
    card = page.model.card_index(pid)
    assert card.isValid()
    assert card.data(Qt.ItemDataRole.DisplayRole).startswith("↻ ")
    assert card.data(Qt.ItemDataRole.ToolTipRole).splitlines()[-1].startswith("↻ Every")
