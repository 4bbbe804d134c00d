"""Painting of one board card: campaign strip, title, time in the workspace's zone, channels.

A card is a rounded box with a strip in its campaign's colour at the left, the post's title (or
the start of its text) on up to two lines, and a bottom line with the local time and one small
disc per channel holding the network's letter. Neutral colours come from the palette so a dark
theme stays readable; painting is in logical pixels with antialiasing, so it is sharp at any
device pixel ratio.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from ui.models.board import BoardRole, ChannelGlyph

MARGIN = 4
PADDING = 8
RADIUS = 6.0
STRIP = 4
GLYPH = 16
GLYPH_GAP = 3
TITLE_LINES = 2

_Index = QModelIndex | QPersistentModelIndex


def card_height(metrics: QFontMetrics) -> int:
    """The height of a card for a font: two title lines, one detail line and the padding."""
    return 2 * MARGIN + 2 * PADDING + TITLE_LINES * metrics.lineSpacing() + 4 + GLYPH


def elide_lines(metrics: QFontMetrics, text: str, width: int, lines: int) -> list[str]:
    """Break ``text`` into at most ``lines`` lines of ``width``, eliding the last one."""
    words = " ".join(text.split()).split(" ")
    out: list[str] = []
    current = ""
    for i, word in enumerate(words):
        trial = f"{current} {word}".strip()
        if metrics.horizontalAdvance(trial) <= width or not current:
            current = trial
            continue
        out.append(current)
        if len(out) == lines - 1:
            rest = " ".join(words[i:])
            out.append(metrics.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return out
        current = word
    if current:
        out.append(metrics.elidedText(current, Qt.TextElideMode.ElideRight, width))
    return out


class CardDelegate(QStyledItemDelegate):
    """Paints the cards of a board column (see the module docstring)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(max(option.rect.width(), 160), card_height(QFontMetrics(option.font)))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = option.palette
        box = QRectF(option.rect.adjusted(MARGIN, MARGIN, -MARGIN, -MARGIN))
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        path = QPainterPath()
        path.addRoundedRect(box, RADIUS, RADIUS)
        base = palette.color(QPalette.ColorRole.Base)
        painter.fillPath(path, palette.color(QPalette.ColorRole.Highlight) if selected else base)
        # Text colour, faded: visible on light and dark themes alike (Mid vanishes on dark ones).
        border = QColor(palette.color(QPalette.ColorRole.Text))
        border.setAlphaF(0.28)
        if option.state & QStyle.StateFlag.State_HasFocus:
            border = palette.color(QPalette.ColorRole.Highlight).darker(130)
        painter.setPen(QPen(border, 1.0))
        painter.drawPath(path)
        color = index.data(BoardRole.CAMPAIGN_COLOR)
        if color:
            painter.save()
            painter.setClipPath(path)
            painter.fillRect(QRectF(box.left(), box.top(), STRIP, box.height()), QColor(color))
            painter.restore()
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        inner = box.toAlignedRect().adjusted(PADDING + STRIP, PADDING, -PADDING, -PADDING)
        self._paint_title(painter, option.font, inner, str(index.data() or ""), text_color)
        self._paint_details(painter, option, inner, index, text_color)
        painter.restore()

    @staticmethod
    def _paint_title(
        painter: QPainter, font: QFont, inner: QRect, title: str, color: QColor
    ) -> None:
        bold = QFont(font)
        bold.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(bold)
        painter.setFont(bold)
        painter.setPen(color)
        y = inner.top()
        for line in elide_lines(metrics, title, inner.width(), TITLE_LINES):
            painter.drawText(
                QRect(inner.left(), y, inner.width(), metrics.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                line,
            )
            y += metrics.lineSpacing()

    @staticmethod
    def _paint_details(
        painter: QPainter,
        option: QStyleOptionViewItem,
        inner: QRect,
        index: _Index,
        color: QColor,
    ) -> None:
        glyphs: tuple[ChannelGlyph, ...] = index.data(BoardRole.GLYPHS) or ()
        line = QRect(inner.left(), inner.bottom() - GLYPH + 1, inner.width(), GLYPH)
        x = line.right() + 1
        small = QFont(option.font)
        small.setPointSizeF(max(6.0, option.font.pointSizeF() * 0.75))
        small.setWeight(QFont.Weight.Bold)
        painter.setFont(small)
        for glyph in reversed(glyphs):
            x -= GLYPH
            disc = QRectF(x, line.top(), GLYPH, GLYPH)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(glyph.color or "#6b7785"))
            painter.drawEllipse(disc)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(disc, int(Qt.AlignmentFlag.AlignCenter), glyph.letter)
            x -= GLYPH_GAP
        when = str(index.data(BoardRole.LOCAL_TIME) or "") or "No time yet"
        painter.setFont(option.font)
        faded = QColor(color)
        faded.setAlphaF(0.75)
        painter.setPen(faded)
        metrics = QFontMetrics(option.font)
        room = max(0, x - line.left() - GLYPH_GAP)
        painter.drawText(
            QRect(line.left(), line.top(), room, line.height()),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(when, Qt.TextElideMode.ElideRight, room),
        )
