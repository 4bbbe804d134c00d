"""Fields of the Settings page that are more than a stock widget: the time-zone picker, the colour.

The time-zone picker lists the IANA zones with their UTC offset now ("Europe/Madrid  UTC+01:00")
and finds one from any part of its name or offset as the person types ("madrid", "+05:30").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFocusEvent, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QColorDialog, QComboBox, QCompleter, QPushButton, QWidget

from cmdesk.timeutil import common_zones, zone

_Index = QModelIndex | QPersistentModelIndex


class ZoneRole(IntEnum):
    """Data roles of :class:`ZoneListModel` beyond the display text."""

    ZONE = Qt.ItemDataRole.UserRole + 1  #: the IANA name, e.g. "Europe/Madrid"
    OFFSET_MINUTES = Qt.ItemDataRole.UserRole + 2  #: the UTC offset at the model's moment


def offset_text(offset: timedelta) -> str:
    """``UTC+01:00``, ``UTC-03:30``, ``UTC+00:00``."""
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


def zone_offset(name: str, at: datetime) -> timedelta:
    return at.astimezone(zone(name)).utcoffset() or timedelta(0)


class ZoneListModel(QAbstractListModel):
    """The IANA time zones with their UTC offset at one moment (read-only)."""

    def __init__(
        self, at: datetime, zones: Sequence[str] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        names = list(zones) if zones is not None else common_zones()
        self._rows = [(name, zone_offset(name, at)) for name in names]
        self._row_of = {name: i for i, (name, _) in enumerate(self._rows)}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        name, offset = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return display_text(name, offset)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{name.replace('_', ' ')}, {offset_text(offset)}"
        if role == ZoneRole.ZONE:
            return name
        if role == ZoneRole.OFFSET_MINUTES:
            return int(offset.total_seconds() // 60)
        return None

    def row_of(self, name: str) -> int:
        """The row of a zone name, or -1."""
        return self._row_of.get(name, -1)

    def zone_at(self, row: int) -> str:
        return self._rows[row][0]

    def resolve(self, text: str) -> str | None:
        """The zone the person means by ``text``: a shown entry, a name, or one unique match."""
        wanted = text.strip().casefold()
        if not wanted:
            return None
        for name, offset in self._rows:
            if wanted in (name.casefold(), display_text(name, offset).casefold()):
                return name
        matches = [
            name
            for name, offset in self._rows
            if wanted in display_text(name, offset).casefold()
            or wanted.replace(" ", "_") in name.casefold()
        ]
        return matches[0] if len(matches) == 1 else None


def display_text(name: str, offset: timedelta) -> str:
    return f"{name}  {offset_text(offset)}"


class TimeZonePicker(QComboBox):
    """An editable, searchable list of time zones.

    Signals:
        zone_chosen(str): the person picked a zone from the list (or typed one unambiguously).
        zone_invalid(str): the person typed text that names no zone (the text is kept).
        zone_kept(str): the person confirmed the zone already chosen.
    """

    zone_chosen = Signal(str)
    zone_kept = Signal(str)
    zone_invalid = Signal(str)

    def __init__(self, at: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone_model = ZoneListModel(at, parent=self)
        self.setModel(self.zone_model)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(16)
        self.setMinimumContentsLength(28)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        completer = QCompleter(self.zone_model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        line = self.lineEdit()
        assert line is not None  # editable
        line.setPlaceholderText("Type a city or region, e.g. Madrid")
        self.activated.connect(self._picked_row)
        line.returnPressed.connect(self.commit)
        self._zone = ""

    @property
    def zone(self) -> str:
        """The zone shown as saved (not the text being typed)."""
        return self._zone

    def set_zone(self, name: str) -> None:
        """Show ``name`` as the current zone without signalling a choice."""
        self._zone = name
        self.blockSignals(True)
        row = self.zone_model.row_of(name)
        if row >= 0:
            self.setCurrentIndex(row)
        else:
            self.setEditText(name)
        self.blockSignals(False)
        line = self.lineEdit()
        if line is not None:
            line.setModified(False)

    def is_editing(self) -> bool:
        line = self.lineEdit()
        return line is not None and line.isModified()

    def commit(self) -> None:
        """Take the typed text as a choice (Enter, or leaving the field)."""
        self.commit_text(self.currentText())

    def commit_text(self, text: str) -> None:
        name = self.zone_model.resolve(text)
        if name is None:
            self.zone_invalid.emit(text)
            return
        changed = name != self._zone
        self.set_zone(name)
        # Enter in the list, the list's own activation and the combo's all arrive for one pick.
        if changed:
            self.zone_chosen.emit(name)
        else:
            self.zone_kept.emit(name)

    def _picked_row(self, row: int) -> None:
        if 0 <= row < self.zone_model.rowCount():
            self.commit_text(
                self.zone_model.data(self.zone_model.index(row), Qt.ItemDataRole.DisplayRole)
            )

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        # Leaving the field with a half-typed name must not silently drop it: say what is wrong.
        # The completer's list taking the focus is part of typing, not leaving.
        if event.reason() != Qt.FocusReason.PopupFocusReason and self.is_editing():
            self.commit()


def swatch(color: str, size: int = 16) -> QIcon:
    """A rounded colour sample for a button (drawn at the screen's pixel ratio)."""
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor(0, 0, 0, 60))
    painter.setBrush(QColor(color))
    painter.drawRoundedRect(1, 1, size - 2, size - 2, 4, 4)
    painter.end()
    return QIcon(pixmap)


class ColorButton(QPushButton):
    """Shows a colour and opens a colour dialog to change it.

    Signals:
        color_chosen(str): the person chose a new colour, as ``#rrggbb``.
    """

    color_chosen = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = "#3367d6"
        self.setIconSize(QSize(16, 16))
        self.clicked.connect(self.choose)
        self.set_color(self._color)

    @property
    def color(self) -> str:
        return self._color

    def set_color(self, color: str) -> None:
        """Show ``color`` without signalling a choice."""
        self._color = color
        self.setIcon(swatch(color))
        self.setText(color.upper())
        self.setAccessibleDescription(f"Current colour {color}")

    def choose(self) -> None:
        chosen = QColorDialog.getColor(QColor(self._color), self, "Workspace colour")
        if chosen.isValid():
            self.pick(chosen.name())

    def pick(self, color: str) -> None:
        """Take ``color`` as the person's choice (the dialog's answer, or a test's)."""
        if color.lower() != self._color.lower():
            self.set_color(color.lower())
            self.color_chosen.emit(color.lower())
