"""The main window: a workspace switcher, the month of the plan and a summary of the statuses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QIcon, QKeySequence, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar, QWidget

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.events import ChangeSet
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local
from ui.bridge import EventBridge
from ui.delegates.day_cell import STATUS_COLORS
from ui.errors import show_error
from ui.models.month import MonthModel, MonthPeriod
from ui.views.month_view import MonthView

APP_TITLE = "cmdesk"
#: More chips than fit in the tallest month cell; the rest of a busy day is counted, not loaded.
MAX_CHIPS_PER_DAY = 12
#: The order of the status-bar summary: what needs attention first, then the plan's flow.
SUMMARY_ORDER = (
    PostStatus.FAILED,
    PostStatus.MISSED,
    PostStatus.SCHEDULED,
    PostStatus.APPROVED,
    PostStatus.IN_REVIEW,
    PostStatus.DRAFT,
    PostStatus.IDEA,
    PostStatus.PUBLISHED,
)
_PLURALS = {PostStatus.IDEA: "ideas", PostStatus.DRAFT: "drafts"}


def status_phrase(status: PostStatus, count: int) -> str:
    """A count and its status in words: 3 drafts, 1 idea, 12 scheduled."""
    word = _PLURALS[status] if count != 1 and status in _PLURALS else status.label.lower()
    return f"{count} {word}"


def status_summary(counts: Mapping[PostStatus, int]) -> str:
    """The non-zero counts, e.g. "1 failed · 1 missed · 12 scheduled", or "No posts yet"."""
    parts = [status_phrase(s, counts.get(s, 0)) for s in SUMMARY_ORDER if counts.get(s, 0)]
    return " · ".join(parts) if parts else "No posts yet"


def color_dot(color: str, size: int = 12) -> QIcon:
    """A round swatch, for the workspace switcher."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


