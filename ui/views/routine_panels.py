"""The parts of the Routine page: one period's checklist with its task details, and the history.

``ChecklistPanel`` shows a :class:`ChecklistModel` in a list (check box, title, schedule and due)
and, beside it, the selected task: how to do it, the button that opens the place to do it, a
note and the commands. It changes nothing itself; it asks through its signals and the page calls
the service. ``HistoryPanel`` shows the grid of tasks against past periods.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, Signal, SignalInstance
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmdesk.planning.routine_dto import ChecklistItem
from cmdesk.planning.routine_templates import ACTIONS
from ui.views.routine_delegate import RoutineTaskDelegate
from ui.views.routine_models import ChecklistModel, HistoryModel, RoutineRole


class ChecklistPanel(QWidget):
    """A checklist and the selected task's details.

    Signals:
        toggle_requested(int, bool): check (True) or un-check a task.
        note_requested(int, str): check a task off with this note (or change the note).
        edit_requested(int): edit this task.
        move_requested(int, int): move this task up (-1) or down (+1).
        remove_requested(int): remove this task.
        action_requested(str): open the place of this action key ("inbox", "report" ...).
    """

    toggle_requested = Signal(int, bool)
    note_requested = Signal(int, str)
    edit_requested = Signal(int)
    move_requested = Signal(int, int)
    remove_requested = Signal(int)
    action_requested = Signal(str)

    def __init__(self, name: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.model = ChecklistModel(self)
        self.model.toggle_requested.connect(self.toggle_requested)
        self.list = QListView(self)
        self.list.setAccessibleName(f"{name} tasks")
        self.list.setModel(self.model)
        self.list.setItemDelegate(RoutineTaskDelegate(self.list))
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.installEventFilter(self)
        self.list.doubleClicked.connect(lambda _i: self._emit_task(self.edit_requested))
        self.list.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.empty = QLabel(empty_text, self)
        self.empty.setObjectName("routineEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()
        left = QWidget(self)
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addWidget(self.list, 1)
        lv.addWidget(self.empty, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(left)
        split.addWidget(self._details())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _details(self) -> QWidget:
        box = QFrame(self)
        box.setObjectName("routineDetails")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        self.d_title = QLabel(box)
        self.d_title.setObjectName("routineTaskTitle")
        self.d_title.setWordWrap(True)
        font = self.d_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.d_title.setFont(font)
        self.d_meta = QLabel(box)
        self.d_meta.setWordWrap(True)
        self.d_description = QLabel(box)
        self.d_description.setWordWrap(True)
        self.d_description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.d_description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.action_button = QPushButton(box)
        self.action_button.setObjectName("routineAction")
        self.action_button.clicked.connect(self._open_action)
        self.note = QLineEdit(box)
        self.note.setAccessibleName("Note on completion")
        self.note.setPlaceholderText("Note (what was done, what is left)")
        self.note.returnPressed.connect(self._save_note)
        self.done_button = QPushButton(box)
        self.done_button.clicked.connect(self._toggle_current)
        self.note_button = QPushButton("Save note", box)
        self.note_button.setAccessibleName("Save the note")
        self.note_button.clicked.connect(self._save_note)
        self.edit_button = QPushButton("&Edit…", box)
        self.edit_button.setAccessibleName("Edit this task")
        self.edit_button.clicked.connect(lambda: self._emit_task(self.edit_requested))
        self.up_button = QPushButton("Move up", box)
        self.up_button.setAccessibleName("Move this task up")
        self.up_button.clicked.connect(lambda: self._move(-1))
        self.down_button = QPushButton("Move down", box)
        self.down_button.setAccessibleName("Move this task down")
        self.down_button.clicked.connect(lambda: self._move(1))
        self.remove_button = QPushButton("Remove", box)
        self.remove_button.setAccessibleName("Remove this task")
        self.remove_button.clicked.connect(lambda: self._emit_task(self.remove_requested))
        done_row = QHBoxLayout()
        done_row.addWidget(self.done_button)
        done_row.addWidget(self.note_button)
        done_row.addStretch(1)
        tools = QHBoxLayout()
        for b in (self.edit_button, self.up_button, self.down_button, self.remove_button):
            tools.addWidget(b)
        tools.addStretch(1)
        v = QVBoxLayout(box)
        v.addWidget(self.d_title)
        v.addWidget(self.d_meta)
        v.addSpacing(6)
        v.addWidget(self.d_description)
        v.addSpacing(4)
        v.addWidget(self.action_button, 0, Qt.AlignmentFlag.AlignLeft)
        v.addStretch(1)
        v.addWidget(self.note)
        v.addLayout(done_row)
        v.addSpacing(8)
        v.addLayout(tools)
        self.details = box
        return box

    # --- content -----------------------------------------------------------------------------

    def set_items(self, items: list[ChecklistItem], today: date, zone: str) -> None:
        keep = self.current_task_id()
        self.model.set_items(items, today, zone)
        self.list.setVisible(bool(items))
        self.empty.setVisible(not items)
        row = self.model.row_of(keep) if keep is not None else -1
        if items:
            index = self.model.index(max(0, row), 0)
            self.list.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        self._show_current()

    def current_item(self) -> ChecklistItem | None:
        index = self.list.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def current_task_id(self) -> int | None:
        item = self.current_item()
        return item.task.id if item else None

    def _show_current(self) -> None:
        item = self.current_item()
        self.details.setEnabled(item is not None)
        if item is None:
            for label in (self.d_title, self.d_meta, self.d_description):
                label.clear()
            self.action_button.hide()
            self.done_button.setText("Mark done")
            return
        index = self.list.currentIndex()
        self.d_title.setText(item.task.title)
        self.d_meta.setText(str(index.data(RoutineRole.META)))
        self.d_description.setText(item.task.description or "No description.")
        action = ACTIONS.get(item.task.action or "")
        self.action_button.setVisible(action is not None)
        if action is not None:
            self.action_button.setText(action.label)
            self.action_button.setAccessibleName(action.label)
        self.note.setText(item.note)
        self.done_button.setText("Mark not done" if item.done else "Mark done")
        self.done_button.setAccessibleName(self.done_button.text())
        self.note_button.setEnabled(item.done)

    # --- requests ----------------------------------------------------------------------------

    def _emit_task(self, signal: SignalInstance) -> None:
        tid = self.current_task_id()
        if tid is not None:
            signal.emit(tid)

    def _toggle_current(self) -> None:
        item = self.current_item()
        if item is None:
            return
        if item.done:
            self.toggle_requested.emit(item.task.id, False)
        else:
            self.note_requested.emit(item.task.id, self.note.text())

    def _save_note(self) -> None:
        item = self.current_item()
        if item is not None:
            self.note_requested.emit(item.task.id, self.note.text())

    def _move(self, offset: int) -> None:
        tid = self.current_task_id()
        if tid is not None:
            self.move_requested.emit(tid, offset)

    def _open_action(self) -> None:
        item = self.current_item()
        if item is not None and item.task.action:
            self.action_requested.emit(item.task.action)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.list and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Space and not event.modifiers():
                item = self.current_item()
                if item is not None:
                    self.toggle_requested.emit(item.task.id, not item.done)
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
                self._emit_task(self.edit_requested)
                return True
            if event.key() == Qt.Key.Key_Delete:
                self._emit_task(self.remove_requested)
                return True
        return super().eventFilter(watched, event)


HISTORY_SPANS = (
    ("daily", "Last 14 days", 14),
    ("weekly", "Last 12 weeks", 12),
    ("monthly", "Last 12 months", 12),
)


class HistoryPanel(QWidget):
    """Tasks against their past periods: done, missed, open.

    Signals:
        span_changed(): the person chose another cadence; the page reloads the grid.
    """

    span_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Routine history")
        self.span = QComboBox(self)
        self.span.setAccessibleName("History of")
        for cadence, label, count in HISTORY_SPANS:
            self.span.addItem(label, (cadence, count))
        self.span.setCurrentIndex(1)
        self.span.currentIndexChanged.connect(lambda _i: self.span_changed.emit())
        self.summary = QLabel(self)
        self.summary.setObjectName("routineHistorySummary")
        legend = QLabel("✓ done   ✗ missed   … open   – not due", self)
        legend.setObjectName("routineLegend")
        top = QHBoxLayout()
        top.addWidget(self.span)
        top.addWidget(self.summary, 1)
        top.addWidget(legend)
        self.model = HistoryModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("What was done in each period")
        self.table.setModel(self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setMinimumSectionSize(34)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(30)
        self.table.setShowGrid(True)
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.table.selectionModel().currentChanged.connect(
            lambda cur, _prev: self.detail.setText(str(cur.data(Qt.ItemDataRole.ToolTipRole) or ""))
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)

    def chosen(self) -> tuple[str, int]:
        cadence, count = self.span.currentData()
        return str(cadence), int(count)
