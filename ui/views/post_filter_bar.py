"""Filters over the posts of a workspace: text, channel, status, campaign, pillar, tag, dates.

The bar builds a :class:`~cmdesk.dto.PostFilter`; the page hands it to the plan service, so a
filter narrows what is loaded rather than hiding rows of everything. Dates are days in the
workspace's time zone: "from 1 March to 3 March" means from 1 March 00:00 to 4 March 00:00 there.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from PySide6.QtCore import QDate, QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QToolButton,
    QWidget,
)

from cmdesk.dto import CampaignDTO, ChannelDTO, PostFilter, TagDTO
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time, utc_to_local

#: Shown by an empty date field ("any date"): the earliest date the field allows.
NO_DATE = QDate(2000, 1, 1)
TYPING_PAUSE_MS = 300


#: The status filter's first choice: failed, missed, or waiting for "did it go out?".
NEEDS_ATTENTION = "needs-attention"
NEEDS_ATTENTION_LABEL = "Needs attention"


def _fill(combo: QComboBox, any_text: str, items: Iterable[tuple[str, object]]) -> None:
    """Refill a combo, keeping its current choice when it is still offered."""
    current = combo.currentData()
    with QSignalBlocker(combo):
        combo.clear()
        combo.addItem(any_text, None)
        for text, value in items:
            combo.addItem(text, value)
        found = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(found, 0))


def _one(combo: QComboBox) -> frozenset[Any]:
    value = combo.currentData()
    return frozenset() if value is None else frozenset({value})


def _select(combo: QComboBox, values: frozenset[Any]) -> None:
    found = combo.findData(next(iter(values))) if len(values) == 1 else 0
    combo.setCurrentIndex(max(found, 0))


class PostFilterBar(QWidget):
    """Filter fields in one row.

    Signals:
        filter_changed(object): the new ``PostFilter`` after a field changed (typing is debounced).
    """

    filter_changed = Signal(object)

    def __init__(
        self, *, with_status: bool = True, with_dates: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._with_dates = with_dates
        self._zone = "UTC"
        self._with_status = with_status
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search titles and texts")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search posts")
        self.search.setMinimumWidth(120)
        self.channel = self._combo("Channel filter")
        self.status = self._combo("Status filter")
        self.status.setVisible(with_status)
        # Qt keeps a StrEnum as a plain str: the combo holds the value, turned back when read.
        _fill(
            self.status,
            "Any status",
            [(NEEDS_ATTENTION_LABEL, NEEDS_ATTENTION), *((s.label, s.value) for s in PostStatus)],
        )
        self.campaign = self._combo("Campaign filter")
        self.pillar = self._combo("Pillar filter")
        self.tag = self._combo("Tag filter")
        self.date_from = self._date("From date")
        self.date_to = self._date("To date")
        self.clear_button = QToolButton(self)
        self.clear_button.setText("Clear filters")
        self.clear_button.setAccessibleName("Clear filters")
        self.message = QLabel(self)
        self.message.setObjectName("filterMessage")
        self.message.setStyleSheet("color: #d93025;")
        self._lay_out()
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._connect()
        self.set_options((), (), ())

    def _lay_out(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search, 3)
        for w in (self.channel, self.status, self.campaign, self.pillar, self.tag):
            row.addWidget(w, 1)
        for text, edit in (("From", self.date_from), ("to", self.date_to)):
            label = QLabel(text, self)
            label.setBuddy(edit)
            label.setVisible(self._with_dates)
            edit.setVisible(self._with_dates)
            row.addWidget(label)
            row.addWidget(edit)
        row.addWidget(self.clear_button)
        row.addWidget(self.message)

    def _connect(self) -> None:
        self._typing.timeout.connect(self._changed)
        self.search.textChanged.connect(lambda _t: self._typing.start())
        self.search.returnPressed.connect(self._changed)
        for combo in (self.channel, self.status, self.campaign, self.pillar, self.tag):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _d: self._changed())
        self.clear_button.clicked.connect(self.clear)

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        # Long channel or campaign names must not push the other fields off the row.
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)  # the bar must fit a 1366-pixel laptop screen
        return combo

    def _date(self, name: str) -> QDateEdit:
        edit = QDateEdit(self)
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("Any date")
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setDate(NO_DATE)
        return edit

    # --- public ----------------------------------------------------------------------------

    def set_zone(self, zone: str) -> None:
        """The workspace's time zone, in which the dates are days."""
        self._zone = zone

    def set_options(
        self,
        channels: Sequence[ChannelDTO],
        campaigns: Sequence[CampaignDTO],
        tags: Sequence[TagDTO],
    ) -> None:
        _fill(self.channel, "Any channel", ((c.name, c.id) for c in channels))
        _fill(self.campaign, "Any campaign", ((c.name, c.id) for c in campaigns))
        _fill(self.pillar, "Any pillar", ((t.name, t.id) for t in tags if t.kind == "pillar"))
        _fill(self.tag, "Any tag", ((t.name, t.id) for t in tags if t.kind != "pillar"))

    def set_filter(self, f: PostFilter) -> None:
        """Show ``f`` in the fields without emitting ``filter_changed``."""
        blockers = [
            QSignalBlocker(w)
            for w in (self.search, self.channel, self.status, self.campaign, self.pillar, self.tag)
        ]
        blockers += [QSignalBlocker(self.date_from), QSignalBlocker(self.date_to)]
        self.search.setText(f.text)
        _select(self.channel, f.channel_ids)
        _select(
            self.status,
            frozenset({NEEDS_ATTENTION})
            if f.needs_attention
            else frozenset(s.value for s in f.statuses),
        )
        _select(self.campaign, f.campaign_ids)
        _select(self.pillar, f.pillar_ids)
        _select(self.tag, f.tag_ids)
        self.date_from.setDate(self._qdate(f.start, 0))
        self.date_to.setDate(self._qdate(f.end, -1))
        self.message.clear()
        del blockers

    def show_filter(self, f: PostFilter) -> PostFilter:
        """Show ``f`` and return what the fields now say.

        A channel, campaign or tag that is gone falls back to "any", so what is shown and what is
        loaded never differ.
        """
        self.set_filter(f)
        return self.current_filter() or f

    def current_filter(self) -> PostFilter | None:
        """The filter the fields describe, or None (with a message) when they contradict."""
        first, last = self._day(self.date_from), self._day(self.date_to)
        if first and last and last < first:
            self.message.setText("The end date is before the start date.")
            return None
        self.message.clear()
        return PostFilter(
            text=self.search.text().strip(),
            channel_ids=_one(self.channel),
            statuses=frozenset(PostStatus(v) for v in _one(self.status) - {NEEDS_ATTENTION})
            if self._with_status
            else frozenset(),
            needs_attention=self._with_status and NEEDS_ATTENTION in _one(self.status),
            campaign_ids=_one(self.campaign),
            pillar_ids=_one(self.pillar),
            tag_ids=_one(self.tag),
            start=at_wall_time(first, time(0), self._zone) if first else None,
            end=at_wall_time(last + timedelta(days=1), time(0), self._zone) if last else None,
        )

    def clear(self) -> None:
        self.set_filter(PostFilter())
        self._changed()

    # --- internals -------------------------------------------------------------------------

    def _changed(self) -> None:
        self._typing.stop()
        f = self.current_filter()
        if f is not None:
            self.filter_changed.emit(f)

    @staticmethod
    def _day(edit: QDateEdit) -> date | None:
        d = edit.date()
        return None if d == NO_DATE else date(d.year(), d.month(), d.day())

    def _qdate(self, when: datetime | None, shift: int) -> QDate:
        if when is None:
            return NO_DATE
        local = utc_to_local(when, self._zone).date() + timedelta(days=shift)
        return QDate(local.year, local.month, local.day)
