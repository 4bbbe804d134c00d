"""The window's planning entries: the Plan menu, File's import and export, and "open that place".

Every entry acts on the workspace shown. The dialogs' modules are imported when an entry is
chosen, not at start-up. ``open_place`` turns the keys of routine tasks ("inbox",
"calendar-next-week", "report", ...) into the page and view that does that task.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from cmdesk.dto import PostFilter, WorkspaceDTO
from cmdesk.status import PostStatus
from ui.errors import show_error

if TYPE_CHECKING:
    from ui.main_window import MainWindow

#: Routine keys that are a page of their own.
PAGE_PLACES = {
    "inbox": "inbox",
    "calendar": "calendar",
    "board": "board",
    "ideas": "ideas",
    "campaigns": "campaigns",
    "channels": "channels",
}


def _action(
    window: MainWindow, menu: QMenu, text: str, name: str, slot: Callable[[], None]
) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    return action


def _with_workspace(window: MainWindow, call: Callable[[WorkspaceDTO], object]) -> None:
    ws = window.workspace
    if ws is None:
        window.statusBar().showMessage("Create a workspace first.", 6000)
        return
    try:
        call(ws)
    except Exception as exc:
        show_error(window, exc)


def add_file_entries(window: MainWindow, menu: QMenu) -> None:
    """Add import and export of posts (CSV, iCalendar) to the File menu."""
    from ui.views.csv_import_dialog import import_csv_dialog
    from ui.views.export_dialog import export_csv_dialog, export_ics_dialog

    ctx, runner = window.ctx, window.runner
    imp = _action(
        window,
        menu,
        "&Import posts from CSV…",
        "importCsvAction",
        lambda: _with_workspace(
            window,
            lambda ws: import_csv_dialog(window, ctx, ws, runner, window.plan_actions),
        ),
    )
    imp.setShortcut(QKeySequence("Ctrl+I"))
    _action(
        window,
        menu,
        "Export as &CSV…",
        "exportCsvAction",
        lambda: _with_workspace(
            window, lambda ws: export_csv_dialog(window, ctx, ws, runner, _list_filter(window))
        ),
    )
    _action(
        window,
        menu,
        "Export as i&Calendar…",
        "exportIcsAction",
        lambda: _with_workspace(
            window, lambda ws: export_ics_dialog(window, ctx, ws, runner, _list_filter(window))
        ),
    )


def build_plan_menu(window: MainWindow) -> QMenu:
    """The Plan menu: posting slots, hashtags and templates, and the planning pages."""
    menu = window.menuBar().addMenu("&Plan")
    ctx = window.ctx

    def slots(ws: WorkspaceDTO) -> None:
        from ui.views.queue_slots_dialog import open_posting_slots

        open_posting_slots(window, ctx, ws)

    def library(ws: WorkspaceDTO) -> None:
        from ui.views.library_dialog import open_library

        open_library(window, ctx, ws)

    _action(
        window,
        menu,
        "Posting &slots…",
        "postingSlotsAction",
        lambda: _with_workspace(window, slots),
    )
    _action(
        window,
        menu,
        "&Hashtags and templates…",
        "libraryAction",
        lambda: _with_workspace(window, library),
    )
    menu.addSeparator()
    for key, text in (
        ("ideas", "&Ideas and feeds"),
        ("campaigns", "&Campaigns, pillars and tags"),
        ("routine", "&Routine"),
    ):
        _action(window, menu, text, f"{key}PlanAction", _page_opener(window, key))
    return menu


def _page_opener(window: MainWindow, key: str) -> Callable[[], None]:
    def show() -> None:
        window.show_page(key)

    return show


def _list_filter(window: MainWindow) -> PostFilter | None:
    """The List's filter when the List is shown (the export then offers "the current filter")."""
    from ui.views.list_page import ListPage

    page = window.stack.currentWidget()
    return page.current_filter() if isinstance(page, ListPage) else None


def open_place(window: MainWindow, key: str) -> None:
    """Show the place where a routine task is done (its action key)."""
    if key in PAGE_PLACES:
        window.show_page(PAGE_PLACES[key])
    elif key == "listening":
        from ui.views.inbox_page import InboxPage

        page = window.show_page("inbox")
        if isinstance(page, InboxPage):
            page.tabs.setCurrentWidget(page.listening)
    elif key == "attention":
        window.show_attention()
    elif key in ("calendar-next-week", "calendar-next-month"):
        _show_next(window, week=key == "calendar-next-week")
    elif key == "report":
        _show_last_week(window)
    else:
        window.statusBar().showMessage(f"Nothing to open for {key!r}.", 6000)


def _show_next(window: MainWindow, *, week: bool) -> None:
    from ui.views.calendar_page import CalendarPage
    from ui.views.calendar_toolbar import CalendarMode

    page = window.show_page("calendar")
    if not isinstance(page, CalendarPage):
        return
    today = window.ctx.clock.now().date()
    page.set_mode(CalendarMode.WEEK if week else CalendarMode.MONTH)
    page.show_day(today + timedelta(days=7) if week else _first_of_next_month(today))


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _show_last_week(window: MainWindow) -> None:
    """The weekly report: last seven days' published posts with their engagement, in the List."""
    from ui.views.list_page import ListPage

    ws = window.workspace
    if ws is None:
        return
    zone = ZoneInfo(ws.timezone)
    today = window.ctx.clock.now().astimezone(zone).date()
    end = datetime.combine(today, time(0), zone)
    page = window.show_page("list")
    if isinstance(page, ListPage):
        page.show_filter(
            PostFilter(
                statuses=frozenset({PostStatus.PUBLISHED}),
                start=end - timedelta(days=7),
                end=end,
            )
        )
