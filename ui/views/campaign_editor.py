"""The campaign editor of the Campaigns page: name, colour, dates, objective and notes.

The form only edits values: the page saves them through ``ctx.campaigns`` and shows a refusal
(a name already used, an end before the start, a colour that is not #RRGGBB) in the form's
message line, keeping what was typed.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import (
    QColorDialog,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.campaigns.dto import CampaignInput
from cmdesk.dto import CampaignDTO

#: What an empty date field holds (shown as "No date").
NO_DATE = QDate(2000, 1, 1)
DEFAULT_COLOR = "#8e44ad"


def swatch_style(color: str) -> str:
    return f"background: {color}; border: 1px solid #00000033; border-radius: 4px;"


class CampaignEditor(QGroupBox):
    """The form of one campaign (or of a new one).

    Signals:
        save_requested(): Save was clicked (or Ctrl+S pressed in the form).
        delete_requested(int): Delete was clicked for this campaign id.
        calendar_requested(int): "Show on calendar" was clicked for this campaign id.
    """

    save_requested = Signal()
    delete_requested = Signal(int)
    calendar_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("New campaign", parent)
        self.setObjectName("campaignEditor")
        self.setAccessibleName("Campaign editor")
        self.campaign_id: int | None = None
        self.name = QLineEdit(self)
        self.name.setAccessibleName("Campaign name")
        self.name.setPlaceholderText("e.g. Holiday gift guide")
        self.name.setMaxLength(120)
        self.color = QLineEdit(DEFAULT_COLOR, self)
        self.color.setAccessibleName("Campaign colour")
        self.color.setToolTip("A colour as # and six hexadecimal digits, e.g. #2980b9")
        self.color.setMaximumWidth(110)
        self.swatch = QToolButton(self)
        self.swatch.setAccessibleName("Pick the campaign colour")
        self.swatch.setToolTip("Pick a colour")
        self.swatch.setFixedSize(26, 22)
        self.starts = self._date("Start date")
        self.ends = self._date("End date")
        self.objective = QLineEdit(self)
        self.objective.setAccessibleName("Objective")
        self.objective.setPlaceholderText("What the campaign is for, e.g. sell 200 gift bundles")
        self.notes = QPlainTextEdit(self)
        self.notes.setAccessibleName("Notes")
        self.notes.setPlaceholderText("Audience, key messages, links, budget…")
        self.notes.setTabChangesFocus(True)
        self._build_footer()
        self._lay_out()
        self._connect()
        self.show_campaign(None)

    def _build_footer(self) -> None:
        self.message = QLabel(self)
        self.message.setObjectName("formMessage")
        self.message.setStyleSheet("color: #d93025;")
        self.message.setWordWrap(True)
        self.message.setAccessibleName("Problem with the campaign")
        self.save_button = QPushButton("&Save campaign", self)
        self.save_button.setAccessibleName("Save campaign")
        self.save_button.setShortcut(QKeySequence("Ctrl+S"))
        self.save_button.setDefault(True)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setAccessibleName("Delete campaign")
        self.calendar_button = QPushButton("Show on calendar", self)
        self.calendar_button.setAccessibleName("Show the campaign on the calendar")

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("No date")
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(NO_DATE)
        return edit

    def _lay_out(self) -> None:
        form = QFormLayout()
        form.addRow("&Name", self.name)
        color_row = QHBoxLayout()
        color_row.addWidget(self.swatch)
        color_row.addWidget(self.color)
        color_row.addStretch(1)
        form.addRow(self._label("&Colour", self.color), color_row)
        dates = QHBoxLayout()
        dates.addWidget(self.starts)
        to = QLabel("to", self)
        to.setBuddy(self.ends)
        dates.addWidget(to)
        dates.addWidget(self.ends)
        dates.addStretch(1)
        form.addRow(self._label("&Dates", self.starts), dates)
        form.addRow("&Objective", self.objective)
        form.addRow("No&tes", self.notes)
        buttons = QHBoxLayout()
        buttons.addWidget(self.calendar_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _connect(self) -> None:
        self.save_button.clicked.connect(self.save_requested)
        self.delete_button.clicked.connect(self._ask_delete)
        self.calendar_button.clicked.connect(self._ask_calendar)
        self.swatch.clicked.connect(self.pick_color)
        self.color.textChanged.connect(self._show_swatch)

    # --- public ----------------------------------------------------------------------------

    def show_campaign(self, campaign: CampaignDTO | None) -> None:
        """Fill the form with ``campaign`` (None: an empty form for a new one)."""
        self.campaign_id = campaign.id if campaign else None
        self.setTitle(f"Campaign: {campaign.name}" if campaign else "New campaign")
        self.name.setText(campaign.name if campaign else "")
        self.color.setText(campaign.color if campaign else DEFAULT_COLOR)
        self.starts.setDate(_qdate(campaign.starts_on if campaign else None))
        self.ends.setDate(_qdate(campaign.ends_on if campaign else None))
        self.objective.setText(campaign.objective if campaign else "")
        self.notes.setPlainText(campaign.notes if campaign else "")
        self.delete_button.setEnabled(campaign is not None)
        self.calendar_button.setEnabled(campaign is not None)
        self.message.clear()

    def value(self) -> CampaignInput:
        """What the form says (the service checks it)."""
        return CampaignInput(
            name=self.name.text(),
            color=self.color.text().strip(),
            starts_on=_day(self.starts),
            ends_on=_day(self.ends),
            objective=self.objective.text(),
            notes=self.notes.toPlainText(),
        )

    def show_problem(self, message: str) -> None:
        self.message.setText(message)

    def pick_color(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.color.text()), self, "Campaign colour")
        if chosen.isValid():
            self.color.setText(chosen.name())

    # --- internals -------------------------------------------------------------------------

    def _show_swatch(self, text: str) -> None:
        color = QColor(text.strip())
        self.swatch.setStyleSheet(swatch_style(color.name() if color.isValid() else "#ffffff"))

    def _ask_delete(self) -> None:
        if self.campaign_id is not None:
            self.delete_requested.emit(self.campaign_id)

    def _ask_calendar(self) -> None:
        if self.campaign_id is not None:
            self.calendar_requested.emit(self.campaign_id)


def _qdate(day: date | None) -> QDate:
    return QDate(day.year, day.month, day.day) if day else NO_DATE


def _day(edit: QDateEdit) -> date | None:
    d = edit.date()
    return None if d == NO_DATE else date(d.year(), d.month(), d.day())
