"""File > Import CSV: choose a file, see what it would create and every problem, then import.

The file is checked on the task runner (``ctx.exchange.check_csv``), never on the GUI thread.
Import is enabled only when the file has no problem and something to create; it is one service
call and one transaction, and one undo step: Edit > Undo moves the imported posts to the trash
(and Redo brings them back), through the same commands as a delete and a restore.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.events import ChangeSet
from cmdesk.exchange.csv_import import ImportPlan
from ui.actions import PlanActions
from ui.errors import show_error
from ui.models.exchange import ImportPreviewModel, ImportProblemsModel
from ui.tasks import Task, TaskRunner
from ui.undo_commands import RestoreCommand


def _table(model: ImportPreviewModel | ImportProblemsModel, name: str) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setAccessibleName(name)
    view.setObjectName(name.lower().replace(" ", "_"))
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(False)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    return view


class CsvImportDialog(QDialog):
    """Checks a CSV file and imports it into one workspace.

    Signals:
        imported(str): posts were imported; the text says how many ("Imported 12 posts").
    """

    imported = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        workspace: WorkspaceDTO,
        runner: TaskRunner,
        actions: PlanActions | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.workspace, self.runner = ctx, workspace, runner
        self.plan_actions = actions
        self.plan: ImportPlan | None = None
        self._generation = 0
        self._check_task: Task[ImportPlan] | None = None
        self._importing = False
        self.setWindowTitle(f"Import posts from CSV into {workspace.name}")
        self.setAccessibleName("Import posts from CSV")
        self.resize(900, 560)
        self.preview = ImportPreviewModel(self)
        self.problems = ImportProblemsModel(self)
        self._build()

    def _build(self) -> None:
        self.create_missing = QCheckBox("Create &missing campaigns, pillars and tags")
        self.create_missing.setAccessibleName("Create missing campaigns, pillars and tags")
        self.create_missing.toggled.connect(self.check_again)
        self.status = QLabel("Choose a file to see what it would import.")
        self.status.setAccessibleName("Check result")
        self.status.setWordWrap(True)
        self.tabs = self._build_tables()
        note = QLabel(
            "The whole file is checked first and imported in one step: nothing is written if any "
            "row has a problem, and Edit › Undo removes the imported posts again."
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.import_button = buttons.addButton("&Import", QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setAccessibleName("Import the posts")
        self.import_button.setEnabled(False)
        buttons.accepted.connect(self.do_import)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self._build_file_row())
        layout.addWidget(self.create_missing)
        layout.addWidget(self.status)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)

    def _build_file_row(self) -> QHBoxLayout:
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("A .csv file: date, time, zone, channels, text, ...")
        self.path_edit.setAccessibleName("CSV file")
        self.path_edit.returnPressed.connect(self.check_again)
        choose = QPushButton("&Choose file…")
        choose.setAccessibleName("Choose a CSV file")
        choose.clicked.connect(self._choose)
        self.recheck = QPushButton("Check &again")
        self.recheck.setAccessibleName("Check the file again")
        self.recheck.clicked.connect(self.check_again)
        row = QHBoxLayout()
        row.addWidget(_buddy("&File:", self.path_edit))
        row.addWidget(self.path_edit, 1)
        row.addWidget(choose)
        row.addWidget(self.recheck)
        return row

    def _build_tables(self) -> QTabWidget:
        tabs = QTabWidget()
        tabs.setAccessibleName("Preview and problems")
        self.preview_view = _table(self.preview, "Posts to import")
        self.problems_view = _table(self.problems, "Problems")
        self.problems_view.setWordWrap(True)  # a problem's message says what to do: show it all
        header = self.problems_view.horizontalHeader()
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_: self.problems_view.resizeRowsToContents())
        tabs.addTab(self.preview_view, "&Preview")
        tabs.addTab(self.problems_view, "P&roblems")
        return tabs

    # --- checking ------------------------------------------------------------------------------

    def _choose(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose a CSV file", self.path_edit.text(), "CSV files (*.csv *.txt);;All (*)"
        )
        if path:
            self.set_path(path)

    def set_path(self, path: str) -> None:
        """Check this file (what choosing it in the file dialog does)."""
        self.path_edit.setText(path)
        self.check_again()

    def check_again(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            return
        self._generation += 1
        generation = self._generation
        self._show(None, "Checking the file…")
        wid, create = self.workspace.id, self.create_missing.isChecked()
        if self._check_task is not None:
            self._check_task.cancel()
        self._check_task = self.runner.run(
            lambda: self.ctx.exchange.check_csv(wid, Path(path), create_missing=create),
            lambda plan: self._checked(generation, plan),
            lambda exc: self._failed(generation, exc),
            name="check csv",
        )

    def _checked(self, generation: int, plan: ImportPlan) -> None:
        self._check_task = None  # delivered: the runner deletes it
        if generation == self._generation:  # an older check finishing late is ignored
            self._show(plan, _verdict(plan))

    def _failed(self, generation: int, exc: BaseException) -> None:
        self._check_task = None
        if generation == self._generation:
            self._show(None, "The file could not be checked.")
            show_error(self, exc)

    def _show(self, plan: ImportPlan | None, text: str) -> None:
        self.plan = plan
        self.preview.set_plan(plan)
        self.problems.set_plan(plan)
        self.status.setText(text)
        n_problems = len(plan.problems) if plan else 0
        self.tabs.setTabText(0, f"&Preview ({len(plan.posts) if plan else 0})")
        self.tabs.setTabText(1, f"P&roblems ({n_problems})")
        if n_problems:
            self.tabs.setCurrentIndex(1)
        elif plan is not None:
            self.tabs.setCurrentIndex(0)
        self.preview_view.resizeColumnsToContents()
        self.preview_view.horizontalHeader().setStretchLastSection(True)
        self.problems_view.resizeColumnToContents(0)
        self.problems_view.resizeColumnToContents(1)
        self.problems_view.resizeRowsToContents()
        self.import_button.setEnabled(bool(plan and plan.ok and plan.to_create))

    # --- importing -----------------------------------------------------------------------------

    def do_import(self) -> None:
        plan = self.plan
        if plan is None or not plan.ok or not plan.to_create:
            return
        self.import_button.setEnabled(False)
        self.status.setText("Importing…")
        self._importing = True
        wid = self.workspace.id
        self.runner.run(
            lambda: self.ctx.exchange.import_csv(wid, plan),
            self._imported,
            self._import_failed,
            name="import csv",
        )

    def _imported(self, changes: ChangeSet) -> None:
        self._importing = False
        ids = sorted(changes.ids("post", "created"))
        text = f"Import of {len(ids)} post{'s' if len(ids) != 1 else ''}"
        if self.plan_actions is not None and ids:
            self.plan_actions.undo_stack.push(RestoreCommand(self.plan_actions, text, ids))
            self.plan_actions.performed.emit(text)
        self.imported.emit(f"Imported {len(ids)} post{'s' if len(ids) != 1 else ''}.")
        self.accept()

    def _import_failed(self, exc: BaseException) -> None:
        self._importing = False
        show_error(self, exc)
        self.check_again()  # show what changed since the check

    def done(self, result: int) -> None:
        """Close, unless an import is being written (its undo step must still be recorded)."""
        if self._importing:
            return
        if self._check_task is not None:
            self._check_task.cancel()  # its result would arrive at a closed dialog
        super().done(result)


def _verdict(plan: ImportPlan) -> str:
    if plan.problems:
        n = len(plan.problems)
        return (
            f"{n} problem{'s' if n != 1 else ''} found: fix {'it' if n == 1 else 'them'} in the "
            "file, then check again. Nothing is imported while a problem remains."
        )
    new, skipped = len(plan.to_create), len(plan.skipped)
    text = f"{new} post{'s' if new != 1 else ''} to import"
    if skipped:
        text += f"; {skipped} already in the plan will be skipped"
    labels = [*plan.new_campaigns, *plan.new_pillars, *plan.new_tags]
    if labels:
        text += f"; will create {', '.join(labels)}"
    return text + "." if new else "Nothing new to import: every row is already in the plan."


def import_csv_dialog(
    parent: QWidget,
    ctx: AppContext,
    workspace: WorkspaceDTO,
    runner: TaskRunner,
    actions: PlanActions | None = None,
) -> CsvImportDialog:
    """File > Import CSV…: open the dialog (window-modal) and return it."""
    dialog = CsvImportDialog(ctx, workspace, runner, actions, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
