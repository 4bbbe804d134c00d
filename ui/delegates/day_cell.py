"""Painting of one day of the month grid: its number, a today marker and its posts as chips.

A chip shows the post's local time, a status dot and tint, its title (or the start of its text)
elided to fit, and a strip in its campaign's colour. When a day holds more posts than fit, its
header line says "+N more" at its right end, so every line below still shows a post. Neutral
colours come from the palette so a dark theme stays readable; status colours are fixed hues
chosen to be told apart at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QLocale, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from cmdesk.status import PostStatus
from ui.models.month import CalendarRole, PostChip

#: One hue per status; also used by the status-bar legend so the colours explain themselves.
STATUS_COLORS: dict[PostStatus, str] = {
    PostStatus.IDEA: "#8e6bd1",
    PostStatus.DRAFT: "#6b7785",
    PostStatus.IN_REVIEW: "#c99a06",
    PostStatus.APPROVED: "#0a9396",
    PostStatus.SCHEDULED: "#2f6fde",
    PostStatus.PUBLISHED: "#2e9d5b",
    PostStatus.FAILED: "#d93025",
    PostStatus.MISSED: "#e8710a",
    PostStatus.ARCHIVED: "#a3a9b1",
}
TODAY_COLOR = "#1a73e8"

PADDING = 6
CHIP_SPACING = 3
CHIP_RADIUS = 4.0
STRIP_WIDTH = 3
DOT_SIZE = 7

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


def mix(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor.fromRgbF(
        a.redF() + (b.redF() - a.redF()) * amount,
        a.greenF() + (b.greenF() - a.greenF()) * amount,
        a.blueF() + (b.blueF() - a.blueF()) * amount,
    )


def chip_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(7.0, base.pointSizeF() - 1.0))
    return font


def chip_height(metrics: QFontMetrics) -> int:
    return metrics.height() + 8


class DayCellDelegate(QStyledItemDelegate):
    """Paints a :class:`~ui.models.month.MonthModel` cell; read-only (no editor)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        height = chip_height(QFontMetrics(chip_font(option.font))) + CHIP_SPACING
        return QSize(120, PADDING * 2 + height * 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect)
        in_month = bool(index.data(CalendarRole.IN_MONTH))
        chips: tuple[PostChip, ...] = index.data(CalendarRole.CHIPS) or ()
        self._paint_background(painter, option, index, in_month)
        header = self._paint_day_number(painter, option, index, in_month)
        area = QRect(rect.left() + PADDING, header.bottom() + 4, rect.width() - 2 * PADDING - 1, 0)
        area.setBottom(rect.bottom() - PADDING)
        font = chip_font(option.font)
        layout = layout_chips(area, len(chips), chip_height(QFontMetrics(font)))
        # Busy days are loaded only up to what a cell can show; the model knows the real total.
        total = max(int(index.data(CalendarRole.POST_COUNT) or 0), len(chips))
        hidden = layout.hidden + total - len(chips)
        if not in_month:
            painter.setOpacity(0.55)  # days of the neighbouring months stay readable but recede
        if hidden:
            self._paint_more(painter, option, header, hidden, font)
        self._paint_chips(painter, option, layout, chips, font)
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
        metrics = QFontMetrics(font)
        size = metrics.height() + 10
        circle = QRect(
            option.rect.left() + PADDING - 3, option.rect.top() + PADDING - 3, size, size
        )
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

    # --- chips -------------------------------------------------------------------------------

    def _paint_chips(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        layout: ChipLayout,
        chips: tuple[PostChip, ...],
        font: QFont,
    ) -> None:
        painter.setFont(font)
        metrics = QFontMetrics(font)
        for rect, chip in zip(layout.chips, chips, strict=False):
            self._paint_chip(painter, option, rect, chip, metrics)

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

    def _paint_chip(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        rect: QRect,
        chip: PostChip,
        metrics: QFontMetrics,
    ) -> None:
        pal = option.palette
        status = QColor(STATUS_COLORS[chip.post.status])
        shape = QPainterPath()
        shape.addRoundedRect(QRectF(rect), CHIP_RADIUS, CHIP_RADIUS)
        painter.fillPath(shape, mix(pal.color(QPalette.ColorRole.Base), status, 0.13))
        if chip.campaign_color:
            painter.save()
            painter.setClipPath(shape)
            painter.fillRect(
                QRect(rect.left(), rect.top(), STRIP_WIDTH, rect.height()),
                QColor(chip.campaign_color),
            )
            painter.restore()
        x = rect.left() + STRIP_WIDTH + 5
        dot = QRectF(x, rect.center().y() - DOT_SIZE / 2 + 0.5, DOT_SIZE, DOT_SIZE)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(status)
        painter.drawEllipse(dot)
        x += DOT_SIZE + 5
        text_color = pal.color(QPalette.ColorRole.Text)
        x = self._draw_time(painter, rect, x, chip.local_time, text_color)
        label_rect = QRect(x, rect.top(), rect.right() - x - 3, rect.height())
        label = metrics.elidedText(chip.post.label, Qt.TextElideMode.ElideRight, label_rect.width())
        painter.setPen(mix(text_color, pal.color(QPalette.ColorRole.Base), 0.12))
        painter.drawText(
            label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label
        )

    def _draw_time(self, painter: QPainter, rect: QRect, x: int, text: str, color: QColor) -> int:
        """Draw the HH:MM in semibold; return where the label starts."""
        font = QFont(painter.font())
        plain = painter.font()
        font.setWeight(QFont.Weight.DemiBold)
        painter.setFont(font)
        painter.setPen(color)
        width = QFontMetrics(font).horizontalAdvance(text)
        painter.drawText(
            QRect(x, rect.top(), width, rect.height()),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
            text,
        )
        painter.setFont(plain)
        return x + width + 5
