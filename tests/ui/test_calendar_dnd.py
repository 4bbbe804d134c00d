"""Drag and drop on the real calendar views, with simulated mouse drags.

A chip is pressed and dragged with QTest on a view's viewport; the view starts a real QDrag, and a
stand-in for the platform's drag loop (see ``calendar_dnd.mouse_drag``) delivers the drop to the
target view, whose own drop handling and model do the rest. Daylight-saving changes in
Europe/Madrid (29 March and 25 October 2026) are crossed on purpose: 09:00 stays 09:00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.status import PostStatus
from tests.ui.calendar_dnd import add_post, deliver, local_time, mouse_drag, workspace
from ui import feedback
from ui.actions import PlanActions
from ui.models.mime import encode_posts
from ui.views.calendar_page import CalendarMode, CalendarPage
from ui.views.post_grid import NOT_HERE
from ui.views.week_view import TimeGrid

MADRID = "Europe/Madrid"


@pytest.fixture
def ws(demo_ctx: AppContext) -> WorkspaceDTO:
    return workspace(demo_ctx, MADRID)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO) -> CalendarPage:
    actions = PlanActions(demo_ctx)
    widget = CalendarPage(demo_ctx, actions)
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    feedback.last_refusal.clear()
    return widget


def _chip_center(page: CalendarPage, post_id: int) -> QPoint:
    rect = page.current_grid().chip_rect(post_id)
    assert rect is not None, f"post {post_id} is not shown"
    return rect.center()


def _day_point(page: CalendarPage, day: date) -> QPoint:
    grid = page.month_grid
    rect = grid.visualRect(page.month_model.index_for_date(day))
    return QPoint(rect.center().x(), rect.bottom() - 4)  # below the chips of a quiet day


def _slot_point(grid: TimeGrid, day: date, wall: time) -> QPoint:
    row = (wall.hour * 60 + wall.minute) // 15
    index = grid.model().index(row, grid.column_of_day(day))
    grid.scrollTo(index)
    return grid.visualRect(index).center()


def _month_drag(
    page: CalendarPage,
    monkeypatch: pytest.MonkeyPatch,
    post_id: int,
    day: date,
    modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier,
) -> Qt.DropAction:
    viewport = page.month_grid.viewport()
    start = _chip_center(page, post_id)
    result = mouse_drag(monkeypatch, viewport, start, viewport, _day_point(page, day), modifiers)
    assert result.started
    return result.action


def test_drag_a_chip_across_the_spring_change_keeps_nine_o_clock(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    assert _month_drag(page, monkeypatch, pid, date(2026, 3, 30)) == Qt.DropAction.MoveAction
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 30, 9, 0)
    # The calendar shows it there at once, still picked for the keyboard.
    assert pid in [p.id for p in page.month_model.posts_on(date(2026, 3, 30))]
    assert pid not in [p.id for p in page.month_model.posts_on(date(2026, 3, 27))]
    assert page.month_grid.selected_post == pid


def test_drag_a_chip_across_the_autumn_change_keeps_nine_o_clock(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 10, 23), time(9, 0))
    page.show_day(date(2026, 10, 23))
    assert _month_drag(page, monkeypatch, pid, date(2026, 10, 26)) == Qt.DropAction.MoveAction
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 10, 26, 9, 0)
    # Summer time (UTC+2) before the drag, winter time (UTC+1) after: the instant moved by 71 h.
    assert demo_ctx.plan.get_post(pid).scheduled_at == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_week_view_drop_on_a_quarter_hour_after_the_change(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.show_day(date(2026, 3, 27))
    page.set_mode(CalendarMode.WEEK)
    grid = page.week_grid
    target = _slot_point(grid, date(2026, 3, 29), time(9, 15))
    result = mouse_drag(
        monkeypatch, grid.viewport(), _chip_center(page, pid), grid.viewport(), target
    )
    assert result.action == Qt.DropAction.MoveAction
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 29, 9, 15)
    assert page.time_model.position_of_post(pid) == (date(2026, 3, 29), 37)


def test_day_view_drop_moves_within_the_day(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.show_day(date(2026, 3, 27))
    page.set_mode(CalendarMode.DAY)
    grid = page.day_grid
    assert grid.model().columnCount() == 1
    target = _slot_point(grid, date(2026, 3, 27), time(16, 45))
    mouse_drag(monkeypatch, grid.viewport(), _chip_center(page, pid), grid.viewport(), target)
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 27, 16, 45)


def test_ctrl_drag_duplicates_and_leaves_the_original(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0), title="Croissant day")
    page.refresh()
    ctrl = Qt.KeyboardModifier.ControlModifier
    assert _month_drag(page, monkeypatch, pid, date(2026, 3, 31), ctrl) == Qt.DropAction.CopyAction
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 27, 9, 0)
    copies = [p for p in page.month_model.posts_on(date(2026, 3, 31)) if "Croissant" in p.title]
    assert len(copies) == 1 and copies[0].id != pid
    assert local_time(demo_ctx, ws, copies[0].id) == datetime(2026, 3, 31, 9, 0)
    assert page.month_grid.selected_post == copies[0].id


def test_a_published_post_is_refused_with_the_reason_at_the_drop_point(
    page: CalendarPage, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    published = next(
        p
        for day in page.month_model.period.days()
        for p in page.month_model.posts_on(day)
        if p.status == PostStatus.PUBLISHED and page.month_grid.chip_rect(p.id) is not None
    )
    before = demo_ctx.plan.get_post(published.id).scheduled_at
    action = _month_drag(page, monkeypatch, published.id, date(2026, 3, 30))
    assert action == Qt.DropAction.IgnoreAction
    assert "published" in feedback.last_refusal[0].lower()
    assert page.month_grid.viewport().accessibleDescription() == feedback.last_refusal[0]
    assert demo_ctx.plan.get_post(published.id).scheduled_at == before


def test_a_drop_in_the_past_is_refused(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    assert _month_drag(page, monkeypatch, pid, date(2026, 3, 10)) == Qt.DropAction.IgnoreAction
    assert "already passed" in feedback.last_refusal[0]
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 27, 9, 0)
    assert page._actions.undo_stack.count() == 0  # nothing was pushed


def test_side_list_to_calendar_and_back(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    side = page.side_list.list
    idea = page.unscheduled_model.posts()[0]
    start = side.visualRect(page.unscheduled_model.index(0)).center()
    viewport = page.month_grid.viewport()
    result = mouse_drag(
        monkeypatch, side.viewport(), start, viewport, _day_point(page, date(2026, 3, 25))
    )
    assert result.action == Qt.DropAction.MoveAction
    wall = time.fromisoformat(ws.default_post_time)
    assert local_time(demo_ctx, ws, idea.id) == datetime.combine(date(2026, 3, 25), wall)
    assert idea.id not in [p.id for p in page.unscheduled_model.posts()]
    assert idea.id in [p.id for p in page.month_model.posts_on(date(2026, 3, 25))]
    # ... and a chip dropped on the side list is unscheduled again.
    back = mouse_drag(
        monkeypatch, viewport, _chip_center(page, idea.id), side.viewport(), QPoint(20, 20)
    )
    assert back.action == Qt.DropAction.MoveAction
    assert demo_ctx.plan.get_post(idea.id).scheduled_at is None
    assert idea.id in [p.id for p in page.unscheduled_model.posts()]


def test_posts_of_another_workspace_are_refused_where_they_are_dropped(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    other = next(w for w in demo_ctx.workspaces.list() if w.id != ws.id)
    foreign = add_post(demo_ctx, other, date(2026, 3, 27), time(9, 0))
    viewport = page.month_grid.viewport()
    action = deliver(
        encode_posts(other.id, [foreign]), viewport, _day_point(page, date(2026, 3, 30))
    )
    assert action == Qt.DropAction.IgnoreAction
    assert feedback.last_refusal == [NOT_HERE]
    assert local_time(demo_ctx, other, foreign) == datetime(2026, 3, 27, 9, 0)
