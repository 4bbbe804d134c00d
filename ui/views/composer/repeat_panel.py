"""The composer's repeat choice, the rule in words and its next five dates.

None, daily, weekly on days, monthly (a day, the first or last weekday, the nth weekday), yearly,
a custom RRULE, or evergreen (again N days after it went out, rotating variations); and how it
ends (never, on a date, after N times). Dates are shown in the workspace's zone.

:class:`RepeatPanel` is the form; :class:`RepeatDialog` shows it with OK and Cancel (opened by the
composer's "Repeat…" button, :mod:`ui.views.composer.repeat_control`).
"""

from __future__ import annotations

from datetime import date, datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.planning.recurrence import DAY_NAMES, Frequency, MonthlyBy, RecurrenceInput
from cmdesk.planning.series_dto import EvergreenInput
from cmdesk.timeutil import utc_to_local

Repeat = RecurrenceInput | EvergreenInput
#: The choices of the first combo box, in order (index = page of the stack).
MODES = ("none", "daily", "weekly", "monthly", "yearly", "custom", "evergreen")
MODE_LABELS = (
    "Does not repeat",
    "Daily",
    "Weekly on days…",
    "Monthly",
    "Yearly",
    "Custom rule (RRULE)",
    "Evergreen (again after N days)",
)
_UNITS = {"daily": "days", "weekly": "weeks", "monthly": "months", "yearly": "years"}
_MONTHLY: tuple[tuple[str, MonthlyBy], ...] = (
    ("on the same day of the month", "day"),
    ("on the first weekday (Mon–Fri)", "first_weekday"),
    ("on the last weekday (Mon–Fri)", "last_weekday"),
    ("on the…", "nth"),
)
_NTH = (("first", 1), ("second", 2), ("third", 3), ("fourth", 4), ("last", -1))
#: A line holding only this separates evergreen variations.
SEPARATOR = "---"


def split_variations(text: str) -> tuple[str, ...]:
    """Variations typed one after another, separated by a line holding only ``---``."""
    parts: list[str] = []
    current: list[str] = []
    for line in text.splitlines():
        if line.strip() == SEPARATOR:
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return tuple(p.strip() for p in parts if p.strip())


