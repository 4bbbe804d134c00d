"""The main window: navigation between the pages, the workspace switcher, menus and status bar.

Pages (Calendar, Board, List, Inbox, Ideas, Campaigns, Routine, Channels, Settings; see
``ui/pages.py``) are built the first time they are shown,
except the calendar, which is the first thing a person sees: the window paints its frame and the
calendar at once and the other pages cost nothing until asked for. Every change to the plan goes
through one :class:`~ui.actions.PlanActions`, whose undo stack backs the Edit menu, so an action
in any page can be undone from anywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from ui.actions import PlanActions
from ui.bridge import EventBridge
from ui.errors import show_error
from ui.inbox_alerts import AlertWordAlerts, InboxAlerts, install_quiet_hours
from ui.notifications import PublishingAlerts
from ui.notifier import Notification, Notifier
from ui.pages import PAGES, PageSpec, make_page
from ui.plan_menu import add_file_entries, build_plan_menu
from ui.routine_reminders import RoutineReminders
from ui.status_bar import Attention, EngineStatusLike, SchedulerStatus, attention_from_counts
from ui.status_bar import install as install_status_bar
from ui.tasks import TaskRunner
from ui.views.banner import Banner
from ui.views.calendar_page import CalendarPage
from ui.views.page import PlanPage
from ui.window_bars import build_navigation, build_workspace_bar
from ui.window_places import (
    open_notification,
    open_place,
    open_routine,
    show_attention,
    show_campaign,
    show_inbox_items,
)
from ui.window_state import WindowState
from ui.workspace_bar import color_dot, status_phrase, status_summary, summary_html

if TYPE_CHECKING:
    from cmdesk.scheduler import PublishingEngine

APP_TITLE = "cmdesk"
STATUS_REFRESH_MS = 30_000

__all__ = ["MainWindow", "PageSpec", "color_dot", "status_phrase", "status_summary"]


class MainWindow(QMainWindow):
    """The application's window.

    Signals:
        workspace_changed(object): the ``WorkspaceDTO`` now shown, after a switch or a reload.
        page_changed(str): the key of the page now shown ("calendar", "board", ...).
    """

    workspace_changed = Signal(object)
    page_changed = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        engine: PublishingEngine | None = None,
        parent: QWidget | None = None,
        *,
        state: WindowState | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._engine = engine
        self._state = state or WindowState()
        self._workspaces: list[WorkspaceDTO] = []
        self._workspace: WorkspaceDTO | None = None
        self._pages: dict[str, PlanPage] = {}
        self._composers: dict[int | None, QWidget] = {}
        self._waiting = 0
        #: Stops the engine, pollers and housekeeper (set by the application): a restore of a
        #: backup needs the database free of their connections.
        self.stop_background: Callable[[], None] = lambda: None
        self.setObjectName("mainWindow")
        self.setAccessibleName("cmdesk main window")
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 820)
        self.plan_actions = PlanActions(ctx, self)
        self.plan_actions.error_parent = self
        self.runner = TaskRunner(self, error_parent=self)
        self.notifier = Notifier(self)
        self.stack = QStackedWidget()
        self.stack.setObjectName("pageStack")
        self.banner = Banner()
        self.banner.attach(self.notifier)
        self._build_central()
        self.alerts = PublishingAlerts(ctx, self.notifier, self)
        install_quiet_hours(self.notifier, ctx)
        self.inbox_alerts = InboxAlerts(ctx, self.notifier, self)
        self.word_alerts = AlertWordAlerts(ctx, self.notifier, self)
        self.routine_reminders = RoutineReminders(ctx, self.notifier, self)
        self.routine_reminders.open_requested.connect(lambda ws: open_routine(self, ws))
        self.notifier.activated.connect(self._open_notification)
        self.workspace_combo, self.new_post_action = build_workspace_bar(
            self, lambda: self.new_post(None)
        )
        self.nav_actions = build_navigation(self, PAGES, self.show_page)
        self._build_menus()
        self.scheduler_status, self.summary_label = self._build_status_bar()
        self._reload_timer = self._timer(0, self._reload_everything)
        self._status_timer = self._timer(STATUS_REFRESH_MS, self.refresh_status, single_shot=False)
        self._status_timer.start()
        self._status_soon = self._timer(250, self.refresh_status)
        self.bridge = EventBridge(ctx.hub, self)
        self.bridge.changed.connect(self._on_changed)
        self.workspace_combo.currentIndexChanged.connect(self._on_workspace_chosen)
        # What was just done, undone or refused is said where the eye checks: the status bar.
        for signal in (
            self.plan_actions.performed,
            self.plan_actions.failed,
            self.plan_actions.notice,
        ):
            signal.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self._restore_state()

    # --- public ------------------------------------------------------------------------------

    @property
    def ctx(self) -> AppContext:
        return self._ctx

    @property
    def state(self) -> WindowState:
        return self._state

    @property
    def workspace(self) -> WorkspaceDTO | None:
        return self._workspace

    def current_page_key(self) -> str:
        page = self.stack.currentWidget()
        return next((k for k, p in self._pages.items() if p is page), "")

    def page(self, key: str) -> PlanPage:
        """The page ``key``, built on first use."""
        existing = self._pages.get(key)
        if existing is not None:
            return existing
        page = make_page(self, key)
        page.setObjectName(f"{key}Page")
        page.bridge = self.bridge
        page.edit_requested.connect(self.open_post)
        page.new_post_requested.connect(self.new_post)
        self._pages[key] = page
        self.stack.addWidget(page)
        page.set_workspace(self._workspace)
        return page

    def show_page(self, key: str) -> PlanPage:
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        self.nav_actions[key].setChecked(True)
        self.page_changed.emit(key)
        return page

    def open_post(self, post_id: int) -> None:
        """Open the composer on a post (or bring its open composer forward)."""
        self._open_composer(post_id, None)

    def new_post(self, when: datetime | None = None) -> None:
        """Open the composer on a new post, at ``when`` if given."""
        self._open_composer(None, when)

    def set_waiting_count(self, count: int) -> None:
        """Show how many inbox items wait in the title, e.g. "(3) cmdesk — Harbor Light Books"."""
        self._waiting = count
        self._update_title()

    def _update_title(self) -> None:
        ws = self._workspace
        title = f"{APP_TITLE} — {ws.name}" if ws else APP_TITLE
        self.setWindowTitle(f"({self._waiting}) {title}" if self._waiting else title)

    def show_inbox_items(self, item_ids: Sequence[int]) -> None:
        """Open the Inbox at these items (a click on a notification about them)."""
        show_inbox_items(self, list(item_ids))

    def recover_drafts(self) -> None:
        """Reopen the composers whose text was not saved when cmdesk last stopped."""
        from ui.views.composer import recover_drafts

        for dialog in recover_drafts(self._ctx, self.plan_actions, self):
            self._keep_composer(dialog.post.id if dialog.post else None, dialog)

    def refresh_status(self) -> None:
        """Re-read the engine's state and the posts that need attention."""
        ws = self._workspace
        status = self._engine_status()
        zone = ws.timezone if ws else "UTC"
        attention = Attention()
        if ws is not None:
            try:
                counts = self._ctx.plan.count_by_status(ws.id)
                attention = attention_from_counts(counts, self._to_confirm(ws.id))
                unread = self._ctx.inbox.count_unread(ws.id)
            except Exception as exc:
                show_error(self, exc)
                return
            self._show_summary(counts)
            self._show_unread(unread)
        self.scheduler_status.show_state(status, attention, self._ctx.clock.now(), zone)

    def closeEvent(self, event: QCloseEvent) -> None:
        calendar = self._pages.get("calendar")
        if isinstance(calendar, CalendarPage):
            self._state.save_calendar_mode(calendar.mode.value)
        self._state.save(
            self.saveGeometry(),
            self.saveState(),
            self.current_page_key(),
            self._workspace.id if self._workspace else None,
        )
        self.bridge.close()
        self._status_timer.stop()
        self.alerts.close()
        self.inbox_alerts.close()
        self.word_alerts.close()
        self.routine_reminders.close()
        self.runner.shutdown(5000)
        super().closeEvent(event)

    # --- building ----------------------------------------------------------------------------

    def _build_central(self) -> None:
        central = QWidget()
        central.setObjectName("central")
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_post_action)
        file_menu.addSeparator()
        add_file_entries(self, file_menu)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setObjectName("quitAction")
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self._quit)
        file_menu.addAction(quit_action)
        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.plan_actions.create_undo_action(self)
        self.redo_action = self.plan_actions.create_redo_action(self)
        edit_menu.addAction(self.undo_action)
        edit_menu.addAction(self.redo_action)
        view_menu = bar.addMenu("&View")
        for action in self.nav_actions.values():
            view_menu.addAction(action)
        build_plan_menu(self)

    def _build_status_bar(self) -> tuple[SchedulerStatus, QLabel]:
        status = SchedulerStatus()
        status.attention_clicked.connect(self.show_attention)
        label = QLabel()
        label.setObjectName("statusSummary")
        label.setAccessibleName("Posts by status")
        label.setTextFormat(Qt.TextFormat.RichText)
        install_status_bar(self.statusBar(), status, label)
        return status, label

    def _timer(
        self, interval: int, slot: Callable[[], None], *, single_shot: bool = True
    ) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval)
        timer.setSingleShot(single_shot)
        timer.timeout.connect(slot)
        return timer

    def _restore_state(self) -> None:
        if geometry := self._state.geometry():
            self.restoreGeometry(geometry)
        if layout := self._state.layout():
            self.restoreState(layout)
        self._load_workspaces(prefer=self._state.workspace_id())
        key = self._state.page()
        self.show_page(key if key in self.nav_actions else "calendar")

    # --- pages -------------------------------------------------------------------------------

    def _open_composer(self, post_id: int | None, when: datetime | None) -> None:
        open_one = self._composers.get(post_id) if post_id is not None else None
        if open_one is not None:
            open_one.show()
            open_one.raise_()
            open_one.activateWindow()
            return
        ws = self._workspace
        if ws is None:
            return
        from ui.views.composer import ComposerDialog

        try:
            dialog = ComposerDialog(self._ctx, self.plan_actions, ws, post_id, when, self)
        except Exception as exc:
            show_error(self, exc)
            return
        self._keep_composer(post_id, dialog)
        dialog.show()

    def _keep_composer(self, post_id: int | None, dialog: QWidget) -> None:
        """Remember an open composer, so a second request for its post brings it forward."""
        key = post_id if post_id is not None else -id(dialog)
        self._composers[key] = dialog
        dialog.destroyed.connect(lambda *_: self._composers.pop(key, None))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def _open_notification(self, note: Notification) -> None:
        open_notification(self, note)

    def choose_workspace(self, workspace_id: int) -> None:
        """Show this workspace (as if chosen in the switcher)."""
        index = self.workspace_combo.findData(workspace_id)
        if index >= 0:
            self.workspace_combo.setCurrentIndex(index)

    def show_campaign(self, campaign_id: int) -> None:
        """Show the calendar filtered on one campaign, at its start if it is not in view."""
        show_campaign(self, campaign_id)

    def open_place(self, key: str) -> None:
        """Show where a routine task is done ("inbox", "calendar-next-week", "report", ...)."""
        open_place(self, key)

    def show_attention(self) -> None:
        """The List, filtered on the posts that need the person."""
        show_attention(self)

    def quit_after_restore(self, _result: object) -> None:
        """A backup was restored under the running window: cmdesk stops; the next start reads it."""
        self._quit()

    # --- loading -----------------------------------------------------------------------------

    def _load_workspaces(self, prefer: int | None = None) -> None:
        """Fill the switcher, keeping (or choosing) the workspace shown if it still exists."""
        keep = self._workspace.id if self._workspace else prefer
        self._workspaces = self._ctx.workspaces.list()
        combo = self.workspace_combo
        combo.blockSignals(True)
        combo.clear()
        for ws in self._workspaces:
            combo.addItem(color_dot(ws.color), ws.name, ws.id)
        ids = [ws.id for ws in self._workspaces]
        index = ids.index(keep) if keep in ids else 0
        if self._workspaces:
            combo.setCurrentIndex(index)
        combo.blockSignals(False)
        self._on_workspace_chosen(index)

    def _on_workspace_chosen(self, index: int) -> None:
        chosen = self._workspaces[index] if 0 <= index < len(self._workspaces) else None
        self._workspace = chosen
        self._update_title()
        for page in self._pages.values():
            page.set_workspace(chosen)
        if chosen is None:
            self.summary_label.setText("No workspace yet")
        self.refresh_status()
        self.workspace_changed.emit(chosen)

    def _show_unread(self, unread: int) -> None:
        """The navigation says how many inbox items of this workspace are new: "Inbox (3)"."""
        action = self.nav_actions["inbox"]
        action.setText(f"Inbox ({unread})" if unread else "Inbox")
        if button := self._nav_button("inbox"):
            button.setAccessibleName(f"Inbox, {unread} new" if unread else "Inbox")

    def _nav_button(self, key: str) -> QWidget | None:
        bar = self.findChild(QToolBar, "navBar")
        return bar.widgetForAction(self.nav_actions[key]) if bar is not None else None

    def _show_summary(self, counts: Mapping[PostStatus, int]) -> None:
        plain = status_summary(counts)
        self.summary_label.setText(summary_html(counts))
        self.summary_label.setAccessibleDescription(plain)
        self.summary_label.setToolTip(plain)

    def _engine_status(self) -> EngineStatusLike | None:
        return self._engine.status() if self._engine is not None else None

    def _to_confirm(self, workspace_id: int) -> int:
        return self._ctx.plan.count_to_confirm(workspace_id)

    # --- reacting ----------------------------------------------------------------------------

    def _on_changed(self, changes: ChangeSet) -> None:
        if changes.description == "engine":
            self.refresh_status()
            return
        if changes.ids("workspace"):
            # Several change sets in a row (an import, the demo) cost one reload, not one each.
            self._reload_timer.start()
            return
        for page in self._pages.values():
            page.on_changes(changes)
        # A burst of publications refreshes the counts once, not once per post.
        self._status_soon.start()

    def _reload_everything(self) -> None:
        try:
            self._load_workspaces()
        except Exception as exc:
            show_error(self, exc)

    def _quit(self) -> None:
        from PySide6.QtWidgets import QApplication

        self.close()
        QApplication.quit()
