"""The main window on the demo plan: pages, the workspace switcher, menus, status bar, memory."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local
from ui.delegates.day_cell import TODAY_COLOR
from ui.main_window import PAGES, MainWindow, status_summary
from ui.models.month import CalendarRole, MonthPeriod
from ui.notifier import NotificationKind
from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.list_page import ListPage
from ui.views.month_view import month_title
from ui.window_state import WindowState


@pytest.fixture
def window(qtbot: QtBot, demo_ctx: AppContext) -> MainWindow:
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def calendar(window: MainWindow) -> CalendarPage:
    page = window.page("calendar")
    assert isinstance(page, CalendarPage)
    return page


def _expected_by_day(
    ctx: AppContext, workspace_id: int, period: MonthPeriod
) -> dict[date, list[int]]:
    start, end = period.utc_window()
    days: dict[date, list[int]] = {}
    for p in ctx.plan.list_window(workspace_id, start, end):
        assert p.scheduled_at is not None
        days.setdefault(utc_to_local(p.scheduled_at, period.time_zone).date(), []).append(p.id)
    return days


def test_opens_on_the_current_month_of_the_first_workspace(window: MainWindow) -> None:
    ws = window.workspace
    assert ws is not None and ws.name == "Harbor Light Books"  # workspaces are sorted by name
    assert window.windowTitle() == "cmdesk — Harbor Light Books"
    assert calendar(window).period_title() == month_title(MonthPeriod(2026, 3, ws.timezone))
    assert calendar(window).month_model.today == date(2026, 3, 20)  # 06:00 in New York
    assert window.workspace_combo.count() == 2
    assert window.workspace_combo.accessibleName() == "Workspace"


def test_shows_every_post_of_the_month_on_its_local_day(
    window: MainWindow, demo_ctx: AppContext
) -> None:
    ws = window.workspace
    assert ws is not None
    expected = _expected_by_day(demo_ctx, ws.id, calendar(window).month_model.period)
    assert sum(len(ids) for ids in expected.values()) > 20  # the demo plans a busy month
    # The service orders by time, as the cells do, so the lists must match exactly.
    for day in calendar(window).month_model.period.days():
        assert [p.id for p in calendar(window).month_model.posts_on(day)] == expected.get(
            day, []
        ), day


def test_today_is_painted_in_the_grid(window: MainWindow) -> None:
    grid = calendar(window).month_grid
    rect = grid.visualRect(calendar(window).month_model.index_for_date(date(2026, 3, 20)))
    image = grid.viewport().grab(rect).toImage()
    target = TODAY_COLOR.lstrip("#").lower()
    colors = {
        f"{image.pixelColor(x, y).rgb() & 0xFFFFFF:06x}"
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
    }
    assert target in colors


def test_status_bar_sums_up_the_plan(window: MainWindow, demo_ctx: AppContext) -> None:
    ws = window.workspace
    assert ws is not None
    counts = demo_ctx.plan.count_by_status(ws.id)
    text = window.summary_label.accessibleDescription()
    assert text == status_summary(counts)
    assert text.startswith("1 failed · 1 missed · ")


def test_switching_workspace_changes_title_zone_and_week_start(
    window: MainWindow, qtbot: QtBot
) -> None:
    with qtbot.waitSignal(window.workspace_changed, timeout=1000) as blocker:
        window.workspace_combo.setCurrentIndex(1)
    ws = blocker.args[0]
    assert ws.name == "Panadería La Espiga"
    assert window.windowTitle() == "cmdesk — Panadería La Espiga"
    assert calendar(window).month_model.period.time_zone == "Europe/Madrid"
    monday = QLocale().dayName(1, QLocale.FormatType.ShortFormat)
    assert calendar(window).month_model.headerData(0, Qt.Orientation.Horizontal) == monday
    assert "Europe/Madrid" in calendar(window).zone_label.text()


def test_navigation_loads_the_other_month(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    march_posts = calendar(window).month_model.post_count()
    qtbot.mouseClick(calendar(window).next_button, Qt.MouseButton.LeftButton)
    ws = window.workspace
    assert ws is not None
    assert calendar(window).period_title() == month_title(MonthPeriod(2026, 4, ws.timezone))
    expected = _expected_by_day(demo_ctx, ws.id, calendar(window).month_model.period)
    assert calendar(window).month_model.post_count() == sum(len(v) for v in expected.values())
    assert calendar(window).month_model.post_count() != march_posts
    qtbot.mouseClick(calendar(window).today_button, Qt.MouseButton.LeftButton)
    assert calendar(window).month_model.post_count() == march_posts


def test_a_change_in_the_core_reloads_the_month(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    ws = window.workspace
    assert ws is not None
    when = datetime(2026, 3, 26, 16, 0, tzinfo=UTC)  # 12:00 in New York
    demo_ctx.plan.create_post(
        ws.id, PostInput(title="Poetry night"), status=PostStatus.DRAFT, scheduled_at=when
    )

    def shown() -> None:
        titles = [p.title for p in calendar(window).month_model.posts_on(date(2026, 3, 26))]
        assert "Poetry night" in titles

    qtbot.waitUntil(shown, timeout=2000)


def test_a_busy_day_loads_what_fits_and_counts_the_rest(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    from ui.views.calendar_page import MAX_CHIPS_PER_DAY

    ws = window.workspace
    assert ws is not None
    busy = date(2026, 3, 27)
    for minute in range(30):
        when = datetime(2026, 3, 27, 15, minute, tzinfo=UTC)  # 11:xx in New York
        demo_ctx.plan.create_post(ws.id, PostInput(title=f"Flash sale {minute}"), scheduled_at=when)

    def loaded() -> None:
        cell = calendar(window).month_model.index_for_date(busy)
        assert cell.data(CalendarRole.POST_COUNT) >= 30

    qtbot.waitUntil(loaded, timeout=2000)
    assert len(calendar(window).month_model.posts_on(busy)) == MAX_CHIPS_PER_DAY


def test_pages_are_built_when_first_shown_and_reached_by_shortcut(
    window: MainWindow, qtbot: QtBot
) -> None:
    assert window.current_page_key() == "calendar"
    assert set(window._pages) == {"calendar"}  # the others cost nothing at start
    for spec in PAGES:
        window.nav_actions[spec.key].trigger()
        assert window.current_page_key() == spec.key
        page = window.page(spec.key)
        assert page.isVisible()
        assert page.workspace == window.workspace
    assert window.nav_actions["board"].shortcut().toString() == "Ctrl+2"


def test_a_workspace_switch_reaches_every_page(window: MainWindow) -> None:
    board = window.show_page("board")
    window.workspace_combo.setCurrentIndex(1)
    assert board.workspace is not None and board.workspace.name == "Panadería La Espiga"
    assert window.page("calendar").workspace == board.workspace


def test_window_remembers_page_workspace_and_geometry(qtbot: QtBot, demo_ctx: AppContext) -> None:
    first = MainWindow(demo_ctx)
    qtbot.addWidget(first)
    first.show()
    first.resize(1400, 790)
    first.workspace_combo.setCurrentIndex(1)
    calendar(first).set_mode(CalendarMode.WEEK)
    first.show_page("list")
    geometry = first.saveGeometry()
    first.close()
    assert WindowState().geometry() == geometry
    second = MainWindow(demo_ctx)
    qtbot.addWidget(second)
    second.show()
    assert second.current_page_key() == "list"
    assert second.workspace is not None and second.workspace.name == "Panadería La Espiga"
    assert calendar(second).mode == CalendarMode.WEEK


def test_edit_menu_names_the_step_and_undoes_it(window: MainWindow, demo_ctx: AppContext) -> None:
    ws = window.workspace
    assert ws is not None
    post = next(
        p
        for p in demo_ctx.plan.list_window(
            ws.id, datetime(2026, 3, 21, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
        )
        if p.status in (PostStatus.SCHEDULED, PostStatus.DRAFT, PostStatus.APPROVED)
    )
    assert post.scheduled_at is not None
    window.plan_actions.move_to_day(post.id, date(2026, 3, 30))
    assert window.undo_action.text() == f"Undo move of '{post.title}'"
    window.undo_action.trigger()
    assert demo_ctx.plan.get_post(post.id).scheduled_at == post.scheduled_at
    assert window.redo_action.isEnabled()


def test_status_bar_links_to_the_posts_that_need_attention(
    window: MainWindow, qtbot: QtBot
) -> None:
    link = window.scheduler_status.attention_button
    assert link.isVisible()  # the demo has a failed and a missed post
    assert "1 failed" in link.text() and "1 missed" in link.text()
    link.click()
    assert window.current_page_key() == "list"
    page = window.page("list")
    assert isinstance(page, ListPage)
    assert page.current_filter().needs_attention
    shown = {p.status for p in page.model.posts()}
    assert shown == {PostStatus.FAILED, PostStatus.MISSED}
    assert page.filter_bar.status.currentText() == "Needs attention"


def test_without_a_tray_a_notification_shows_in_the_window(window: MainWindow) -> None:
    window.notifier.notify("A post failed", "Mastodon refused it", NotificationKind.ERROR)
    assert window.banner.isVisible()
    assert window.banner.current is not None


def test_edit_requests_open_one_composer_per_post(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    ws = window.workspace
    assert ws is not None
    post_id = demo_ctx.plan.list_posts(ws.id)[0].id
    window.open_post(post_id)
    window.open_post(post_id)
    assert list(window._composers) == [post_id]
    composer = window._composers[post_id]
    assert composer.isVisible()
    composer.close()


def test_navigation_counts_new_inbox_items_and_notifications_open_them(
    window: MainWindow, demo_ctx: AppContext, qtbot: QtBot
) -> None:
    from cmdesk.dto import InboxFilter
    from cmdesk.status import InboxState
    from ui.views.inbox_page import InboxPage

    ws = window.workspace
    assert ws is not None
    unread = demo_ctx.inbox.count_unread(ws.id)
    assert unread > 0  # the demo brands have replies waiting
    assert window.nav_actions["inbox"].text() == f"Inbox ({unread})"
    items = demo_ctx.inbox.list_items(ws.id, InboxFilter(states=frozenset({InboxState.NEW})))
    demo_ctx.inbox.set_state([items[0].id], InboxState.DONE)
    qtbot.waitUntil(lambda: window.nav_actions["inbox"].text() == f"Inbox ({unread - 1})")
    window.show_inbox_items([items[1].id])
    page = window.page("inbox")
    assert isinstance(page, InboxPage) and window.current_page_key() == "inbox"
    current = page.current_item()
    assert current is not None and current.id == items[1].id
    window.set_waiting_count(4)
    assert window.windowTitle().startswith("(4) cmdesk")