class RepeatPanel(QWidget):
    """The repeat form, with a live sentence and the next dates.

    Signals:
        changed(): the choice changed (the summary is already up to date).
    """

    changed = Signal()

    def __init__(
        self, ctx: AppContext, workspace: WorkspaceDTO, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.workspace = workspace
        self.start: datetime | None = None
        self.setAccessibleName("Repeat")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.mode = QComboBox()
        self.mode.addItems(list(MODE_LABELS))
        self.mode.setAccessibleName("Repeat")
        form.addRow("&Repeat:", self.mode)
        self.every = QSpinBox()
        self.every.setRange(1, 366)
        self.every.setAccessibleName("Repeat every")
        self.every_row = QWidget()
        row = QHBoxLayout(self.every_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.every_unit = QLabel("weeks")
        row.addWidget(self.every)
        row.addWidget(self.every_unit)
        row.addStretch(1)
        form.addRow("&Every:", self.every_row)
        self._rows(form)
        self.form = form
        layout.addLayout(form)
        # Alt+letter on a row's label reaches the row's first field, not its container.
        for field, buddy in (
            (self.every_row, self.every),
            (self.monthly_row, self.monthly_by),
            (self.ends_row, self.ends),
        ):
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setBuddy(buddy)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Repeat summary and next dates")
        self.summary.setMinimumHeight(self.fontMetrics().lineSpacing() * 7)
        layout.addWidget(self.summary)
        layout.addStretch(1)
        self._connect()
        self._mode_changed()

    def _rows(self, form: QFormLayout) -> None:
        """The rows under Repeat and Every; only those of the chosen kind are shown."""
        self.weekly_row = self._weekly()
        form.addRow("On:", self.weekly_row)
        self.monthly_row = self._monthly()
        form.addRow("&Day:", self.monthly_row)
        self.rrule = QLineEdit()
        self.rrule.setPlaceholderText("FREQ=WEEKLY;BYDAY=MO,TH")
        self.rrule.setAccessibleName("Recurrence rule (RRULE)")
        self.rrule.setToolTip("An RFC 5545 RRULE without DTSTART: the post's time is the start.")
        form.addRow("R&ULE:", self.rrule)
        self._evergreen(form)
        self.ends_row = self._ends()
        form.addRow("E&nds:", self.ends_row)

    def _connect(self) -> None:
        """Every field refreshes the sentence and the dates."""
        self.mode.currentIndexChanged.connect(self._mode_changed)
        for spin in (self.every, self.count, self.ever_days):
            spin.valueChanged.connect(self._refresh)
        for box in (self.monthly_by, self.nth, self.nth_day, self.ends):
            box.currentIndexChanged.connect(self._refresh)
        for day in self.days:
            day.toggled.connect(self._refresh)
        self.until.dateChanged.connect(self._refresh)
        self.rrule.textChanged.connect(self._refresh)
        self.variations.textChanged.connect(self._refresh)

    # --- rows --------------------------------------------------------------------------------

    def _weekly(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.days = []
        for i, name in enumerate(DAY_NAMES):
            box = QCheckBox(name[:3])
            box.setAccessibleName(f"Repeat on {name}")
            box.setProperty("weekday", i)
            self.days.append(box)
            row.addWidget(box)
        row.addStretch(1)
        return page

    def _monthly(self) -> QWidget:
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        self.monthly_by = QComboBox()
        self.monthly_by.setAccessibleName("Day of the month")
        for label, _ in _MONTHLY:
            self.monthly_by.addItem(label)
        self.nth = QComboBox()
        self.nth.setAccessibleName("Which one in the month")
        self.nth.addItems([n for n, _ in _NTH])
        self.nth_day = QComboBox()
        self.nth_day.setAccessibleName("Which day of the week")
        self.nth_day.addItems(list(DAY_NAMES))
        row.addWidget(self.monthly_by)
        row.addWidget(self.nth)
        row.addWidget(self.nth_day)
        row.addStretch(1)
        return page

    def _evergreen(self, form: QFormLayout) -> None:
        self.ever_days = QSpinBox()
        self.ever_days.setRange(1, 3650)
        self.ever_days.setValue(30)
        self.ever_days.setSuffix(" days after it went out")
        self.ever_days.setAccessibleName("Post again after days")
        form.addRow("Post &again:", self.ever_days)
        self.variations = QPlainTextEdit()
        self.variations.setAccessibleName("Other texts, one after another")
        self.variations.setPlaceholderText(
            f"Other texts for the next runs, rotating after this one.\n{SEPARATOR}\n"
            "Separate them with a line holding only ---"
        )
        self.variations.setTabChangesFocus(True)
        self.variations.setMaximumHeight(self.fontMetrics().lineSpacing() * 7)
        form.addRow("&Variations:", self.variations)

    def _ends(self) -> QWidget:
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.ends = QComboBox()
        self.ends.addItems(["never", "on a date", "after a number of times"])
        self.ends.setAccessibleName("Repeat ends")
        self.until = QDateEdit()
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("d MMM yyyy")
        self.until.setAccessibleName("Last day")
        self.count = QSpinBox()
        self.count.setRange(1, 999)
        self.count.setValue(10)
        self.count.setSuffix(" times")
        self.count.setAccessibleName("Number of times, this post included")
        for widget in (self.ends, self.until, self.count):
            row.addWidget(widget)
        row.addStretch(1)
        return box

    # --- state -------------------------------------------------------------------------------

    def set_start(self, when: datetime | None) -> None:
        """The post's time (aware): the first occurrence; the dates follow from it."""
        if when == self.start:
            return
        first = self.start is None
        self.start = when
        if when is not None and first:
            local = utc_to_local(when, self.workspace.timezone)
            self.days[local.weekday()].setChecked(True)
            self.nth_day.setCurrentIndex(local.weekday())
            later = local.date().replace(year=local.year + 1)
            self.until.setDate(QDate(later.year, later.month, later.day))
        self._refresh()

    def mode_name(self) -> str:
        return MODES[self.mode.currentIndex()]

    def set_mode(self, name: str) -> None:
        self.mode.setCurrentIndex(MODES.index(name))

    def request(self) -> Repeat | None:
        """The repeat chosen, or None ("Does not repeat")."""
        mode = self.mode_name()
        if mode == "none":
            return None
        if mode == "evergreen":
            return EvergreenInput(
                self.ever_days.value(), split_variations(self.variations.toPlainText())
            )
        end = self.ends.currentIndex()
        until = self.until.date().toPython() if end == 1 else None
        count = self.count.value() if end == 2 else None
        assert until is None or isinstance(until, date)
        if mode == "custom":
            return RecurrenceInput(rrule=self.rrule.text(), until=until, count=count)
        freq: Frequency = (
            "daily"
            if mode == "daily"
            else "weekly"
            if mode == "weekly"
            else ("monthly" if mode == "monthly" else "yearly")
        )
        days = tuple(int(b.property("weekday")) for b in self.days if b.isChecked())
        nth = _NTH[self.nth.currentIndex()][1]
        return RecurrenceInput(
            frequency=freq,
            interval=self.every.value(),
            weekdays=days,
            monthly_by=_MONTHLY[self.monthly_by.currentIndex()][1],
            nth=nth,
            nth_weekday=self.nth_day.currentIndex(),
            until=until,
            count=count,
        )

    def _mode_changed(self) -> None:
        mode = self.mode_name()
        shown = {
            self.every_row: mode in _UNITS,
            self.weekly_row: mode == "weekly",
            self.monthly_row: mode == "monthly",
            self.rrule: mode == "custom",
            self.ever_days: mode == "evergreen",
            self.variations: mode == "evergreen",
            self.ends_row: mode not in ("none", "evergreen"),
        }
        for widget, visible in shown.items():
            self.form.setRowVisible(widget, visible)
        self.every_unit.setText(_UNITS.get(mode, ""))
        self._refresh()

    def _refresh(self) -> None:
        monthly_nth = self.monthly_by.currentIndex() == len(_MONTHLY) - 1
        self.nth.setVisible(monthly_nth)
        self.nth_day.setVisible(monthly_nth)
        self.until.setVisible(self.ends.currentIndex() == 1)
        self.count.setVisible(self.ends.currentIndex() == 2)
        self.summary.setText(self.summary_text())
        self.changed.emit()

    def summary_text(self) -> str:
        """The rule in words and the next five dates, or what is wrong with it."""
        try:
            repeat = self.request()
        except UserError as exc:
            return exc.message
        if repeat is None:
            return "This post goes out once."
        if isinstance(repeat, EvergreenInput):
            n = len(repeat.variations)
            texts = f", rotating this text and {n} other{'s' if n != 1 else ''}" if n else ""
            return (
                f"Posted again {repeat.every_days} days after it went out, in the next free "
                f"queue slot{texts}. Never two runs waiting at once."
            )
        if self.start is None:
            return "Give the post a date and time (tick Time): the repeat starts from it."
        try:
            words, dates = self.ctx.series.preview(self.workspace.id, self.start, repeat)
        except UserError as exc:
            return f"⚠ {exc.message}"
        tz = self.workspace.timezone
        lines = [f"{utc_to_local(d, tz):%a %d %b %Y  %H:%M}" for d in dates]
        return f"↻ {words}.\nNext dates ({tz}):\n" + "\n".join(f"• {ln}" for ln in lines)


class RepeatDialog(QDialog):
    """The repeat form with OK and Cancel; OK is refused while the rule is not valid."""

    def __init__(self, panel: RepeatPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Repeat")
        self.setAccessibleName("Repeat this post")
        self.panel = panel
        layout = QVBoxLayout(self)
        layout.addWidget(panel)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        panel.changed.connect(self._check)
        self._check()
        self.resize(560, 420)

    def _check(self) -> None:
        self.ok.setEnabled(not self.panel.summary.text().startswith("⚠"))
