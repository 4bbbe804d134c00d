"""The calendar page's bar: today, previous, next, the period's title and zone, the view switch."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from PySide6.QtCore import QDate, QLocale, Signal
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QLabel, QToolButton, QWidget

from ui.models.week import WeekPeriod

KEYBOARD_HELP = (
    "Keyboard: Ctrl+Up/Down pick a post; Alt+Left/Right move it a day, Alt+Up/Down an hour, "
    "Alt+Shift+Up/Down 15 minutes; Enter opens it; Delete deletes it; Ctrl-drag duplicates."
)


class CalendarMode(StrEnum):
    """Which view of the calendar is shown."""

    MONTH = "month"
    WEEK = "week"
    DAY = "day"


def long_date(day: date) -> str:
    return QLocale().toString(QDate(day.year, day.month, day.day), QLocale.FormatType.LongFormat)


def week_title(period: WeekPeriod) -> str:
    """E.g. "23 Mar – 29 Mar 2026" in the user's language."""
    locale = QLocale()
    first, last = period.start, period.end - timedelta(days=1)
    first_text = locale.toString(QDate(first.year, first.month, first.day), "d MMM")
    last_text = locale.toString(QDate(last.year, last.month, last.day), "d MMM yyyy")
    return f"{first_text} – {last_text}"


class CalendarToolbar(QWidget):
    """The bar above the calendar views.

    Signals:
        mode_chosen(str): a :class:`CalendarMode` value was chosen with its button.
        step_requested(int): previous (-1) or next (+1) was clicked.
        today_requested(): Today was clicked.
    """

    mode_chosen = Signal(str)
    step_requested = Signal(int)
    today_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("calendarToolbar")
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[CalendarMode, QToolButton] = {}
        for mode in CalendarMode:
            name = mode.value.capitalize()
            button = self._button(
                f"&{name}", f"{name} view", f"Show a {mode.value} (Alt+{name[0]})"
            )
            button.setCheckable(True)
            button.setObjectName(f"{mode.value}Mode")
            button.clicked.connect(lambda _=False, m=mode: self.mode_chosen.emit(m.value))
            self.mode_group.addButton(button)
            self.mode_buttons[mode] = button
        self.mode_buttons[CalendarMode.MONTH].setChecked(True)
        self.today_button = self._button("Today", "Today", "Go to today (Ctrl+Home)")
        self.prev_button = self._button("‹", "Previous", "Previous period (Ctrl+Page Up)")
        self.next_button = self._button("›", "Next", "Next period (Ctrl+Page Down)")
        self.today_button.clicked.connect(self.today_requested)
        self.prev_button.clicked.connect(lambda: self.step_requested.emit(-1))
        self.next_button.clicked.connect(lambda: self.step_requested.emit(1))
        self.title_label = QLabel()
        self.title_label.setObjectName("calendarTitle")
        self.title_label.setAccessibleName("Period shown")
        self.zone_label = QLabel()
        self.zone_label.setObjectName("zoneLabel")
        self.zone_label.setAccessibleName("Time zone of the times shown")
        self.zone_label.setToolTip(KEYBOARD_HELP)
        self._build_layout()

    def show_mode(self, mode: CalendarMode) -> None:
        self.mode_buttons[mode].setChecked(True)

    def _button(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setObjectName(f"calendar{name.replace(' ', '')}")
        button.setAccessibleName(name)
        button.setToolTip(tip)
        return button

    def _build_layout(self) -> None:
        bar = QHBoxLayout(self)
        bar.setContentsMargins(12, 8, 12, 8)
        bar.setSpacing(6)
        for widget in (self.today_button, self.prev_button, self.next_button):
            bar.addWidget(widget)
        bar.addSpacing(10)
        bar.addWidget(self.title_label)
        bar.addStretch(1)
        bar.addWidget(self.zone_label)
        bar.addSpacing(10)
        for button in self.mode_buttons.values():
            bar.addWidget(button)
