"""Places the window opens on request: where a routine task is done, what a notification is about.

``open_place`` turns the keys of routine tasks ("inbox", "calendar-next-week", "report", ...) into
the page and view that does that task; ``open_notification`` shows the post, channel or inbox
items a clicked notification is about, in its workspace.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cmdesk.dto import PostFilter
from cmdesk.status import PostStatus
from ui.errors import show_error
from ui.notifier import Notification

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
        show_attention(window)
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


def bring_forward(window: MainWindow, workspace_id: int | None) -> None:
    """Show the window in front, on ``workspace_id`` when given (and not already shown)."""
    window.showNormal()
    window.raise_()
    window.activateWindow()
    if workspace_id and workspace_id != getattr(window.workspace, "id", None):
        window.choose_workspace(workspace_id)


def open_notification(window: MainWindow, note: Notification) -> None:
    """A click on a notification: the window, in the note's workspace, at what it is about."""
    bring_forward(window, note.workspace_id)
    if note.inbox_item_ids:
        show_inbox_items(window, note.inbox_item_ids)
    elif note.channel_id is not None:
        window.show_page("channels")
    elif note.post_id is not None:
        window.open_post(note.post_id)


def open_routine(window: MainWindow, workspace_id: int) -> None:
    """A click on a routine reminder: today's checklist (0: the workspace shown)."""
    from ui.views.routine_page import RoutinePage

    bring_forward(window, workspace_id)
    page = window.show_page("routine")
    if isinstance(page, RoutinePage):
        page.show_today()


def show_inbox_items(window: MainWindow, item_ids: tuple[int, ...] | list[int]) -> None:
    from ui.views.inbox_page import InboxPage

    page = window.show_page("inbox")
    if isinstance(page, InboxPage):
        page.show_items(tuple(item_ids))


def show_campaign(window: MainWindow, campaign_id: int) -> None:
    """The calendar filtered on one campaign, at its start if it is not in view."""
    from ui.views.calendar_filters import show_campaign as filter_on
    from ui.views.calendar_page import CalendarPage

    page = window.show_page("calendar")
    if isinstance(page, CalendarPage):
        try:
            filter_on(page, campaign_id)
        except Exception as exc:
            show_error(window, exc)


def show_attention(window: MainWindow) -> None:
    """The List, filtered on the posts that need the person."""
    from ui.views.list_page import ListPage

    page = window.show_page("list")
    if isinstance(page, ListPage):
        page.show_attention()
