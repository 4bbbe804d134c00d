"""The calendar page: month, week and day views of the plan, with the unscheduled side list.

The toolbar switches the view (Month / Week / Day, Alt+M / Alt+W / Alt+D), goes to the previous or
next period (Ctrl+Page Up / Ctrl+Page Down) or to today (Ctrl+Home), and names the period shown
and the zone its times are in. Only the shown period is loaded: a month through
``PlanService.calendar_days`` (at most a cell's worth of chips per day plus each day's total), a
week through ``PlanService.list_window``. The week and day views share one model; the day view is
a proxy of one of its columns.

Every change goes through :class:`~ui.actions.PlanActions`, so it can be undone: drops (handled
by the models, see :mod:`ui.models.drops`), keyboard nudges (see :mod:`ui.views.post_grid`) and the
context menu (:func:`ui.views.post_menu.build_post_menu`). The page reloads when an action was
performed, so a drop is repainted at once; a refused drop or nudge says why where it happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QMenu,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostSummary, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time, utc_to_local
from ui.actions import PlanActions
from ui.errors import show_error
from ui.models.calendar_grid import CalendarGridModel
from ui.models.drops import CalendarDrops, default_time
from ui.models.idea_drops import IdeaDrops
from ui.models.month import CalendarRole, MonthModel, MonthPeriod
from ui.models.unscheduled import UnscheduledModel
from ui.models.week import DayColumnProxy, TimeGridModel, WeekPeriod
from ui.views.calendar_filters import CalendarFilters
from ui.views.calendar_toolbar import CalendarMode, CalendarToolbar, long_date, week_title
from ui.views.campaign_bands import show_bands
from ui.views.ideas_side import IdeasSide
from ui.views.month_view import MonthGrid, month_title
from ui.views.open_slots import show_open_slots
from ui.views.page import PlanPage
from ui.views.post_grid import PostGrid
from ui.views.post_menu import build_post_menu
from ui.views.series_marks import load_series_marks
from ui.views.side_list import SideList
from ui.views.week_view import TimeGrid

#: More chips than fit in the tallest month cell; the rest of a busy day is counted, not loaded.
#: The change-set kind of new engagement snapshots (``cmdesk.services.metrics``).
METRICS_KIND = "metric_snapshot"
MAX_CHIPS_PER_DAY = 12


class CalendarPage(PlanPage):
    """Month, week and day views with the unscheduled side list.

    Signals (besides ``edit_requested(int)`` and ``new_post_requested(object)`` of PlanPage):
        period_changed(str): the title of the period now shown (after navigation or a switch).
    """

    period_changed = Signal(str)
    title = "Calendar"

    def __init__(
        self, ctx: AppContext, actions: PlanActions, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("calendarPage")
        self.setAccessibleName("Calendar")
        self._ctx = ctx
        self._actions = actions
        self._mode = CalendarMode.MONTH
        self._anchor = ctx.clock.now().date()
        self._meta_stale = True
        self._switching = False
        self._metrics_seen = 0
        self._engagement_key: dict[int, tuple[object, ...]] = {}
        self.drops = CalendarDrops(actions, ctx.plan.get_post, on_done=self._after_drop)
        self.month_model = MonthModel(MonthPeriod.containing(self._anchor, "UTC"), self)
        self.time_model = TimeGridModel(WeekPeriod.containing(self._anchor, "UTC"), self)
        self.day_proxy = DayColumnProxy(self)
        self.day_proxy.setSourceModel(self.time_model)
        self.unscheduled_model = UnscheduledModel(self)
        for model in (self.month_model, self.time_model, self.unscheduled_model):
            model.set_drop_handler(self.drops)
        self.month_grid = MonthGrid(self.month_model)
        self.week_grid = TimeGrid(self.time_model, "Week calendar")
        self.day_grid = TimeGrid(self.day_proxy, "Day calendar")
        self.side_list = SideList(self.unscheduled_model)
        # Ideas dragged from the bin onto a cell become drafts there (ui.models.idea_drops).
        self.idea_drops = IdeaDrops(actions, self.drops, on_done=self._after_drop)
        self.month_model.idea_drops = self.time_model.idea_drops = self.idea_drops
        self.ideas_side = IdeasSide(ctx)
        self.side_list.add_tab(self.ideas_side, "Ideas bin")
        self.stack = QStackedWidget()
        for grid in self.grids():
            self.stack.addWidget(grid)
            self._connect_grid(grid)
        self._build_toolbar()
        self.filters = CalendarFilters(ctx, self)
        self.filters.changed.connect(lambda _f: self.refresh())
        self._build_layout()
        self._connect()
        self._today_timer = QTimer(self)
        self._today_timer.setInterval(60_000)
        self._today_timer.timeout.connect(self._refresh_today)
        self._today_timer.start()
        self._update_labels()

    # --- public ------------------------------------------------------------------------------

    @property
    def mode(self) -> CalendarMode:
        return self._mode

    @property
    def anchor(self) -> date:
        """The day the views are centred on (the month, week or day shown contains it)."""
        return self._anchor

    def grids(self) -> tuple[MonthGrid, TimeGrid, TimeGrid]:
        return self.month_grid, self.week_grid, self.day_grid

    def current_grid(self) -> PostGrid:
        return {
            CalendarMode.MONTH: self.month_grid,
            CalendarMode.WEEK: self.week_grid,
            CalendarMode.DAY: self.day_grid,
        }[self._mode]

    def set_mode(self, mode: CalendarMode) -> None:
        """Show the month, week or day containing :attr:`anchor`."""
        self._mode = CalendarMode(mode)
        self.toolbar.show_mode(self._mode)
        # Showing a grid may give it a current cell of the period it showed before: that must not
        # move the anchor the new view is about to be centred on.
        self._switching = True
        try:
            self.stack.setCurrentWidget(self.current_grid())
            self.current_grid().setFocus(Qt.FocusReason.OtherFocusReason)
        finally:
            self._switching = False
        self._show_period()

    def step(self, count: int) -> None:
        """Go ``count`` months, weeks or days forwards (or back when negative)."""
        if self._mode == CalendarMode.MONTH:
            period = self.month_model.period
            self._anchor = period.same_day_in(period.shifted(count), self._anchor)
        else:
            self._anchor += timedelta(days=count * (7 if self._mode == CalendarMode.WEEK else 1))
        self._show_period()

    def go_today(self) -> None:
        self.show_day(self._today())

    def show_day(self, day: date) -> None:
        """Show the period containing ``day`` and put the keyboard on it."""
        self._anchor = day
        self._show_period()
        self.current_grid().setFocus(Qt.FocusReason.OtherFocusReason)

    def show_whole_day(self, day: date) -> None:
        """The day view of ``day``: where a busy day's "+N more" posts all have room."""
        self._anchor = day
        self.set_mode(CalendarMode.DAY)

    def period_title(self) -> str:
        return self.title_label.text()

    def post_summary(self, post_id: int) -> PostSummary | None:
        """The shown post with this id (on the calendar or in the side list), if any."""
        posts: list[PostSummary] = list(self.unscheduled_model.posts())
        day = self.month_model.day_of_post(post_id)
        if day is not None:
            posts.extend(self.month_model.posts_on(day))
        where = self.time_model.position_of_post(post_id)
        if where is not None:
            cell = self.time_model.index(where[1], self.time_model.column_of(where[0]))
            posts.extend(cell.data(CalendarRole.POSTS))
        return next((p for p in posts if p.id == post_id), None)

    def post_menu(self, post_id: int) -> QMenu | None:
        """The context menu of a shown post (edit, duplicate, unschedule, publish now, delete)."""
        post = self.post_summary(post_id)
        if post is None:
            return None
        return build_post_menu(self, [post], self._actions, self.edit_requested.emit)

    # --- PlanPage ----------------------------------------------------------------------------

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        if workspace is None or self.workspace is None or workspace.id != self.workspace.id:
            self._anchor = self._today(workspace)
        self._meta_stale = True
        self.drops.workspace = workspace
        self.filters.set_workspace(workspace)
        for grid in self.grids():
            grid.workspace_id = workspace.id if workspace else 0
        super().set_workspace(workspace)

    def on_changes(self, changes: ChangeSet) -> None:
        if changes.ids(METRICS_KIND):
            self._metrics_seen += 1  # new snapshots: the tooltips' counts are read again
        if any(changes.ids(kind) for kind in ("channel", "campaign", "tag", "workspace")):
            self._meta_stale = True
        super().on_changes(changes)

    def reload(self) -> None:
        try:
            if self._meta_stale:
                self._load_meta()
            self._load_side_list()
            self.ideas_side.set_workspace(self.workspace)
        except UserError as exc:
            show_error(self, exc)
        self._show_period()

    # --- building ----------------------------------------------------------------------------

    def _build_toolbar(self) -> None:
        self.toolbar = CalendarToolbar(self)
        self.mode_buttons = self.toolbar.mode_buttons
        self.today_button = self.toolbar.today_button
        self.prev_button = self.toolbar.prev_button
        self.next_button = self.toolbar.next_button
        self.title_label = self.toolbar.title_label
        self.zone_label = self.toolbar.zone_label

    def _build_layout(self) -> None:
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.side_list)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setSizes([900, 240])
        self.splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.filters.bar)
        layout.addWidget(self.splitter, 1)

    def _connect(self) -> None:
        self.toolbar.today_requested.connect(self.go_today)
        self.toolbar.step_requested.connect(self.step)
        self.toolbar.mode_chosen.connect(lambda value: self.set_mode(CalendarMode(value)))
        for keys, slot in (
            ("Ctrl+PgUp", lambda: self.step(-1)),
            ("Ctrl+PgDown", lambda: self.step(1)),
            ("Ctrl+Home", self.go_today),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.month_grid.month_step_requested.connect(self.step)
        self.month_grid.today_requested.connect(self.go_today)
        self.month_grid.more_requested.connect(self.show_whole_day)
        self.month_grid.selectionModel().currentChanged.connect(self._month_cell_changed)
        for grid in (self.week_grid, self.day_grid):
            grid.selectionModel().currentChanged.connect(
                lambda current, _prev, g=grid: self._slot_changed(g, current)
            )
        side = self.side_list.list
        side.refusal_text = lambda: self.drops.last_refusal
        side.post_activated.connect(self.edit_requested)
        side.post_menu_requested.connect(self._show_menu)
        self._actions.performed.connect(self._on_performed)

    def _connect_grid(self, grid: PostGrid) -> None:
        grid.refusal_text = lambda: self.drops.last_refusal
        grid.post_activated.connect(self.edit_requested)
        grid.slot_activated.connect(self._new_post_at)
        grid.post_menu_requested.connect(self._show_menu)
        grid.move_requested.connect(lambda pid, delta, g=grid: self._nudge(g, pid, delta))
        grid.delete_requested.connect(
            lambda pid, g=grid: self._run(g, pid, lambda: self._actions.delete([pid]))
        )

    # --- loading -----------------------------------------------------------------------------

    def _load_meta(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        campaigns = {c.id: c.color for c in self._ctx.plan.list_campaigns(ws.id)}
        channels = self._ctx.channels.list(workspace_id=ws.id, include_removed=True)
        for model in (self.month_model, self.time_model):
            model.set_campaign_colors(campaigns)
            model.set_channels(channels)
        self.filters.load_options()
        self._meta_stale = False

    def _show_period(self) -> None:
        """Point the current view at :attr:`anchor` and load what it shows."""
        self._switching = True
        try:
            self._load_period()
        except UserError as exc:
            show_error(self, exc)
        finally:
            self._switching = False

    def _load_period(self) -> None:
        ws = self.workspace
        zone, week_start = (ws.timezone, ws.week_start) if ws else ("UTC", 0)
        today = self._today()
        load_series_marks(self._ctx, ws, (self.month_model, self.time_model))  # ↻ and ♻ chips
        if self._mode == CalendarMode.MONTH:
            period = MonthPeriod.containing(self._anchor, zone, week_start)
            if period != self.month_model.period:
                self.month_model.set_period(period)
            self.month_model.set_today(today)
            if ws is None:
                self.month_model.set_posts(())
            else:
                first, end = period.grid_bounds()
                days = self._ctx.plan.calendar_days(
                    ws.id, first, end, per_day=MAX_CHIPS_PER_DAY, filter=self.filters.current()
                )
                bands = self._ctx.campaigns.bands(ws.id, first, end - timedelta(days=1))
                show_bands(self.month_grid, bands)
                self.month_model.set_posts(days.posts, days.day_counts)
                self._load_engagement(self.month_model, self.month_model.published_ids())
            self.month_grid.select_day(self._anchor)
        else:
            week = WeekPeriod.containing(self._anchor, zone, week_start)
            fresh = week != self.time_model.period
            if fresh:
                self.time_model.set_period(week)
            self.time_model.set_today(today)
            self.day_proxy.set_day(self._anchor)
            start, end = week.utc_window()
            f = self.filters.current()
            posts = self._ctx.plan.list_window(ws.id, start, end, f) if ws is not None else []
            last = week.end - timedelta(days=1)
            bands = self._ctx.campaigns.bands(ws.id, week.start, last) if ws is not None else []
            for time_grid in (self.week_grid, self.day_grid):
                show_bands(time_grid, bands)
            self.time_model.set_posts(posts)
            show_open_slots(self._ctx, ws, (self.week_grid, self.day_grid), start, end)
            published = [p.id for p in posts if p.status == PostStatus.PUBLISHED]
            self._load_engagement(self.time_model, published)
            grid = self.current_grid()
            assert isinstance(grid, TimeGrid)
            grid.now = self._ctx.clock.now()
            if fresh or not grid.currentIndex().isValid():
                grid.scroll_to_hour()
        self._update_labels()

    def _load_engagement(self, model: CalendarGridModel[Any, Any], published: list[int]) -> None:
        """Engagement counts for the tooltips, read again only when they may have changed."""
        key = (id(model), tuple(published), self._metrics_seen)
        if key != self._engagement_key.get(id(model)):
            self._engagement_key[id(model)] = key
            model.set_engagement(self._ctx.metrics.latest(published) if published else {})

    def _load_side_list(self) -> None:
        ws = self.workspace
        posts = self._ctx.plan.list_unscheduled(ws.id, self.filters.current()) if ws else []
        self.unscheduled_model.set_posts(ws.id if ws else 0, posts)

    def _update_labels(self) -> None:
        if self._mode == CalendarMode.MONTH:
            text = month_title(self.month_model.period)
        elif self._mode == CalendarMode.WEEK:
            text = week_title(self.time_model.period)
        else:
            text = long_date(self._anchor)
        zone = self.workspace.timezone if self.workspace else "UTC"
        self.zone_label.setText(f"Times in {zone.replace('_', ' ')}")
        if text != self.title_label.text():
            self.title_label.setText(text)
            self.period_changed.emit(text)

    def _today(self, workspace: WorkspaceDTO | None = None) -> date:
        ws = workspace or self.workspace
        return utc_to_local(self._ctx.clock.now(), ws.timezone if ws else "UTC").date()

    def _refresh_today(self) -> None:
        self.month_model.set_today(self._today())
        self.time_model.set_today(self._today())
        for grid in (self.week_grid, self.day_grid):
            grid.now = self._ctx.clock.now()
            grid.viewport().update()

    # --- reacting ----------------------------------------------------------------------------

    def _month_cell_changed(self) -> None:
        day = self.month_grid.current_day()
        if not self._switching and day is not None and self.month_model.period.contains(day):
            self._anchor = day

    def _slot_changed(self, grid: TimeGrid, current: object) -> None:
        day = grid.day_of_column(grid.currentIndex().column())
        if not self._switching and day is not None and grid is self.week_grid:
            self._anchor = day

    def _on_performed(self, _text: str) -> None:
        # Undo, redo, a drop or a menu action: what the calendar shows may have changed.
        self.mark_stale()

    def _after_drop(self, post_ids: Sequence[int]) -> None:
        if post_ids:
            self.current_grid().select_post(post_ids[-1])

    def _new_post_at(self, value: object) -> None:
        ws = self.workspace
        if isinstance(value, datetime):
            self.new_post_at(value)
        elif isinstance(value, date) and ws is not None:
            self.new_post_at(at_wall_time(value, default_time(ws), ws.timezone))

    def _show_menu(self, post_id: int, where: QPoint) -> None:
        menu = self.post_menu(post_id)
        if menu is not None:
            menu.exec(where)
            menu.deleteLater()

    def _nudge(self, grid: PostGrid, post_id: int, delta: timedelta) -> None:
        if self._run(grid, post_id, lambda: self._actions.move_by(post_id, delta)):
            self._follow(grid, post_id)

    def _run(self, grid: PostGrid, post_id: int, step: object) -> bool:
        try:
            step()  # type: ignore[operator]
        except UserError as exc:
            grid.refuse(post_id, exc.message)
            return False
        return True

    def _follow(self, grid: PostGrid, post_id: int) -> None:
        """Keep a nudged post picked, showing its new period if it left the one shown."""
        if not grid.cell_of_post(post_id).isValid():
            when = self._ctx.plan.get_post(post_id).scheduled_at
            if when is not None and self.workspace is not None:
                self.show_day(utc_to_local(when, self.workspace.timezone).date())
        grid.select_post(post_id)
