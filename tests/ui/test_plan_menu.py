"""The Plan menu, File's import and export entries, and the places routine tasks open."""

from __future__ import annotations

from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.status import PostStatus
from ui.main_window import MainWindow
from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.inbox_page import InboxPage
from ui.views.list_page import ListPage


def _window(qtbot: QtBot, ctx: AppContext) -> MainWindow:
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    return window


def _menu(window: MainWindow, title: str) -> QMenu:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == title:
            menu = action.menu()
            assert isinstance(menu, QMenu)
            return menu
    raise AssertionError(f"no {title} menu")


def test_the_plan_and_file_menus_offer_the_planning_tools(
    qtbot: QtBot, demo_ctx: AppContext
) -> None:
    window = _window(qtbot, demo_ctx)
    plan = {a.objectName() for a in _menu(window, "Plan").actions() if a.objectName()}
    assert {"postingSlotsAction", "libraryAction", "ideasPlanAction", "routinePlanAction"} <= plan
    file_names = {a.objectName() for a in _menu(window, "File").actions()}
    assert {"importCsvAction", "exportCsvAction", "exportIcsAction"} <= file_names
    routine = next(
        a for a in _menu(window, "Plan").actions() if a.objectName() == "routinePlanAction"
    )
    routine.trigger()
    assert window.current_page_key() == "routine"


def test_routine_places_open_the_page_and_view_that_do_the_task(
    qtbot: QtBot, demo_ctx: AppContext
) -> None:
    window = _window(qtbot, demo_ctx)
    window.open_place("calendar-next-week")
    page = window.page("calendar")
    assert isinstance(page, CalendarPage)
    assert window.current_page_key() == "calendar" and page.mode is CalendarMode.WEEK
    window.open_place("listening")
    inbox = window.page("inbox")
    assert isinstance(inbox, InboxPage) and inbox.tabs.currentWidget() is inbox.listening
    window.open_place("report")
    listing = window.page("list")
    assert isinstance(listing, ListPage) and window.current_page_key() == "list"
    shown = listing.current_filter()
    assert shown.statuses == frozenset({PostStatus.PUBLISHED})
    assert shown.start is not None and shown.end is not None
    assert (shown.end - shown.start).days == 7
    window.open_place("attention")
    assert listing.current_filter().needs_attention


def test_a_campaign_opens_the_calendar_filtered_on_it(qtbot: QtBot, demo_ctx: AppContext) -> None:
    window = _window(qtbot, demo_ctx)
    ws = window.workspace
    assert ws is not None
    campaign = demo_ctx.plan.list_campaigns(ws.id)[0]
    window.show_campaign(campaign.id)
    page = window.page("calendar")
    assert isinstance(page, CalendarPage) and window.current_page_key() == "calendar"
    assert page.filters.current().campaign_ids == frozenset({campaign.id})
