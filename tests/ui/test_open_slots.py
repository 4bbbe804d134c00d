"""Empty posting slots in the week and day views: where they are, what they say, double-click."""

from __future__ import annotations

from datetime import date, time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput, WorkspaceDTO
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time, utc_to_local
from tests.ui.calendar_dnd import workspace
from ui.actions import PlanActions
from ui.models.week import SLOT_MINUTES
from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.week_view import TimeGrid

MADRID = "Europe/Madrid"  # the fake clock: Friday 20 March 2026, 11:00 in Madrid


@pytest.fixture(autouse=True)
def _no_demo_slots(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests give the channels slots of their own: the demo's weekly slots stay out.
    monkeypatch.setattr("cmdesk.planning.demo_planning.DEMO_SLOTS", ())


@pytest.fixture
def ws(demo_ctx: AppContext) -> WorkspaceDTO:
    return workspace(demo_ctx, MADRID)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO) -> CalendarPage:
    channels = demo_ctx.channels.list(ws.id)
    demo_ctx.queues.set_slots(channels[0].id, ["fri 12:00", "sat 10:30", "mon 09:00"])
    demo_ctx.queues.set_slots(channels[1].id, ["fri 12:00", "sun 18:00"])
    widget = CalendarPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_mode(CalendarMode.WEEK)
    return widget


def _grid(page: CalendarPage) -> TimeGrid:
    grid = page.current_grid()
    assert isinstance(grid, TimeGrid)
    return grid


def test_free_slots_to_come_are_outlined_at_their_time_and_day(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    grid = _grid(page)
    names = [c.name for c in demo_ctx.channels.list(ws.id)]
    labels = sorted(p.label(MADRID) for p in grid.open_slots.placed())
    # Monday's slot has passed; Friday noon is free on both channels: one outline naming both.
    expected = [f"10:30 · {names[0]}", f"12:00 · {names[0]}, {names[1]}", f"18:00 · {names[1]}"]
    assert labels == expected
    for placed in grid.open_slots.placed():
        day = utc_to_local(placed.at, MADRID)
        column = grid.column_of_day(day.date())
        row = (day.hour * 60 + day.minute) // SLOT_MINUTES
        assert placed.rect.left() >= grid.columnViewportPosition(column)
        assert placed.rect.right() <= grid.columnViewportPosition(column) + grid.columnWidth(column)
        assert placed.rect.top() == grid.rowViewportPosition(row) + 1


def test_a_taken_slot_is_not_outlined_and_its_chip_stays(
    page: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    channels = demo_ctx.channels.list(ws.id)
    noon = at_wall_time(date(2026, 3, 20), time(12), MADRID)
    pid = demo_ctx.plan.create_post(
        ws.id,
        PostInput(title="Taken", channel_ids=(channels[0].id,)),
        status=PostStatus.SCHEDULED,
        scheduled_at=noon,
    ).subject
    assert pid is not None
    page.refresh()
    grid = _grid(page)
    at_noon = [p for p in grid.open_slots.placed() if p.at == noon]
    assert [tuple(s.channel_id for s in p.slots) for p in at_noon] == [(channels[1].id,)]
    assert grid.chip_rect(pid) is not None  # the chip is still there, painted over the outline


def test_double_click_on_an_outline_opens_a_new_post_at_the_slot(
    page: CalendarPage, qtbot: QtBot
) -> None:
    grid = _grid(page)
    placed = next(p for p in grid.open_slots.placed() if p.label(MADRID).startswith("10:30"))
    grid.scrollTo(grid.indexAt(placed.rect.center()))
    placed = next(p for p in grid.open_slots.placed() if p.label(MADRID).startswith("10:30"))
    with qtbot.waitSignal(page.new_post_requested) as asked:
        QTest.mouseDClick(grid.viewport(), Qt.MouseButton.LeftButton, pos=placed.rect.center())
    assert asked.args == [placed.at]


def test_the_day_view_shows_its_days_slots(page: CalendarPage) -> None:
    page.set_mode(CalendarMode.DAY)
    page.go_today()  # Friday 20 March
    grid = _grid(page)
    assert grid.day_of_column(0) == date(2026, 3, 20)
    labels = [p.label(MADRID) for p in grid.open_slots.placed()]
    assert len(labels) == 1 and labels[0].startswith("12:00 · ")
