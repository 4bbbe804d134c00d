"""The month view on its own: navigation buttons, keyboard, title and the period it asks for."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.models.month import MonthModel, MonthPeriod
from ui.views.month_view import MonthView, month_title

MARCH = MonthPeriod(2026, 3, "Europe/Madrid")


@pytest.fixture
def view(qtbot: QtBot) -> MonthView:
    model = MonthModel(MARCH)
    model.set_today(date(2026, 3, 20))
    widget = MonthView(model)
    qtbot.addWidget(widget)
    widget.resize(900, 700)
    widget.show()
    widget.show_period(MARCH, date(2026, 3, 20))
    return widget


def test_title_names_the_month(view: MonthView) -> None:
    assert view.title.text() == month_title(MARCH)
    assert "2026" in view.title.text()
    assert "Europe/Madrid" in view.zone_label.text()


def test_next_previous_and_today_buttons_change_the_title(view: MonthView, qtbot: QtBot) -> None:
    march = view.title.text()
    with qtbot.waitSignal(view.period_changed, timeout=1000) as blocker:
        qtbot.mouseClick(view.next_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [MonthPeriod(2026, 4, "Europe/Madrid")]
    assert view.title.text() == month_title(MARCH.shifted(1)) != march
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.prev_button, Qt.MouseButton.LeftButton)
    assert view.title.text() == month_title(MARCH.shifted(-1))
    qtbot.mouseClick(view.today_button, Qt.MouseButton.LeftButton)
    assert view.title.text() == march
    assert view.grid.current_day() == date(2026, 3, 20)


def test_page_keys_change_month_and_keep_the_day(view: MonthView, qtbot: QtBot) -> None:
    view.grid.select_day(date(2026, 3, 31))
    qtbot.keyClick(view.grid, Qt.Key.Key_PageDown)
    assert view.period == MARCH.shifted(1)
    assert view.grid.current_day() == date(2026, 4, 30)  # 31 April does not exist
    qtbot.keyClick(view.grid, Qt.Key.Key_PageUp)
    qtbot.keyClick(view.grid, Qt.Key.Key_PageUp)
    assert view.period == MARCH.shifted(-1)
    qtbot.keyClick(view.grid, Qt.Key.Key_Home)
    assert view.period == MARCH
    assert view.grid.current_day() == date(2026, 3, 20)


def test_arrow_keys_move_between_days(view: MonthView, qtbot: QtBot) -> None:
    view.grid.select_day(date(2026, 3, 20))
    qtbot.keyClick(view.grid, Qt.Key.Key_Right)
    assert view.grid.current_day() == date(2026, 3, 21)
    qtbot.keyClick(view.grid, Qt.Key.Key_Down)
    assert view.grid.current_day() == date(2026, 3, 28)


def test_enter_activates_the_current_day(view: MonthView, qtbot: QtBot) -> None:
    view.grid.select_day(date(2026, 3, 12))
    with qtbot.waitSignal(view.day_activated, timeout=1000) as blocker:
        qtbot.keyClick(view.grid, Qt.Key.Key_Return)
    assert blocker.args == [date(2026, 3, 12)]
