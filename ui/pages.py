"""The pages of the main window: their keys, titles and shortcuts, and how each is built.

A page's modules are imported when it is first shown, not at start-up: only the calendar is built
with the window, so the other pages cost nothing until asked for.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.page import PlanPage

if TYPE_CHECKING:
    from ui.main_window import MainWindow


@dataclass(frozen=True, slots=True)
class PageSpec:
    """A page of the navigation: its key (remembered), title and shortcut."""

    key: str
    title: str
    shortcut: str
    tooltip: str


PAGES = (
    PageSpec("calendar", "Calendar", "Ctrl+1", "Month, week and day views of the plan"),
    PageSpec("board", "Board", "Ctrl+2", "Posts in columns by status"),
    PageSpec("list", "List", "Ctrl+3", "Every post in a table you can sort and filter"),
    PageSpec("inbox", "Inbox", "Ctrl+4", "Replies, mentions and messages"),
    PageSpec("ideas", "Ideas", "Ctrl+5", "The ideas bin and the feeds that fill it"),
    PageSpec("campaigns", "Campaigns", "Ctrl+6", "Campaigns, content pillars and tags"),
    PageSpec("routine", "Routine", "Ctrl+7", "Your daily, weekly and monthly checklists"),
    PageSpec("channels", "Channels", "Ctrl+8", "Connected accounts and their health"),
    PageSpec("settings", "Settings", "Ctrl+9", "Workspace and application settings"),
)


def make_page(window: MainWindow, key: str) -> PlanPage:
    """Build page ``key`` for ``window`` (its context, plan actions and task runner)."""
    ctx, actions, runner = window.ctx, window.plan_actions, window.runner
    if key == "calendar":
        page = CalendarPage(ctx, actions, window)
        if mode := window.state.calendar_mode():
            with contextlib.suppress(ValueError):  # a hand-edited file: keep the month
                page.set_mode(CalendarMode(mode))
        return page
    if key == "board":
        from ui.views.board_page import BoardPage

        return BoardPage(ctx, actions, window)
    if key == "list":
        from ui.views.list_page import ListPage

        return ListPage(ctx, actions, window)
    if key == "inbox":
        from ui.views.inbox_page import InboxPage

        return InboxPage(ctx, runner, window)
    if key == "ideas":
        from ui.views.ideas_page import IdeasPage

        return IdeasPage(ctx, actions, runner, window)
    if key == "campaigns":
        from ui.views.campaigns_page import CampaignsPage

        campaigns = CampaignsPage(ctx, window)
        campaigns.show_campaign_requested.connect(window.show_campaign)
        return campaigns
    if key == "routine":
        from ui.views.routine_page import RoutinePage

        routine = RoutinePage(ctx, window)
        routine.action_requested.connect(window.open_place)
        return routine
    if key == "channels":
        from ui.views.channels_page import ChannelsPage

        return ChannelsPage(ctx, runner, window)
    if key == "settings":
        return _settings_page(window)
    raise KeyError(key)


def _settings_page(window: MainWindow) -> PlanPage:
    """The Settings page, with the sections other parts add: backups, feeds, the calendar file."""
    from ui.views.settings_backups import BackupsBox
    from ui.views.settings_calendar_feed import CalendarFeedSettings
    from ui.views.settings_ideas import FeedSettingsBox
    from ui.views.settings_page import SettingsPage

    page = SettingsPage(window.ctx, window)
    backups = BackupsBox(window.ctx, window.runner, page)
    backups.before_restore = window.stop_background
    backups.restored.connect(window.quit_after_restore)
    page.add_section(backups)
    page.add_section(FeedSettingsBox(window.ctx, page))
    page.add_section(CalendarFeedSettings(window.ctx, page))
    return page
