"""Dialogs of the Routine page: add or edit a task, and add tasks from the profession's templates.

``RoutineTaskDialog`` hands what was typed to a ``submit`` callback (the page's service call);
when that raises a ``UserError`` its message is shown in the dialog, next to the field, and the
dialog stays open with everything typed.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from cmdesk.errors import UserError
from cmdesk.planning.routine_dto import RoutineTaskDTO, RoutineTaskInput
from cmdesk.planning.routine_templates import ACTIONS, RoutineTemplate

CADENCES = (("daily", "Every day"), ("weekly", "Every week"), ("monthly", "Every month"))


class RoutineTaskDialog(QDialog):
    """Add or edit one routine task (no signals; ``exec()`` and the ``submit`` callback)."""

    def __init__(
        self,
        submit: Callable[[RoutineTaskInput], object],
        task: RoutineTaskDTO | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._submit = submit
        self.setWindowTitle("Edit routine task" if task else "New routine task")
        self.setAccessibleName(self.windowTitle())
        self.setMinimumWidth(460)
        self._build()
        if task is not None:
            self._fill(task)
        self._cadence_changed()

    def _build(self) -> None:
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Task title")
        self.title.setPlaceholderText("e.g. Answer replies and mentions")
        self.description = QPlainTextEdit(self)
        self.description.setAccessibleName("How to do it")
        self.description.setPlaceholderText("How to do it (optional)")
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(90)
        self.cadence = QComboBox(self)
        self.cadence.setAccessibleName("Repeats")
        for key, label in CADENCES:
            self.cadence.addItem(label, key)
        self.cadence.currentIndexChanged.connect(self._cadence_changed)
        self.weekday = QComboBox(self)
        self.weekday.setAccessibleName("Weekday")
        for i, name in enumerate(calendar.day_name):
            self.weekday.addItem(name, i)
        self.month_day = QSpinBox(self)
        self.month_day.setAccessibleName("Day of the month")
        self.month_day.setRange(1, 31)
        self.month_day.setToolTip("In shorter months, the last day.")
        self.days = QWidget(self)
        days_row = QHBoxLayout(self.days)
        days_row.setContentsMargins(0, 0, 0, 0)
        self.day_boxes: list[QCheckBox] = []
        for name in calendar.day_abbr:
            box = QCheckBox(name, self.days)
            box.setAccessibleName(f"On {name}")
            box.setChecked(True)
            days_row.addWidget(box)
            self.day_boxes.append(box)
        self.remind = QCheckBox("Remind me at", self)
        self.remind.setAccessibleName("Remind me")
        self.remind_time = QTimeEdit(QTime(10, 0), self)
        self.remind_time.setDisplayFormat("HH:mm")
        self.remind_time.setAccessibleName("Reminder time")
        self.remind.toggled.connect(self.remind_time.setEnabled)
        self.remind_time.setEnabled(False)
        remind_row = QHBoxLayout()
        remind_row.addWidget(self.remind)
        remind_row.addWidget(self.remind_time)
        remind_row.addStretch(1)
        self.action = QComboBox(self)
        self.action.setAccessibleName("Button that opens")
        self.action.addItem("Nothing", None)
        for act in ACTIONS.values():
            self.action.addItem(act.label, act.key)
        self.active = QCheckBox("Active (shown in the checklists)", self)
        self.active.setChecked(True)
        self.error = QLabel(self)
        self.error.setObjectName("formError")
        self.error.setStyleSheet("color: #c5372c")
        self.error.setWordWrap(True)
        self.error.hide()
        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("&How to do it", self.description)
        form.addRow("&Repeats", self.cadence)
        form.addRow("&On", self.weekday)
        form.addRow("&Day", self.month_day)
        form.addRow("Days", self.days)
        form.addRow("", remind_row)
        form.addRow("&Button", self.action)
        form.addRow("", self.active)
        self.form = form
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def _fill(self, task: RoutineTaskDTO) -> None:
        self.title.setText(task.title)
        self.description.setPlainText(task.description)
        self.cadence.setCurrentIndex(max(0, self.cadence.findData(task.cadence)))
        if task.weekday is not None:
            self.weekday.setCurrentIndex(task.weekday)
        if task.month_day is not None:
            self.month_day.setValue(max(1, task.month_day))
        for i, box in enumerate(self.day_boxes):
            box.setChecked(not task.weekdays or i in task.weekdays)
        if task.remind_at:
            self.remind.setChecked(True)
            self.remind_time.setTime(QTime.fromString(task.remind_at, "HH:mm"))
        self.action.setCurrentIndex(max(0, self.action.findData(task.action)))
        self.active.setChecked(task.is_active)

    def _cadence_changed(self) -> None:
        cadence = self.cadence.currentData()
        self.form.setRowVisible(self.weekday, cadence == "weekly")
        self.form.setRowVisible(self.month_day, cadence == "monthly")
        self.form.setRowVisible(self.days, cadence == "daily")

    def value(self) -> RoutineTaskInput:
        cadence = str(self.cadence.currentData())
        days = tuple(i for i, box in enumerate(self.day_boxes) if box.isChecked())
        return RoutineTaskInput(
            title=self.title.text(),
            description=self.description.toPlainText(),
            cadence=cadence,
            weekday=int(self.weekday.currentData()) if cadence == "weekly" else None,
            month_day=self.month_day.value() if cadence == "monthly" else None,
            weekdays=days if cadence == "daily" and len(days) < 7 else (),
            remind_at=self.remind_time.time().toString("HH:mm")
            if self.remind.isChecked()
            else None,
            action=self.action.currentData(),
            is_active=self.active.isChecked(),
        )

    def accept(self) -> None:
        value = self.value()
        if value.cadence == "daily" and not any(b.isChecked() for b in self.day_boxes):
            self._show_error("Choose at least one day of the week.")
            return
        try:
            self._submit(value)
        except UserError as exc:
            self._show_error(exc.message, exc.field)
            return
        super().accept()

    def _show_error(self, message: str, field: str | None = None) -> None:
        self.error.setText(message)
        self.error.show()
        widget = {"title": self.title, "description": self.description}.get(field or "")
        (widget or self.title).setFocus()


class TemplatePickerDialog(QDialog):
    """Choose templates to add; ones already in the routine are listed as added and disabled."""

    def __init__(
        self,
        templates: Sequence[RoutineTemplate],
        present: set[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add tasks from the profession")
        self.setAccessibleName(self.windowTitle())
        self.resize(560, 520)
        intro = QLabel(
            "Tasks a community manager does every day, week and month. Tick the ones to add; "
            "each comes with how to do it in cmdesk.",
            self,
        )
        intro.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setAccessibleName("Routine templates")
        self.list.setWordWrap(True)
        labels = {"daily": "Daily", "weekly": "Weekly", "monthly": "Monthly"}
        for tpl in templates:
            added = tpl.key in present
            suffix = " (already added)" if added else ""
            item = QListWidgetItem(f"{labels.get(tpl.cadence, '')} · {tpl.title}{suffix}")
            item.setToolTip(tpl.description)
            item.setData(Qt.ItemDataRole.UserRole, tpl.key)
            flags = Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            item.setFlags(flags if added else flags | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Checked if added else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._show_description)
        self.description = QLabel("Select a task to read how to do it.", self)
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(60)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.description)
        layout.addWidget(buttons)

    def _show_description(self, item: QListWidgetItem | None) -> None:
        self.description.setText(item.toolTip() if item else "")

    def chosen(self) -> list[str]:
        out = []
        for i in range(self.list.count()):
            item = self.list.item(i)
            enabled = bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)
            if enabled and item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out
