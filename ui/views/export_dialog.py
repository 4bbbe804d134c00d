"""File > Export as CSV / as iCalendar: which posts, and where to write them.

Posts: all, this month, or dates; optionally only those matching the list's current filter.

The file is written on the task runner, atomically (a calendar application subscribed to it never
reads half a file). CSV holds every post chosen, with or without a date, in the columns the
import reads; iCalendar holds the scheduled and published ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, WorkspaceDTO
from cmdesk.timeutil import utc_to_local
from ui.errors import show_error
from ui.tasks import TaskRunner

_KINDS = {
    "csv": ("CSV", "csv", "CSV files (*.csv)", "post"),
    "ics": ("iCalendar", "ics", "iCalendar files (*.ics)", "event"),
}


class ExportDialog(QDialog):
    """Exports a workspace's posts as CSV (``kind="csv"``) or iCalendar (``kind="ics"``).

    Signals:
        exported(str): the file was written; the text says what ("Wrote 12 posts to ...").
    """

    exported = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        workspace: WorkspaceDTO,
        runner: TaskRunner,
        kind: str,
        filter: PostFilter | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        if kind not in _KINDS:
            raise ValueError(f"unknown export kind {kind!r}")
        self.ctx, self.workspace, self.runner, self.kind = ctx, workspace, runner, kind
        self.filter = filter
        label, self._suffix, self._pattern, self._noun = _KINDS[kind]
        self.setWindowTitle(f"Export {workspace.name} as {label}")
        self.setAccessibleName(f"Export as {label}")
        self.setMinimumWidth(520)
        self._build(label)

    def _build_range(self) -> QFormLayout:
        self.all_posts = QRadioButton("&All posts" if self.kind == "csv" else "&All events")
        self.this_month = QRadioButton("This &month")
        self.dates = QRadioButton("&Dates:")
        group = QButtonGroup(self)
        for i, button in enumerate((self.all_posts, self.this_month, self.dates)):
            group.addButton(button, i)
            button.setAccessibleName(button.text().replace("&", "").rstrip(":"))
        self.all_posts.setChecked(True)
        today = utc_to_local(self.ctx.clock.now(), self.workspace.timezone).date()
        self.start_edit = _date_edit(today.replace(day=1), "First day")
        self.end_edit = _date_edit(_month_end(today), "Last day")
        for w in (self.start_edit, self.end_edit):
            w.setEnabled(False)
            self.dates.toggled.connect(w.setEnabled)
        dates_row = QHBoxLayout()
        dates_row.addWidget(self.dates)
        dates_row.addWidget(self.start_edit)
        dates_row.addWidget(QLabel("to"))
        dates_row.addWidget(self.end_edit)
        dates_row.addStretch(1)
        self.use_filter = QCheckBox("Only posts matching the current &filter")
        form = QFormLayout()
        form.addRow("Posts:", self.all_posts)
        form.addRow("", self.this_month)
        form.addRow("", dates_row)
        form.addRow("", self.use_filter)
        return form

    def _build(self, label: str) -> None:
        form = self._build_range()
        self.use_filter.setAccessibleName("Only posts matching the current filter")
        self.use_filter.setEnabled(self.filter is not None)
        self.use_filter.setChecked(self.filter is not None)
        self.path_edit = QLineEdit(
            str(Path.home() / f"{_safe(self.workspace.name)}.{self._suffix}")
        )
        self.path_edit.setAccessibleName("Export file")
        browse = QPushButton("&Browse…")
        browse.setAccessibleName("Choose where to save")
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(browse)
        form.addRow(_buddy("&Save to:", self.path_edit), file_row)
        self.status = QLabel("")
        self.status.setAccessibleName("Export result")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.export_button = buttons.addButton("&Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setAccessibleName(f"Export as {label}")
        self.export_button.setDefault(True)
        buttons.accepted.connect(self.do_export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def _browse(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Export to", self.path_edit.text(), self._pattern
        )
        if path:
            self.path_edit.setText(path)

    def selected_range(self) -> tuple[date | None, date | None]:
        """The days chosen (both None for all posts)."""
        if self.this_month.isChecked():
            today = utc_to_local(self.ctx.clock.now(), self.workspace.timezone).date()
            return today.replace(day=1), _month_end(today)
        if self.dates.isChecked():
            return self.start_edit.date().toPython(), self.end_edit.date().toPython()  # type: ignore[return-value]
        return None, None

    def do_export(self) -> None:
        path = self.path_edit.text().strip()
        if not path:
            self.status.setText("Say where to save the file.")
            return
        if not path.lower().endswith(f".{self._suffix}"):
            path += f".{self._suffix}"
        start, end = self.selected_range()
        chosen = self.filter if self.use_filter.isChecked() else None
        service, wid = self.ctx.exchange, self.workspace.id
        write = service.export_csv if self.kind == "csv" else service.export_ics
        self.export_button.setEnabled(False)
        self.status.setText("Writing…")
        self.runner.run(
            lambda: write(wid, Path(path), start, end, chosen),
            lambda count: self._done(path, count),
            self._failed,
            name=f"export {self.kind}",
        )

    def _done(self, path: str, count: int) -> None:
        noun = self._noun + ("s" if count != 1 else "")
        self.exported.emit(f"Wrote {count} {noun} to {path}.")
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.export_button.setEnabled(True)
        self.status.setText("")
        show_error(self, exc)


def _date_edit(day: date, name: str) -> QDateEdit:
    edit = QDateEdit(QDate(day.year, day.month, day.day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setAccessibleName(name)
    return edit


def _month_end(day: date) -> date:
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in " -_" else "-" for c in name).strip() or "plan"


def _open(dialog: ExportDialog) -> ExportDialog:
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def export_csv_dialog(
    parent: QWidget,
    ctx: AppContext,
    workspace: WorkspaceDTO,
    runner: TaskRunner,
    filter: PostFilter | None = None,
) -> ExportDialog:
    """File > Export as CSV…: open the dialog (window-modal) and return it."""
    return _open(ExportDialog(ctx, workspace, runner, "csv", filter, parent))


def export_ics_dialog(
    parent: QWidget,
    ctx: AppContext,
    workspace: WorkspaceDTO,
    runner: TaskRunner,
    filter: PostFilter | None = None,
) -> ExportDialog:
    """File > Export as iCalendar…: open the dialog (window-modal) and return it."""
    return _open(ExportDialog(ctx, workspace, runner, "ics", filter, parent))


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose mnemonic (Alt+letter) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label
