"""The window's planning entries: the Plan menu, and File's import and export.

Every entry acts on the workspace shown. The dialogs' modules are imported when an entry is
chosen, not at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from cmdesk.dto import PostFilter, WorkspaceDTO
from ui.errors import show_error

if TYPE_CHECKING:
    from ui.main_window import MainWindow


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
