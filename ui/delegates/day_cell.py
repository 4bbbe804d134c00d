"""Painting of one day of the month grid: its number, a today marker and its posts as chips.

Chips are painted by :mod:`ui.delegates.chip`. When a day holds more posts than fit, its header
line says "+N more" at its right end, so every line below still shows a post. The geometry of a
cell's chips is computed by :func:`cell_chip_layout`, which the view also uses to find the chip
under the pointer, so what is hit is exactly what is painted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.delegates.chip import STATUS_COLORS, chip_font, chip_height, mix, paint_chip
from ui.models.month import CalendarRole, PostChip

__all__ = [
    "CHIP_SPACING",
    "PADDING",
    "STATUS_COLORS",
    "TODAY_COLOR",
    "ChipLayout",
    "DayCellDelegate",
    "cell_chip_layout",
    "layout_chips",
]

TODAY_COLOR = "#1a73e8"

PADDING = 6
CHIP_SPACING = 3

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class ChipLayout:
    """Where the chips of one cell go (one rectangle per chip shown) and how many did not fit."""

    chips: tuple[QRect, ...]
    hidden: int


def layout_chips(area: QRect, count: int, chip_height: int) -> ChipLayout:
    """Stack as many of ``count`` chips from the top of ``area`` as fit whole."""
    step = chip_height + CHIP_SPACING
    capacity = max(0, (area.height() + CHIP_SPACING) // step)
    shown = min(count, capacity)
    rects = tuple(
        QRect(area.left(), area.top() + i * step, area.width(), chip_height) for i in range(shown)
    )
    return ChipLayout(rects, count - shown)


def header_rect(cell: QRect, font: QFont) -> QRect:
    """The line with the day number (a circle sized by the bold font) at the top of a cell."""
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    size = QFontMetrics(bold).height() + 10
    return QRect(cell.left() + PADDING - 3, cell.top() + PADDING - 3, size, size)


def cell_chip_layout(cell: QRect, font: QFont, count: int, reserve: int = 0) -> ChipLayout:
    """The chip rectangles of a cell of ``cell`` size drawn with the view's ``font``.

    ``reserve`` pixels under the day number are left free (campaign bands, see
    :mod:`ui.views.campaign_bands`).
    """
    header = header_rect(cell, font)
    top = header.bottom() + 4 + reserve
    area = QRect(cell.left() + PADDING, top, cell.width() - 2 * PADDING - 1, 0)
    area.setBottom(cell.bottom() - PADDING)
    return layout_chips(area, count, chip_height(QFontMetrics(chip_font(font))))


class DayCellDelegate(QStyledItemDelegate):
    """Paints a :class:`~ui.models.month.MonthModel` cell; read-only (no editor).

    ``selected_post`` is the id of the post whose chip is outlined (the keyboard's target).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected_post: int | None = None
        #: Pixels a day leaves free under its number for campaign bands.
        self.band_space: Callable[[date | None], int] = lambda _day: 0

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = chip_height(QFontMetrics(chip_font(option.font))) + CHIP_SPACING
        return QSize(120, PADDING * 2 + height * 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        in_month = bool(index.data(CalendarRole.IN_MONTH))
        chips: tuple[PostChip, ...] = index.data(CalendarRole.CHIPS) or ()
        self._paint_background(painter, option, index, in_month)
        header = self._paint_day_number(painter, option, index, in_month)
        font = chip_font(option.font)
        space = self.band_space(index.data(CalendarRole.DATE))
        layout = cell_chip_layout(QRect(option.rect), option.font, len(chips), space)
        # Busy days are loaded only up to what a cell can show; the model knows the real total.
        total = max(int(index.data(CalendarRole.POST_COUNT) or 0), len(chips))
        hidden = layout.hidden + total - len(chips)
        if not in_month:
            painter.setOpacity(0.55)  # days of the neighbouring months stay readable but recede
        if hidden:
            self._paint_more(painter, option, header, hidden, font)
        painter.setFont(font)
        for rect, chip in zip(layout.chips, chips, strict=False):
            selected = chip.post.id == self.selected_post
            paint_chip(painter, option.palette, rect, chip, selected=selected)
        painter.restore()

    # --- background and day number -----------------------------------------------------------

    def _paint_background(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _Index, in_month: bool
    ) -> None:
        pal = option.palette
        base = pal.color(QPalette.ColorRole.Base)
        text = pal.color(QPalette.ColorRole.Text)
        fill = base if in_month else mix(base, text, 0.035)
        if index.data(CalendarRole.IS_TODAY):
            fill = mix(fill, QColor(TODAY_COLOR), 0.06)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            fill = mix(fill, pal.color(QPalette.ColorRole.Highlight), 0.07)
        painter.fillRect(option.rect, fill)
        # The grid is drawn by the cells (right and bottom edges) so it stays crisp at any size.
        painter.setPen(mix(base, text, 0.13))
        r = option.rect
        painter.drawLine(r.topRight(), r.bottomRight())
        painter.drawLine(r.bottomLeft(), r.bottomRight())
        if selected and option.state & QStyle.StateFlag.State_HasFocus:
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(r).adjusted(1.5, 1.5, -2.5, -2.5), 3, 3)

    def _paint_day_number(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _Index, in_month: bool
    ) -> QRect:
        """Draw the day number (a filled circle marks today); return the header line."""
        day: date = index.data(CalendarRole.DATE)
        font = QFont(option.font)
        font.setWeight(QFont.Weight.DemiBold)
        circle = header_rect(option.rect, option.font)
        pal = option.palette
        if index.data(CalendarRole.IS_TODAY):
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(TODAY_COLOR))
            painter.drawEllipse(circle)
            font.setWeight(QFont.Weight.Bold)
            color = QColor("white")
        elif in_month:
            color = pal.color(QPalette.ColorRole.Text)
        else:
            color = pal.color(QPalette.ColorRole.PlaceholderText)
        painter.setFont(font)
        painter.setPen(color)
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, str(day.day))
        if day.day == 1:
            # The first of a month also names it, so the padding weeks are never ambiguous.
            month = QLocale().monthName(day.month, QLocale.FormatType.ShortFormat)
            label = circle.translated(circle.width() + 2, 0)
            label.setWidth(option.rect.right() - label.left() - PADDING)
            painter.setPen(color if not index.data(CalendarRole.IS_TODAY) else QColor(TODAY_COLOR))
            painter.drawText(
                label, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, month
            )
        return QRect(
            circle.left(), circle.top(), option.rect.width() - 2 * PADDING, circle.height()
        )

    def _paint_more(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        header: QRect,
        hidden: int,
        font: QFont,
    ) -> None:
        """Say how many posts did not fit, at the right end of the header line."""
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(option.palette.color(QPalette.ColorRole.PlaceholderText))
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        painter.drawText(header, align, f"+{hidden} more")
