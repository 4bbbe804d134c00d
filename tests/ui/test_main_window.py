"""The main window on the demo plan: the month shown, the workspace switcher, live reloads."""

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
from ui.main_window import MainWindow, status_summary
from ui.models.month import CalendarRole, MonthPeriod
from ui.views.month_view import month_title


@pytest.fixture
def window(qtbot: QtBot, demo_ctx: AppContext) -> MainWindow:
    win = MainWindow(demo_ctx)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


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
    assert window.month_view.title.text() == month_title(MonthPeriod(2026, 3, ws.timezone))
    assert window.month_model.today == date(2026, 3, 20)  # 06:00 in New York
    assert window.workspace_combo.count() == 2
    assert window.workspace_combo.accessibleName() == "Workspace"


def test_shows_every_post_of_the_month_on_its_local_day(
    window: MainWindow, demo_ctx: AppContext
) -> None:
    ws = window.workspace
    assert ws is not None
    expected = _expected_by_day(demo_ctx, ws.id, window.month_view.period)
    assert sum(len(ids) for ids in expected.values()) > 20  # the demo plans a busy month
    # The service orders by time, as the cells do, so the lists must match exactly.
    for day in window.month_view.period.days():
        assert [p.id for p in window.month_model.posts_on(day)] == expected.get(day, []), day


def test_today_is_painted_in_the_grid(window: MainWindow) -> None:
    grid = window.month_view.grid
    rect = grid.visualRect(window.month_model.index_for_date(date(2026, 3, 20)))
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
    assert window.month_view.period.time_zone == "Europe/Madrid"
    monday = QLocale().dayName(1, QLocale.FormatType.ShortFormat)
    assert window.month_model.headerData(0, Qt.Orientation.Horizontal) == monday
    assert "Europe/Madrid" in window.month_view.zone_label.text()


def test_navigation_loads_the_other_month(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    march_posts = window.month_model.post_count()
    qtbot.mouseClick(window.month_view.next_button, Qt.MouseButton.LeftButton)
    ws = window.workspace
    assert ws is not None
    assert window.month_view.title.text() == month_title(MonthPeriod(2026, 4, ws.timezone))
    expected = _expected_by_day(demo_ctx, ws.id, window.month_view.period)
    assert window.month_model.post_count() == sum(len(v) for v in expected.values())
    assert window.month_model.post_count() != march_posts
    qtbot.mouseClick(window.month_view.today_button, Qt.MouseButton.LeftButton)
    assert window.month_model.post_count() == march_posts


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
        titles = [p.title for p in window.month_model.posts_on(date(2026, 3, 26))]
        assert "Poetry night" in titles

    qtbot.waitUntil(shown, timeout=2000)


def test_a_busy_day_loads_what_fits_and_counts_the_rest(
    window: MainWindow, qtbot: QtBot, demo_ctx: AppContext
) -> None:
    from ui.main_window import MAX_CHIPS_PER_DAY

    ws = window.workspace
    assert ws is not None
    busy = date(2026, 3, 27)
    for minute in range(30):
        when = datetime(2026, 3, 27, 15, minute, tzinfo=UTC)  # 11:xx in New York
        demo_ctx.plan.create_post(ws.id, PostInput(title=f"Flash sale {minute}"), scheduled_at=when)

    def loaded() -> None:
        cell = window.month_model.index_for_date(busy)
        assert cell.data(CalendarRole.POST_COUNT) >= 30

    qtbot.waitUntil(loaded, timeout=2000)
    assert len(window.month_model.posts_on(busy)) == MAX_CHIPS_PER_DAY
