"""The calendar's filter: the List's filter bar (without dates) and one filter kept per workspace.

The filter is a :class:`~cmdesk.dto.PostFilter` handed to the calendar's reads
(``PlanService.calendar_days`` and ``list_window``), so hidden posts are never loaded. The
campaigns page's "show on the calendar" goes through :func:`show_campaign`: the calendar then shows
only that campaign's posts, at the campaign's start when the shown period is outside its dates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, WorkspaceDTO
from ui.views.post_filter_bar import PostFilterBar

if TYPE_CHECKING:
    from ui.views.calendar_page import CalendarPage


class CalendarFilters(QObject):
    """The calendar's filter bar and the filter of each workspace (kept for the session).

    Signals:
        changed(object): the ``PostFilter`` of the shown workspace changed.
    """

    changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._workspace: WorkspaceDTO | None = None
        self._filters: dict[int, PostFilter] = {}
        self.bar = PostFilterBar(with_status=True, with_dates=False, parent=parent)
        self.bar.setObjectName("calendarFilterBar")
        self.bar.setAccessibleName("Calendar filters")
        self.bar.setContentsMargins(12, 0, 12, 6)  # lined up with the toolbar above
        self.bar.filter_changed.connect(self._bar_changed)

    def current(self) -> PostFilter:
        """The filter of the shown workspace (empty when there is none)."""
        ws = self._workspace
        return self._filters.get(ws.id, PostFilter()) if ws is not None else PostFilter()

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self._workspace = workspace

    def load_options(self) -> None:
        """Fill the choices (channels, campaigns, pillars, tags) for the workspace.

        A choice that no longer exists falls back to "any", so what is shown and what is loaded
        never differ.
        """
        workspace = self._workspace
        if workspace is None:
            self.bar.set_options((), (), ())
            return
        self.bar.set_zone(workspace.timezone)
        self.bar.set_options(
            self.ctx.channels.list(workspace.id),
            self.ctx.plan.list_campaigns(workspace.id),
            self.ctx.plan.list_tags(workspace.id),
        )
        self._filters[workspace.id] = self.bar.show_filter(self.current())

    def set_filter(self, f: PostFilter) -> None:
        """Show ``f`` for the shown workspace and say so through ``changed``."""
        ws = self._workspace
        if ws is None:
            return
        self._filters[ws.id] = self.bar.show_filter(f)
        self.changed.emit(self._filters[ws.id])

    def show_campaign(self, campaign_id: int) -> None:
        """Only the posts of one campaign (the other criteria are cleared)."""
        self.load_options()  # the campaign may be newer than the choices
        self.set_filter(PostFilter(campaign_ids=frozenset({campaign_id})))

    def _bar_changed(self, f: PostFilter) -> None:
        ws = self._workspace
        if ws is not None:
            self._filters[ws.id] = f
            self.changed.emit(f)


def show_campaign(page: CalendarPage, campaign_id: int) -> None:
    """Filter ``page`` on one campaign and show its start if the period shown is outside it.

    Raises ``UserError`` (e.g. the campaign was removed meanwhile).
    """
    campaign = page.filters.ctx.campaigns.get_campaign(campaign_id)
    page.filters.show_campaign(campaign_id)
    start = campaign.starts_on
    end = campaign.ends_on or start
    if start is not None and end is not None and not start <= page.anchor <= end:
        page.show_day(start)
