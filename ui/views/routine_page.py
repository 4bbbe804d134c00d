"""The Routine page: the community manager's checklists for today, this week and this month.

Top, the day in the workspace's zone and today's progress; "New task" (Ctrl+Return) and
"From templates…" add tasks. Tabs: Today (what is due today plus weekly and monthly tasks whose
day has passed and are still open), This week, This month (each with check boxes: Space toggles,
Return edits, Delete removes) and History (tasks against past days, weeks or months, missed
ones in red).

The first time a workspace's routine is shown it gets the profession's default tasks
(``RoutineService.ensure_defaults``: once per workspace). Routine tasks are not part of the plan,
so their changes go straight to ``ctx.routine`` rather than through the plan's undo stack.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.planning.routine_dto import RoutineTaskInput
from ui.errors import show_error
from ui.views.page import PlanPage
from ui.views.routine_dialogs import RoutineTaskDialog, TemplatePickerDialog
from ui.views.routine_panels import ChecklistPanel, HistoryPanel

VIEWS = (
    ("today", "&Today", "Nothing due today. Enjoy the quiet — or add a task with Ctrl+Return."),
    ("week", "This &week", "No weekly tasks. Add one, or take them from the templates."),
    ("month", "This &month", "No monthly tasks. Add one, or take them from the templates."),
)
RELEVANT_KINDS = {"routine_task", "workspace"}


class RoutinePage(PlanPage):
    """The CM routine for the current workspace.

    Signals:
        action_requested(str): a task's button was pressed; open that place. Keys:
            "inbox", "listening", "attention", "calendar", "calendar-next-week",
            "calendar-next-month", "board", "ideas", "campaigns", "report", "channels".
    """

    action_requested = Signal(str)
    title = "Routine"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("routinePage")
        self.setAccessibleName("Routine")
        self.panels: dict[str, ChecklistPanel] = {}
        self._build()

    def _build(self) -> None:
        self.heading = QLabel("Routine", self)
        self.heading.setObjectName("pageTitle")
        font = self.heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.heading.setFont(font)
        self.day_label = QLabel(self)
        self.day_label.setObjectName("routineDay")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Today's progress")
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(180)
        self.progress.setFixedHeight(10)
        self.progress_label = QLabel(self)
        self.new_button = QPushButton("New task", self)
        self.new_button.setAccessibleName("New routine task")
        self.new_button.setToolTip("Add a task of your own (Ctrl+Return)")
        self.new_button.clicked.connect(self.add_task)
        self.templates_button = QPushButton("From templates…", self)
        self.templates_button.setAccessibleName("Add tasks from the profession's templates")
        self.templates_button.clicked.connect(self.add_from_templates)
        top = QHBoxLayout()
        top.addWidget(self.heading)
        top.addSpacing(12)
        top.addWidget(self.day_label)
        top.addStretch(1)
        top.addWidget(self.progress_label)
        top.addWidget(self.progress)
        top.addSpacing(12)
        top.addWidget(self.new_button)
        top.addWidget(self.templates_button)
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Routine views")
        for key, label, empty in VIEWS:
            panel = ChecklistPanel(label.replace("&", ""), empty, self.tabs)
            self._connect(panel)
            self.panels[key] = panel
            self.tabs.addTab(panel, label)
        self.history = HistoryPanel(self.tabs)
        self.history.span_changed.connect(self._load_history)
        self.tabs.addTab(self.history, "&History")
        self.tabs.currentChanged.connect(lambda _i: self._focus_list())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        add = QShortcut(QKeySequence("Ctrl+Return"), self)
        add.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        add.activated.connect(self.add_task)
        add2 = QShortcut(QKeySequence("Ctrl+Enter"), self)
        add2.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        add2.activated.connect(self.add_task)

    def _connect(self, panel: ChecklistPanel) -> None:
        panel.toggle_requested.connect(self.set_done)
        panel.note_requested.connect(lambda tid, note: self.set_done(tid, True, note))
        panel.edit_requested.connect(self.edit_task)
        panel.move_requested.connect(
            lambda tid, off: self._call(self.ctx.routine.move_task, tid, off)
        )
        panel.remove_requested.connect(self.remove_task)
        panel.action_requested.connect(self.action_requested)

    # --- loading -----------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        kinds = {k for pool in (changes.created, changes.updated, changes.deleted) for k, _ in pool}
        return bool(kinds & RELEVANT_KINDS) or not kinds

    def reload(self) -> None:
        ws = self.workspace
        enabled = ws is not None
        for w in (self.tabs, self.new_button, self.templates_button):
            w.setEnabled(enabled)
        if ws is None:
            self.day_label.setText("Create a workspace to keep its routine.")
            return
        try:
            self.ctx.routine.ensure_defaults(ws.id)
            lists = {key: self.ctx.routine.checklist(ws.id, key) for key, _, _ in VIEWS}
        except Exception as exc:
            show_error(self, exc)
            return
        today = lists["today"]
        self.day_label.setText(f"{today.today:%A} {today.today.day} {today.today:%B} · {ws.name}")
        self.progress.setRange(0, max(1, today.total))
        self.progress.setValue(today.done_count)
        self.progress_label.setText(
            f"{today.done_count} of {today.total} done today"
            if today.total
            else "Nothing due today"
        )
        for key, checklist in lists.items():
            self.panels[key].set_items(list(checklist.items), checklist.today, ws.timezone)
            label = next(lbl for k, lbl, _ in VIEWS if k == key)
            open_ = sum(1 for i in checklist.items if not i.done and i.due_on is not None)
            suffix = f" ({open_})" if open_ else " ✓" if checklist.total else ""
            self.tabs.setTabText(list(self.panels).index(key), f"{label}{suffix}")
        self._load_history()

    def _load_history(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        cadence, count = self.history.chosen()
        try:
            history = self.ctx.routine.history(ws.id, cadence, count=count)
        except Exception as exc:
            show_error(self, exc)
            return
        self.history.model.set_history(history, ws.timezone)
        self.history.summary.setText(self.history.model.summary())

    def _focus_list(self) -> None:
        panel = self.tabs.currentWidget()
        if isinstance(panel, ChecklistPanel):
            panel.list.setFocus()

    # --- actions -----------------------------------------------------------------------------

    def _call(self, fn: Callable[..., object], *args: object) -> bool:
        try:
            fn(*args)
        except Exception as exc:
            show_error(self, exc)
            return False
        self.refresh()
        return True

    def set_done(self, task_id: int, done: bool, note: str = "") -> None:
        """Check a task off (with a note) or un-check it, for the current period."""
        try:
            self.ctx.routine.set_done(task_id, done, note=note)
        except Exception as exc:
            show_error(self, exc)
        self.refresh()

    def add_task(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        cadence = {"week": "weekly", "month": "monthly"}.get(self._current_view(), "daily")

        def submit(data: RoutineTaskInput) -> None:
            self.ctx.routine.add_task(ws.id, data)

        dialog = RoutineTaskDialog(submit, None, self)
        dialog.cadence.setCurrentIndex(max(0, dialog.cadence.findData(cadence)))
        if dialog.exec():
            self.refresh()

    def edit_task(self, task_id: int) -> None:
        try:
            task = self.ctx.routine.get(task_id)
        except Exception as exc:
            show_error(self, exc)
            self.refresh()
            return
        dialog = RoutineTaskDialog(lambda d: self.ctx.routine.update_task(task_id, d), task, self)
        if dialog.exec():
            self.refresh()

    def remove_task(self, task_id: int) -> None:
        try:
            task = self.ctx.routine.get(task_id)
        except Exception as exc:
            show_error(self, exc)
            return
        answer = QMessageBox.question(
            self,
            "Remove routine task",
            f"Remove “{task.title}” and its history from the routine?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._call(self.ctx.routine.remove_task, task_id)

    def add_from_templates(self) -> None:
        ws = self.workspace
        if ws is None:
            return
        present = {t.template_key or "" for t in self.ctx.routine.tasks(ws.id)}
        dialog = TemplatePickerDialog(self.ctx.routine.templates(), present, self)
        if dialog.exec() and dialog.chosen():
            self._call(self.ctx.routine.add_templates, ws.id, dialog.chosen())

    def _current_view(self) -> str:
        panel = self.tabs.currentWidget()
        return next((k for k, p in self.panels.items() if p is panel), "today")

    def show_today(self) -> None:
        """Bring the Today tab forward (a routine reminder was clicked)."""
        self.tabs.setCurrentIndex(0)
        self._focus_list()