class MainWindow(QMainWindow):
    """The application's window.

    Signals:
        workspace_changed(object): the ``WorkspaceDTO`` now shown, after a switch or a reload.
    """

    workspace_changed = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._workspaces: list[WorkspaceDTO] = []
        self._workspace: WorkspaceDTO | None = None
        self.setObjectName("mainWindow")
        self.setAccessibleName("cmdesk main window")
        self.setWindowTitle(APP_TITLE)
        self.resize(1280, 820)
        today = ctx.clock.now().date()
        self.month_model = MonthModel(MonthPeriod.containing(today, "UTC"), self)
        self.month_view = MonthView(self.month_model, self)
        self.setCentralWidget(self.month_view)
        self.workspace_combo = self._build_toolbar()
        self.summary_label = self._build_status_bar()
        self._build_actions()
        self._reload_timer = self._timer(0, self._reload_everything)
        self._today_timer = self._timer(60_000, self._refresh_today, single_shot=False)
        self._today_timer.start()
        self.bridge = EventBridge(ctx.hub, self)
        self.bridge.changed.connect(self._on_changed)
        self.month_view.period_changed.connect(lambda _period: self._load_month())
        self.workspace_combo.currentIndexChanged.connect(self._on_workspace_chosen)
        self._load_workspaces()
        self.month_view.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    # --- public ------------------------------------------------------------------------------

    @property
    def workspace(self) -> WorkspaceDTO | None:
        return self._workspace

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.close()
        self._today_timer.stop()
        super().closeEvent(event)

    # --- building ----------------------------------------------------------------------------

    def _build_toolbar(self) -> QComboBox:
        toolbar = QToolBar("Workspace", self)
        toolbar.setObjectName("mainToolbar")
        toolbar.setAccessibleName("Main toolbar")
        toolbar.setMovable(False)
        toolbar.setFloatable(False)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        label = QLabel("Workspace")
        label.setObjectName("toolbarLabel")
        combo = QComboBox()
        combo.setObjectName("workspaceCombo")
        combo.setAccessibleName("Workspace")
        combo.setToolTip("The brand or client whose plan is shown")
        combo.setMinimumContentsLength(22)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        label.setBuddy(combo)
        toolbar.addWidget(label)
        toolbar.addWidget(combo)
        return combo

    def _build_status_bar(self) -> QLabel:
        label = QLabel()
        label.setObjectName("statusSummary")
        label.setAccessibleName("Posts by status")
        label.setTextFormat(Qt.TextFormat.RichText)
        self.statusBar().addWidget(label, 1)
        self.statusBar().setSizeGripEnabled(False)
        return label

    def _build_actions(self) -> None:
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        self.addAction(quit_action)

    def _timer(
        self, interval: int, slot: Callable[[], None], *, single_shot: bool = True
    ) -> QTimer:
        timer = QTimer(self)
        timer.setInterval(interval)
        timer.setSingleShot(single_shot)
        timer.timeout.connect(slot)
        return timer

    # --- loading -----------------------------------------------------------------------------

    def _load_workspaces(self) -> None:
        """Fill the switcher, keeping the current workspace selected if it still exists."""
        keep = self._workspace.id if self._workspace else None
        self._workspaces = self._ctx.workspaces.list()
        combo = self.workspace_combo
        combo.blockSignals(True)
        combo.clear()
        for ws in self._workspaces:
            combo.addItem(color_dot(ws.color), ws.name, ws.id)
        combo.blockSignals(False)
        ids = [ws.id for ws in self._workspaces]
        index = ids.index(keep) if keep in ids else 0
        if self._workspaces:
            combo.setCurrentIndex(index)
        self._on_workspace_chosen(index)

    def _on_workspace_chosen(self, index: int) -> None:
        previous = self._workspace
        self._workspace = self._workspaces[index] if 0 <= index < len(self._workspaces) else None
        ws = self._workspace
        self.setWindowTitle(f"{APP_TITLE} — {ws.name}" if ws else APP_TITLE)
        if ws is None:
            self.month_model.set_posts(())
            self.summary_label.setText("No workspace yet")
            return
        today = self._local_today(ws)
        self.month_model.set_today(today)
        if previous is not None and previous.id == ws.id:
            # A reload of the same workspace keeps the month and day shown (in its current zone).
            shown = self.month_view.period
            period = MonthPeriod(shown.year, shown.month, ws.timezone, ws.week_start)
            self.month_view.show_period(period, self.month_view.grid.current_day())
        else:
            period = MonthPeriod.containing(today, ws.timezone, ws.week_start)
            self.month_view.show_period(period, today)
        self.workspace_changed.emit(ws)

    def _load_month(self) -> None:
        ws = self._workspace
        if ws is None:
            return
        first, end = self.month_view.period.grid_bounds()
        try:
            days = self._ctx.plan.calendar_days(ws.id, first, end, per_day=MAX_CHIPS_PER_DAY)
            counts = self._ctx.plan.count_by_status(ws.id)
            campaigns = self._ctx.plan.list_campaigns(ws.id)
        except Exception as exc:
            show_error(self, exc)
            return
        self.month_model.set_campaign_colors({c.id: c.color for c in campaigns})
        self.month_model.set_posts(days.posts, days.day_counts)
        self._show_summary(counts)

    def _show_summary(self, counts: Mapping[PostStatus, int]) -> None:
        plain = status_summary(counts)
        parts = [
            f'<span style="color:{STATUS_COLORS[s]}">●</span>&nbsp;{status_phrase(s, counts[s])}'
            for s in SUMMARY_ORDER
            if counts.get(s, 0)
        ]
        self.summary_label.setText("&nbsp;&nbsp;&nbsp;".join(parts) if parts else plain)
        self.summary_label.setAccessibleDescription(plain)
        self.summary_label.setToolTip(plain)

    # --- reacting ----------------------------------------------------------------------------

    def _on_changed(self, changes: ChangeSet) -> None:
        # Several change sets in a row (an import, the demo) cost one reload, not one each.
        self._reload_timer.start()

    def _reload_everything(self) -> None:
        try:
            self._load_workspaces()
        except Exception as exc:
            show_error(self, exc)

    def _refresh_today(self) -> None:
        """Move the today marker after midnight (in the workspace's zone) while the app is open."""
        if self._workspace is not None:
            self.month_model.set_today(self._local_today(self._workspace))

    def _local_today(self, ws: WorkspaceDTO) -> date:
        return utc_to_local(self._ctx.clock.now(), ws.timezone).date()
