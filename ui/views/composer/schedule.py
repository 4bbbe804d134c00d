"""The time picker of the composer: wall-clock time in the workspace's zone, the zone shown.

The person picks a local date and time as they think of it ("Tuesday 09:00 in Madrid"); it is
turned into an instant with the same DST rules as everywhere else (:mod:`cmdesk.timeutil`): a
time in a spring-forward gap moves forward, a time in an autumn fold means its first occurrence.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QHBoxLayout, QLabel, QWidget

from cmdesk.timeutil import local_to_utc, utc_to_local


def _offset(when: datetime) -> str:
    delta = when.utcoffset()
    if delta is None:
        return ""
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


class SchedulePicker(QWidget):
    """A "Set a time" check box and a date-time field in a named zone.

    Signals:
        changed(): the time or its presence changed.
    """

    changed = Signal()

    def __init__(self, tz: str, default: datetime, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._tz = tz
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.has_time = QCheckBox("Time:")
        self.has_time.setAccessibleName("Give the post a time")
        self.edit = QDateTimeEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("ddd d MMM yyyy  HH:mm")
        # The field holds a wall-clock time of the workspace's zone, not of this machine's: kept
        # in UTC so that Qt never shifts a time that does not exist in the machine's own zone.
        self.edit.setTimeZone(QTimeZone.utc())
        self.edit.setAccessibleName(f"Publication time in {tz}")
        self.zone = QLabel()
        self.zone.setAccessibleName("Time zone")
        self.zone.setWordWrap(True)  # a narrow window puts the offset under the zone's name
        layout.addWidget(self.has_time)
        layout.addWidget(self.edit)
        layout.addWidget(self.zone, 1)  # the spare width goes to the zone: it wraps only if short
        self._set_local(utc_to_local(default, tz))
        self.has_time.toggled.connect(self._toggled)
        self.edit.dateTimeChanged.connect(self._edited)
        self._toggled(False)

    def value(self) -> datetime | None:
        """The chosen instant (aware, UTC), or None when no time is set."""
        if not self.has_time.isChecked():
            return None
        return local_to_utc(self._local(), self._tz)

    def set_value(self, when: datetime | None) -> None:
        if when is not None:
            self._set_local(utc_to_local(when, self._tz))
        self.has_time.setChecked(when is not None)
        self._show_zone()

    def _local(self) -> datetime:
        qt = self.edit.dateTime()
        d, t = qt.date(), qt.time()
        return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())

    def _set_local(self, local: datetime) -> None:
        self.edit.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day),
                QTime(local.hour, local.minute),
                QTimeZone.utc(),
            )
        )

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self._show_zone()
        self.changed.emit()

    def _edited(self) -> None:
        self._show_zone()
        self.changed.emit()

    def _show_zone(self) -> None:
        when = utc_to_local(local_to_utc(self._local(), self._tz), self._tz)
        self.zone.setText(f"{self._tz} ({_offset(when)})")
