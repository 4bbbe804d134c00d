"""The calendar page: views, navigation, keyboard moves, context menu and opening posts."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QContextMenuEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import NotFoundError
from cmdesk.status import PostStatus
from tests.ui.calendar_dnd import add_post, local_time, workspace
from ui import feedback
from ui.actions import PlanActions
from ui.views.calendar_page import CalendarMode, CalendarPage
from ui.views.month_view import month_title

MADRID = "Europe/Madrid"
ALT = Qt.KeyboardModifier.AltModifier


@pytest.fixture
def ws(demo_ctx: AppContext) -> WorkspaceDTO:
    return workspace(demo_ctx, MADRID)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO) -> CalendarPage:
    widget = CalendarPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    feedback.last_refusal.clear()
    return widget


def _pick(page: CalendarPage, post_id: int) -> None:
    grid = page.current_grid()
    rect = grid.chip_rect(post_id)
    assert rect is not None
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert grid.selected_post == post_id


def test_month_is_shown_first_with_today_and_the_workspace_zone(
    page: CalendarPage, demo_ctx: AppContext
) -> None:
    assert page.mode == CalendarMode.MONTH
    assert page.period_title() == month_title(page.month_model.period)
    assert page.month_model.today == date(2026, 3, 20)
    assert "Europe/Madrid" in page.zone_label.text()
    assert page.month_model.post_count() > 0
    ideas = {p.status for p in page.unscheduled_model.posts()}
    assert ideas and ideas <= {PostStatus.IDEA, PostStatus.DRAFT, PostStatus.IN_REVIEW}
    assert page.side_list.title.text().startswith("&Unscheduled (")


def test_switching_views_and_stepping_through_periods(qtbot: QtBot, page: CalendarPage) -> None:
    march = page.period_title()
    qtbot.mouseClick(page.next_button, Qt.MouseButton.LeftButton)
    assert page.month_model.period.month == 4 and page.period_title() != march
    qtbot.mouseClick(page.today_button, Qt.MouseButton.LeftButton)
    assert page.period_title() == march
    qtbot.mouseClick(page.mode_buttons[CalendarMode.WEEK], Qt.MouseButton.LeftButton)
    assert page.mode == CalendarMode.WEEK
    assert page.time_model.period.start == date(2026, 3, 16)
    assert page.stack.currentWidget() is page.week_grid
    page.step(1)
    assert page.time_model.period.start == date(2026, 3, 23)
    assert page.time_model.post_count() > 0
    page.set_mode(CalendarMode.DAY)
    assert page.day_proxy.day == date(2026, 3, 27)
    page.step(-1)
    assert page.day_proxy.day == date(2026, 3, 26)
    assert page.day_grid.model().columnCount() == 1


def test_shortcuts_go_to_next_previous_and_today(qtbot: QtBot, page: CalendarPage) -> None:
    page.activateWindow()
    page.month_grid.setFocus()
    qtbot.waitUntil(lambda: page.month_grid.hasFocus())
    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(page.month_grid, Qt.Key.Key_PageDown, ctrl)
    assert page.month_model.period.month == 4
    QTest.keyClick(page.month_grid, Qt.Key.Key_PageUp, ctrl)
    QTest.keyClick(page.month_grid, Qt.Key.Key_PageUp, ctrl)
    assert page.month_model.period.month == 2
    QTest.keyClick(page.month_grid, Qt.Key.Key_Home, ctrl)
    assert page.month_model.period.month == 3
    assert page.month_grid.current_day() == date(2026, 3, 20)


def test_keyboard_moves_the_picked_post_by_a_day_an_hour_and_a_quarter(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    _pick(page, pid)
    grid = page.month_grid
    QTest.keyClick(grid, Qt.Key.Key_Right, ALT)  # 28th, then across the change to the 29th
    QTest.keyClick(grid, Qt.Key.Key_Right, ALT)
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 29, 9, 0)
    QTest.keyClick(grid, Qt.Key.Key_Down, ALT)
    QTest.keyClick(grid, Qt.Key.Key_Down, ALT | Qt.KeyboardModifier.ShiftModifier)
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 29, 10, 15)
    QTest.keyClick(grid, Qt.Key.Key_Left, ALT)
    QTest.keyClick(grid, Qt.Key.Key_Up, ALT)
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 3, 28, 9, 15)
    assert grid.selected_post == pid
    assert grid.current_day() == date(2026, 3, 28)  # the keyboard follows the post
    # Undo puts it back (the nudges of one post may merge into one step).
    while local_time(demo_ctx, ws, pid) != datetime(2026, 3, 27, 9, 0):
        assert page._actions.undo_stack.canUndo()
        page._actions.undo_stack.undo()
    assert page.month_grid.chip_rect(pid) is not None


def test_keyboard_move_out_of_the_month_shows_the_next_month(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 4, 5), time(9, 0))  # in March's last grid row
    page.refresh()
    _pick(page, pid)
    QTest.keyClick(page.month_grid, Qt.Key.Key_Right, ALT)
    assert local_time(demo_ctx, ws, pid) == datetime(2026, 4, 6, 9, 0)
    assert page.month_model.period.month == 4
    assert page.month_grid.selected_post == pid


def test_keyboard_refusal_is_shown_next_to_the_post(page: CalendarPage) -> None:
    published = next(
        pid
        for pid, _ in page.month_grid.chip_rects()
        if (p := page.post_summary(pid)) is not None and p.status == PostStatus.PUBLISHED
    )
    _pick(page, published)
    QTest.keyClick(page.month_grid, Qt.Key.Key_Right, ALT)
    assert "published" in feedback.last_refusal[0].lower()


def test_week_view_keyboard_and_picking_in_time_order(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    first = add_post(demo_ctx, ws, date(2026, 3, 24), time(7, 0))
    page.show_day(date(2026, 3, 24))
    page.set_mode(CalendarMode.WEEK)
    grid = page.week_grid
    QTest.keyClick(grid, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert grid.selected_post == grid.chip_rects()[0][0]
    grid.select_post(first)
    QTest.keyClick(grid, Qt.Key.Key_Down, ALT | Qt.KeyboardModifier.ShiftModifier)
    assert local_time(demo_ctx, ws, first) == datetime(2026, 3, 24, 7, 15)
    assert page.time_model.position_of_post(first) == (date(2026, 3, 24), 29)


def test_double_click_opens_a_post_or_a_new_one_at_the_place(
    qtbot: QtBot, page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    grid = page.month_grid
    rect = grid.chip_rect(pid)
    assert rect is not None
    with qtbot.waitSignal(page.edit_requested, timeout=1000) as opened:
        QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [pid]
    empty = grid.visualRect(page.month_model.index_for_date(date(2026, 3, 26))).bottomLeft()
    empty += QPoint(8, -4)
    QTest.mouseClick(
        grid.viewport(), Qt.MouseButton.LeftButton, pos=empty
    )  # a double click's first
    with qtbot.waitSignal(page.new_post_requested, timeout=1000) as new:
        QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    # The workspace's default time on that day (09:30 in Madrid, winter time).
    assert new.args == [datetime(2026, 3, 26, 8, 30, tzinfo=UTC)]
    page.set_mode(CalendarMode.DAY)
    day = page.day_grid
    index = day.model().index(4 * 15 + 2, 0)  # 15:30
    day.scrollTo(index)
    with qtbot.waitSignal(page.new_post_requested, timeout=1000) as slot:
        QTest.mouseDClick(
            day.viewport(), Qt.MouseButton.LeftButton, pos=day.visualRect(index).center()
        )
    assert slot.args == [datetime(2026, 3, 26, 14, 30, tzinfo=UTC)]


def QPointF_up() -> object:
    from PySide6.QtCore import QPoint

    return QPoint(8, -4)


def _menu_action(page: CalendarPage, pid: int, text: str) -> QAction:
    menu = page.post_menu(pid)
    assert menu is not None
    return next(a for a in menu.actions() if a.text() == text)


def test_context_menu_edits_duplicates_unschedules_and_deletes(
    qtbot: QtBot, page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0), title="Menu post")
    page.refresh()
    with qtbot.waitSignal(page.edit_requested, timeout=1000) as opened:
        _menu_action(page, pid, "Edit…").trigger()
    assert opened.args == [pid]
    before = page.month_model.post_count()
    _menu_action(page, pid, "Duplicate").trigger()
    assert page.month_model.post_count() == before + 1  # shown at once
    assert not _menu_action(page, pid, "Unschedule").isEnabled()  # a draft is not scheduled
    scheduled = next(
        p.id
        for day in page.month_model.period.days()
        for p in page.month_model.posts_on(day)
        if p.status == PostStatus.SCHEDULED
    )
    _menu_action(page, scheduled, "Unschedule").trigger()
    assert scheduled in [p.id for p in page.unscheduled_model.posts()]
    _menu_action(page, pid, "Delete").trigger()
    assert page.post_summary(pid) is None
    with pytest.raises(NotFoundError):
        demo_ctx.plan.get_post(pid)


def test_context_menu_is_offered_from_the_keyboard(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    _pick(page, pid)
    shown: list[int] = []
    page.month_grid.post_menu_requested.disconnect()
    page.month_grid.post_menu_requested.connect(lambda post_id, where: shown.append(post_id))
    # What the Menu key or Shift+F10 send: a context menu event from the keyboard.
    event = QContextMenuEvent(
        QContextMenuEvent.Reason.Keyboard, QPoint(0, 0), page.month_grid.mapToGlobal(QPoint(0, 0))
    )
    QApplication.sendEvent(page.month_grid, event)
    assert shown == [pid]


def test_delete_key_deletes_the_picked_post_and_undo_restores_it(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    pid = add_post(demo_ctx, ws, date(2026, 3, 27), time(9, 0))
    page.refresh()
    _pick(page, pid)
    QTest.keyClick(page.month_grid, Qt.Key.Key_Delete)
    assert page.post_summary(pid) is None
    page._actions.undo_stack.undo()
    assert page.post_summary(pid) is not None


def test_plus_more_opens_the_day_with_all_its_posts(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    busy = date(2026, 3, 25)
    ids = [add_post(demo_ctx, ws, busy, time(8 + i // 4, (i % 4) * 15)) for i in range(14)]
    page.refresh()
    grid = page.month_grid
    cell = grid.visualRect(page.month_model.index_for_date(busy))
    assert len([pid for pid, _ in grid.chip_rects() if pid in ids]) < len(ids)
    more = QPoint(cell.right() - 6, cell.top() + 12)
    assert grid.more_at(more) == busy
    QTest.mouseClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=more)
    assert page.mode == CalendarMode.DAY
    assert page.day_proxy.day == busy
    shown = {pid for pid, _ in page.day_grid.chip_rects()}
    assert set(ids) <= shown


def test_side_list_opens_its_posts_and_explains_itself(qtbot: QtBot, page: CalendarPage) -> None:
    side = page.side_list.list
    first = page.unscheduled_model.posts()[0]
    side.setCurrentIndex(page.unscheduled_model.index(0))
    with qtbot.waitSignal(page.edit_requested, timeout=1000) as opened:
        QTest.keyClick(side, Qt.Key.Key_Return)
    assert opened.args == [first.id]
    assert side.accessibleName() == "Unscheduled drafts and ideas"
    assert page.post_menu(first.id) is not None  # the same menu as on the calendar


def test_no_workspace_shows_an_empty_calendar(page: CalendarPage) -> None:
    assert page.month_model.post_count() > 0
    page.set_workspace(None)
    assert page.month_model.post_count() == 0
    assert page.unscheduled_model.rowCount() == 0
    page.set_mode(CalendarMode.WEEK)
    assert page.time_model.post_count() == 0
