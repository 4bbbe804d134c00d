"""The month view: a navigation bar (today, previous, next, the month's name) over the day grid.

Keyboard: arrow keys move between days, Page Up / Page Down go to the previous / next month
(keeping the day of the month), Home goes to today, Enter or a double click activates a day (or
the picked post). Picking, dragging, dropping and moving posts come from
:class:`~ui.views.post_grid.PostGrid`; a chip dropped on a day keeps its wall-clock time.
The calendar page uses :class:`MonthGrid` with its own toolbar; :class:`MonthView` is the grid with
a navigation bar of its own, for a window that shows only the month.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QLocale, QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.delegates.day_cell import DayCellDelegate, cell_chip_layout, header_rect
from ui.models.month import COLUMNS, ROWS, CalendarRole, MonthModel, MonthPeriod
from ui.views.campaign_bands import MonthBands
from ui.views.post_grid import PostGrid


def month_title(period: MonthPeriod) -> str:
    """The month and year shown as the title, e.g. March 2026, in the user's language."""
    name = QLocale().standaloneMonthName(period.month, QLocale.FormatType.LongFormat)
    return f"{name[:1].upper()}{name[1:]} {period.year}"


class MonthGrid(PostGrid):
    """The 6 x 7 table of days, painted by :class:`DayCellDelegate`.

    Signals (besides those of :class:`PostGrid`; ``slot_activated`` carries a ``date``):
        month_step_requested(int): Page Up (-1) or Page Down (+1) was pressed.
        more_requested(object): the "+N more" of a day (``datetime.date``) was clicked.
        today_requested(): Home was pressed.
        day_activated(object): a day (``datetime.date``) was double-clicked or Enter was pressed.
    """

    month_step_requested = Signal(int)
    more_requested = Signal(object)
    today_requested = Signal()
    day_activated = Signal(object)

    def __init__(self, model: MonthModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthGrid")
        self.setAccessibleName("Month calendar")
        self.setModel(model)
        self._delegate = DayCellDelegate(self)
        self.setItemDelegate(self._delegate)
        self.bands = MonthBands(self)
        self._delegate.band_space = self.bands.space_on
        self.setShowGrid(False)  # the delegate draws crisper lines itself
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setCornerButtonEnabled(False)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.verticalHeader().setMinimumSectionSize(64)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        header.setSectionsClickable(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.slot_activated.connect(self.day_activated)

    def month_model(self) -> MonthModel:
        model = self.model()
        assert isinstance(model, MonthModel)
        return model

    def select_day(self, day: date) -> None:
        index = self.month_model().index_for_date(day)
        if index.isValid():
            self.setCurrentIndex(index)

    def current_day(self) -> date | None:
        return self.month_model().date_at(self.currentIndex())

    # --- PostGrid ---------------------------------------------------------------------------

    def slot_value(self, index: QModelIndex) -> object:
        return self.month_model().date_at(index)

    def chip_rects(self) -> list[tuple[int, QRect]]:
        model = self.month_model()
        font = self.font()
        found: list[tuple[int, QRect]] = []
        for row in range(ROWS):
            for column in range(COLUMNS):
                index = model.index(row, column)
                day = model.date_at(index)
                chips = model.chips_on(day) if day is not None else ()
                if not chips:
                    continue
                space = self.bands.space_on(day)
                layout = cell_chip_layout(self.visualRect(index), font, len(chips), space)
                found.extend((c.post.id, r) for r, c in zip(layout.chips, chips, strict=False))
        return found

    def cell_of_post(self, post_id: int) -> QModelIndex:
        model = self.month_model()
        day = model.day_of_post(post_id)
        return model.index_for_date(day) if day is not None else QModelIndex()

    def repaint_selection(self, previous: int | None = None) -> None:
        # Only the days of the two posts: a full repaint of 42 cells costs ~20 ms, which a drop
        # (that selects the dropped post) cannot afford.
        self._delegate.selected_post = self.selected_post
        for post_id in {previous, self.selected_post} - {None}:
            assert post_id is not None
            cell = self.cell_of_post(post_id)
            if cell.isValid():
                self.viewport().update(self.visualRect(cell))

    def more_at(self, pos: QPoint) -> date | None:
        """The day whose "+N more" is at ``pos`` (the right half of a full day's header line)."""
        model = self.month_model()
        index = self.indexAt(pos)
        day = model.date_at(index)
        if day is None:
            return None
        cell = self.visualRect(index)
        header = header_rect(cell, self.font())
        line = QRect(
            cell.center().x(), header.top(), cell.right() - cell.center().x(), header.height()
        )
        chips = model.chips_on(day)
        total = max(int(index.data(CalendarRole.POST_COUNT) or 0), len(chips))
        space = self.bands.space_on(day)
        shown = len(cell_chip_layout(cell, self.font(), len(chips), space).chips)
        return day if line.contains(pos) and total > shown else None

    def paint_overlay(self, painter: QPainter) -> None:
        self.bands.paint(painter)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        day = self.more_at(event.position().toPoint())
        if day is not None and event.button() == Qt.MouseButton.LeftButton:
            self.more_requested.emit(day)
            event.accept()
            return
        super().mousePressEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if plain and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            self.month_step_requested.emit(-1 if key == Qt.Key.Key_PageUp else 1)
        elif plain and key == Qt.Key.Key_Home:
            self.today_requested.emit()
        else:
            super().keyPressEvent(event)
            return
        event.accept()


class MonthView(QWidget):
    """A month of the plan with its navigation bar.

    Signals:
        period_changed(object): the :class:`MonthPeriod` now shown; the owner loads its posts.
        day_activated(object): a day (``datetime.date``) was activated (the composer will open).
    """

    period_changed = Signal(object)
    day_activated = Signal(object)

    def __init__(self, model: MonthModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("monthView")
        # Without this a plain QWidget subclass ignores the style sheet's background.
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._model = model
        self.grid = MonthGrid(model, self)
        self.title = QLabel()
        self.title.setObjectName("monthTitle")
        self.title.setAccessibleName("Month shown")
        self.zone_label = QLabel()
        self.zone_label.setObjectName("zoneLabel")
        self.zone_label.setAccessibleName("Time zone of the times shown")
        self.today_button = self._button(QPushButton("Today"), "Today", "Go to today (Home)")
        self.prev_button = self._button(QToolButton(), "Previous month", "Previous month (Page Up)")
        self.next_button = self._button(QToolButton(), "Next month", "Next month (Page Down)")
        self.prev_button.setText("‹")
        self.next_button.setText("›")
        self._build_layout()
        self.today_button.clicked.connect(self.go_today)
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.grid.month_step_requested.connect(self.step)
        self.grid.today_requested.connect(self.go_today)
        self.grid.day_activated.connect(self.day_activated)
        self._update_labels()

    @property
    def model(self) -> MonthModel:
        return self._model

    @property
    def period(self) -> MonthPeriod:
        return self._model.period

    def show_period(self, period: MonthPeriod, select: date | None = None) -> None:
        """Show a month (or another zone or week start) and select a day in it."""
        if period != self._model.period:
            self._model.set_period(period)
        self._update_labels()
        self.grid.select_day(select or period.first_day)
        self.period_changed.emit(period)

    def step(self, months: int) -> None:
        """Go ``months`` months forwards or back, keeping the selected day of the month."""
        target = self.period.shifted(months)
        current = self.grid.current_day() or self.period.first_day
        self.show_period(target, self.period.same_day_in(target, current))

    def go_today(self) -> None:
        today = self._model.today
        if today is None:
            return
        p = self.period
        self.show_period(MonthPeriod.containing(today, p.time_zone, p.week_start), today)
        self.grid.setFocus(Qt.FocusReason.OtherFocusReason)

    def _button(
        self, button: QPushButton | QToolButton, name: str, tip: str
    ) -> QPushButton | QToolButton:
        button.setAccessibleName(name)
        button.setToolTip(tip)
        button.setObjectName(name.lower().replace(" ", "_"))
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    def _build_layout(self) -> None:
        bar = QHBoxLayout()
        bar.setContentsMargins(12, 8, 12, 8)
        bar.setSpacing(6)
        bar.addWidget(self.today_button)
        bar.addWidget(self.prev_button)
        bar.addWidget(self.next_button)
        bar.addSpacing(10)
        bar.addWidget(self.title)
        bar.addStretch(1)
        bar.addWidget(self.zone_label)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(bar)
        layout.addWidget(self.grid, 1)

    def _update_labels(self) -> None:
        self.title.setText(month_title(self.period))
        self.zone_label.setText(f"Times in {self.period.time_zone.replace('_', ' ')}")
