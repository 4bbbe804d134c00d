"""The field machinery of the Settings page: a caption, a widget, a hint and an error per row.

Each field saves on its own when committed; a refusal is shown under the field and the typed
value kept (see :mod:`ui.views.settings_page`). Sections other parts of cmdesk add to the page
(backups, the calendar feed) are plain group boxes with a ``reload()``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QTime, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTimeEdit,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.errors import UserError
from cmdesk.settings import SETTINGS
from ui.errors import show_error
from ui.views.page import PlanPage
from ui.views.settings_fields import TimeZonePicker

SAVED_MS = 4000
#: Fields stay narrow enough to read as one column, even in a wide window.
FIELD_WIDTH = 420
COMPACT_WIDTH = 200


def hint_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("settingsHint")
    label.setWordWrap(True)
    return label


class SettingsForm(PlanPage):
    """A page of fields that save one by one; subclasses build the rows and ``_save_setting``.

    Signals: those of :class:`PlanPage` (never emitted here).
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        #: field key -> the label under the field that explains a refusal.
        self.errors: dict[str, QLabel] = {}
        #: field key -> the widget; app settings are keyed by their setting name.
        self.fields: dict[str, QWidget] = {}
        self.saved_label = QLabel()
        self.saved_label.setObjectName("savedLabel")
        self.saved_label.setAccessibleName("Save status")
        self._saved_timer = QTimer(self)
        self._saved_timer.setSingleShot(True)
        self._saved_timer.setInterval(SAVED_MS)
        self._saved_timer.timeout.connect(self.saved_label.clear)

    def _save_setting(self, name: str, label: str, value: Any) -> None:
        raise NotImplementedError

    # --- rows --------------------------------------------------------------------------------

    def _row(
        self, grid: QGridLayout, key: str, label: str, widget: QWidget, hint: str = ""
    ) -> None:
        """Add a field: its caption and widget on one line, its hint and error text below."""
        widget.setAccessibleName(label.replace("&", ""))
        widget.setMaximumWidth(FIELD_WIDTH)
        self.fields[key] = widget
        error = QLabel()
        error.setObjectName("fieldError")
        error.setAccessibleName(f"Problem with {label.replace('&', '').lower() or key}")
        error.setWordWrap(True)
        error.setTextFormat(Qt.TextFormat.PlainText)
        error.hide()
        self.errors[key] = error
        row = grid.rowCount()
        if label:
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(
                caption, row, 0, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
            )
        grid.addWidget(widget, row, 1, Qt.AlignmentFlag.AlignLeft)
        if hint:
            grid.addWidget(hint_label(hint), row + 1, 1)
        grid.addWidget(error, row + 2, 1)
        # A little air between one field's notes and the next field.
        grid.setRowMinimumHeight(row + 3, 6)

    def _grid(self, box: QGroupBox) -> QGridLayout:
        grid = QGridLayout(box)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(3)
        grid.setColumnStretch(1, 1)
        return grid

    def _words(self, form: QGridLayout, name: str, label: str) -> None:
        edit = QLineEdit()
        edit.setPlaceholderText("boycott, recall, food poisoning")
        edit.setMinimumWidth(FIELD_WIDTH // 2)

        def commit() -> None:
            self._save_setting(name, label, edit.text().strip())
            edit.setModified(not self.errors[name].isHidden())

        edit.editingFinished.connect(commit)
        hint = (
            "Separated by commas. A new mention, reply or listened post containing one of "
            "these whole words raises an urgent notification, even in quiet hours."
        )
        self._row(form, name, label, edit, hint)

    def _time(self, form: QGridLayout, name: str, label: str) -> None:
        edit = QTimeEdit()
        edit.setDisplayFormat("HH:mm")
        edit.setMinimumWidth(COMPACT_WIDTH)
        edit.editingFinished.connect(
            lambda: self._save_setting(name, label, edit.time().toString("HH:mm"))
        )
        self._row(form, name, label, edit)

    def _spin(self, form: QGridLayout, name: str, label: str, suffix: str, hint: str) -> None:
        decl = SETTINGS[name]
        spin = QSpinBox()
        spin.setRange(
            decl.minimum if decl.minimum is not None else 0,
            decl.maximum if decl.maximum is not None else 100_000,
        )
        spin.setSuffix(suffix)
        spin.setKeyboardTracking(False)
        spin.editingFinished.connect(lambda: self._save_setting(name, label, spin.value()))
        spin.setMinimumWidth(COMPACT_WIDTH)
        self._row(form, name, label, spin, hint)

    def _choice(
        self, form: QGridLayout, name: str, label: str, names: dict[str, str], hint: str = ""
    ) -> None:
        combo = QComboBox()
        for value in SETTINGS[name].choices:
            combo.addItem(names.get(str(value), str(value)), value)
        combo.activated.connect(lambda i: self._save_setting(name, label, combo.itemData(i)))
        combo.setMinimumWidth(COMPACT_WIDTH)
        self._row(form, name, label, combo, hint)

    def _check(self, form: QGridLayout, name: str, text: str, hint: str) -> None:
        check = QCheckBox(text)
        check.clicked.connect(lambda on: self._save_setting(name, text, bool(on)))
        self._row(form, name, "", check, hint)
        check.setAccessibleName(text)

    # --- values -----------------------------------------------------------------------------

    def _holds_input(self, key: str) -> bool:
        """Whether a field shows something the person typed that is not saved (keep it)."""
        if not self.errors[key].isHidden():
            return True
        widget = self.fields[key]
        if isinstance(widget, QLineEdit):
            return widget.isModified()
        if isinstance(widget, TimeZonePicker):
            return widget.is_editing()
        return False

    @staticmethod
    def _show_value(widget: QWidget, value: Any) -> None:
        widget.blockSignals(True)
        if isinstance(widget, QSpinBox):
            widget.setValue(int(value))
        elif isinstance(widget, QComboBox):
            widget.setCurrentIndex(max(0, widget.findData(value)))
        elif isinstance(widget, QCheckBox):
            widget.setChecked(bool(value))
        elif isinstance(widget, QTimeEdit):
            widget.setTime(QTime.fromString(str(value), "HH:mm"))
        elif isinstance(widget, QLineEdit):
            widget.setText(str(value))
            widget.setModified(False)
        widget.blockSignals(False)

    # --- outcome ----------------------------------------------------------------------------

    def _attempt(self, key: str, what: str, call: Callable[[], object]) -> bool:
        """Run one service call; explain a refusal under field ``key``. Returns success."""
        try:
            call()
        except UserError as exc:
            self._show_error(key, exc.message)
            return False
        except Exception as exc:
            show_error(self, exc)
            return False
        self._clear_error(key)
        self._flash(f"Saved: {what.replace('&', '').strip().lower()}.")
        return True

    def _show_error(self, key: str, message: str) -> None:
        label = self.errors[key]
        label.setText(message)
        label.show()
        self.fields[key].setAccessibleDescription(message)
        self.saved_label.clear()

    def _clear_error(self, key: str) -> None:
        self.errors[key].hide()
        self.errors[key].clear()
        self.fields[key].setAccessibleDescription("")

    def _flash(self, text: str) -> None:
        self.saved_label.setText(text)
        self._saved_timer.start()
