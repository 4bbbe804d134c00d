"""Painting of one inbox row: channel glyph, author, time, kind and a line of the text.

A row has two lines beside a small disc in the channel's colour holding the network's letter:
the author's name and handle with the time (in the workspace's zone) at the right, then a small
kind tag ("Reply", "DM") and the start of the text. A new item has a dot at the left and its
author and time in bold; a replied or done one says so at the right of its second line. Every
row has the same height, so the list can lay out 50,000 rows without measuring them. Neutral
colours come from the palette (light and dark themes); painting is in logical pixels.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from cmdesk.status import InboxState
from ui.delegates.chip import network_letter
from ui.models.chips import ChannelGlyph
from ui.models.inbox import STATE_LABELS, InboxRole

PADDING = 8
DOT = 8
GLYPH = 20
GAP = 8
LINE_GAP = 3
NEW_COLOR = "#1a73e8"
MIN_WIDTH = 240

_Index = QModelIndex | QPersistentModelIndex
_LEFT_MIDDLE = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT_MIDDLE = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def row_height(metrics: QFontMetrics) -> int:
    """The height of every row for a font: two lines and the padding."""
    return 2 * PADDING + 2 * metrics.height() + LINE_GAP


def _faded(color: QColor, alpha: float) -> QColor:
    out = QColor(color)
    out.setAlphaF(alpha)
    return out


class InboxItemDelegate(QStyledItemDelegate):
    """Paints the rows of the inbox list (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        # A narrow minimum: the list gives every row its full width, and a width taken from
        # the row (as wide as the view was) would leave a horizontal scroll bar after a shrink.
        return QSize(MIN_WIDTH, row_height(QFontMetrics(option.font)))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        rect = option.rect
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        text = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        painter.setPen(_faded(palette.color(QPalette.ColorRole.Text), 0.12))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        is_new = bool(index.data(InboxRole.IS_NEW))
        if is_new:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(text if selected else QColor(NEW_COLOR))
            dot_y = rect.top() + PADDING + QFontMetrics(option.font).height() / 2 - DOT / 2
            painter.drawEllipse(QRectF(rect.left() + 6, dot_y, DOT, DOT))
        left = rect.left() + 6 + DOT + 6
        glyph = index.data(InboxRole.GLYPH)
        if isinstance(glyph, ChannelGlyph):
            self._paint_glyph(painter, option.font, glyph, left, rect.top() + PADDING)
        inner = QRect(left + GLYPH + GAP, rect.top() + PADDING, 0, 0)
        inner.setRight(rect.right() - PADDING)
        inner.setBottom(rect.bottom() - PADDING)
        self._paint_first_line(painter, option.font, inner, index, text, is_new)
        self._paint_second_line(painter, option.font, inner, index, text, is_new)
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(_faded(text, 0.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(rect).adjusted(0.5, 0.5, -1.5, -1.5))
        painter.restore()

    @staticmethod
    def _paint_glyph(painter: QPainter, font: QFont, glyph: ChannelGlyph, x: int, y: int) -> None:
        disc = QRectF(x, y, GLYPH, GLYPH)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(glyph.color))
        painter.drawEllipse(disc)
        small = QFont(font)
        small.setPixelSize(round(GLYPH * 0.55))
        small.setWeight(QFont.Weight.Bold)
        painter.setFont(small)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(disc, Qt.AlignmentFlag.AlignCenter, network_letter(glyph.network))

    @staticmethod
    def _paint_first_line(
        painter: QPainter, font: QFont, inner: QRect, index: _Index, color: QColor, is_new: bool
    ) -> None:
        strong = QFont(font)
        strong.setWeight(QFont.Weight.Bold if is_new else QFont.Weight.DemiBold)
        metrics = QFontMetrics(strong)
        line = QRect(inner.left(), inner.top(), inner.width(), metrics.height())
        when = str(index.data(InboxRole.LOCAL_TIME) or "")
        time_font = strong if is_new else font
        painter.setFont(time_font)
        painter.setPen(color if is_new else _faded(color, 0.7))
        time_width = QFontMetrics(time_font).horizontalAdvance(when)
        painter.drawText(line, _RIGHT_MIDDLE, when)
        room = max(0, line.width() - time_width - GAP)
        author = metrics.elidedText(
            str(index.data(InboxRole.AUTHOR) or ""), Qt.TextElideMode.ElideRight, room
        )
        painter.setFont(strong)
        painter.setPen(color)
        painter.drawText(QRect(line.left(), line.top(), room, line.height()), _LEFT_MIDDLE, author)
        used = metrics.horizontalAdvance(author) + 6
        handle = str(index.data(InboxRole.HANDLE) or "")
        if handle and room - used > 24:
            plain = QFontMetrics(font)
            painter.setFont(font)
            painter.setPen(_faded(color, 0.6))
            painter.drawText(
                QRect(line.left() + used, line.top(), room - used, line.height()),
                _LEFT_MIDDLE,
                plain.elidedText(handle, Qt.TextElideMode.ElideRight, room - used),
            )

    @staticmethod
    def _paint_second_line(
        painter: QPainter, font: QFont, inner: QRect, index: _Index, color: QColor, is_new: bool
    ) -> None:
        metrics = QFontMetrics(font)
        top = inner.top() + metrics.height() + LINE_GAP
        line = QRect(inner.left(), top, inner.width(), metrics.height())
        x = line.left()
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        small_metrics = QFontMetrics(small)
        kind = str(index.data(InboxRole.KIND_LABEL) or "")
        if kind:
            width = small_metrics.horizontalAdvance(kind) + 10
            tag = QRectF(x, line.top() + 1, width, line.height() - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(_faded(color, 0.12))
            painter.drawRoundedRect(tag, 4, 4)
            painter.setFont(small)
            painter.setPen(_faded(color, 0.85))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, kind)
            x += width + 6
        right = line.right()
        state = str(index.data(InboxRole.STATE) or "")
        if state in (InboxState.REPLIED, InboxState.DONE):
            label = ("✓ " if state == InboxState.REPLIED else "") + STATE_LABELS[InboxState(state)]
            width = small_metrics.horizontalAdvance(label)
            painter.setFont(small)
            painter.setPen(_faded(color, 0.7))
            painter.drawText(
                QRect(right - width, line.top(), width, line.height()), _RIGHT_MIDDLE, label
            )
            right -= width + GAP
        room = max(0, right - x)
        snippet = metrics.elidedText(
            str(index.data(InboxRole.SNIPPET) or ""), Qt.TextElideMode.ElideRight, room
        )
        painter.setFont(font)
        painter.setPen(color if is_new else _faded(color, 0.75))
        painter.drawText(QRect(x, line.top(), room, line.height()), _LEFT_MIDDLE, snippet)
