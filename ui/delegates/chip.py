"""Painting of one post chip, shared by the month cells and the week/day time grid.

A chip shows a status dot and tint, the post's local time, its label elided to fit, a strip in its
campaign's colour and, at its right end, one small badge per channel (the channel's colour with
the network's initial), so "which accounts does this go to" is answered without opening it.
Neutral colours come from the palette so a dark theme stays readable; status colours are fixed
hues chosen to be told apart at a glance.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen

from cmdesk.status import PostStatus
from ui.models.chips import ChannelGlyph, PostChip

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

CHIP_RADIUS = 4.0
STRIP_WIDTH = 3
DOT_SIZE = 7
#: At most this many channel badges; a post on more channels shows "+N" after them.
MAX_BADGES = 3
#: Chips leave the badges out when they would leave the label less room than this.
MIN_LABEL_WIDTH = 56
#: The network initials painted in the badges (unknown networks use their first letter).
NETWORK_LETTERS = {"mastodon": "M", "bluesky": "B", "telegram": "T", "discord": "D"}


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


def network_letter(network: str) -> str:
    return NETWORK_LETTERS.get(network, network[:1].upper() or "?")


def paint_chip(
    painter: QPainter,
    palette: QPalette,
    rect: QRect,
    chip: PostChip,
    *,
    selected: bool = False,
) -> None:
    """Paint ``chip`` in ``rect`` with the painter's current font (see :func:`chip_font`)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    # Side-by-side chips can be narrow: nothing may spill into the neighbour.
    painter.setClipRect(rect.adjusted(0, 0, 1, 1), Qt.ClipOperation.IntersectClip)
    status = QColor(STATUS_COLORS[chip.post.status])
    shape = QPainterPath()
    shape.addRoundedRect(QRectF(rect), CHIP_RADIUS, CHIP_RADIUS)
    painter.fillPath(shape, mix(palette.color(QPalette.ColorRole.Base), status, 0.13))
    if chip.campaign_color:
        painter.save()
        painter.setClipPath(shape)
        strip = QRect(rect.left(), rect.top(), STRIP_WIDTH, rect.height())
        painter.fillRect(strip, QColor(chip.campaign_color))
        painter.restore()
    x = rect.left() + STRIP_WIDTH + 5
    line = QRect(rect.left(), rect.top(), rect.width(), min(rect.height(), _line_height(painter)))
    dot = QRectF(x, line.center().y() - DOT_SIZE / 2 + 0.5, DOT_SIZE, DOT_SIZE)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(status)
    painter.drawEllipse(dot)
    x += DOT_SIZE + 5
    text_color = palette.color(QPalette.ColorRole.Text)
    badges = chip.channels if _label_room(painter, line, x, chip) >= MIN_LABEL_WIDTH else ()
    right = _paint_badges(painter, line, badges)
    x = _draw_time(painter, line, x, chip.local_time, text_color)
    label_rect = QRect(x, line.top(), right - x - 3, line.height())
    metrics = QFontMetrics(painter.font())
    label = metrics.elidedText(chip.post.label, Qt.TextElideMode.ElideRight, label_rect.width())
    painter.setPen(mix(text_color, palette.color(QPalette.ColorRole.Base), 0.12))
    painter.drawText(label_rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, label)
    if selected:
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(rect).adjusted(1, 1, -1, -1), CHIP_RADIUS, CHIP_RADIUS)
    painter.restore()


def _badge_font(base: QFont) -> QFont:
    font = QFont(base)
    font.setPointSizeF(max(6.0, font.pointSizeF() - 1.5))
    font.setWeight(QFont.Weight.Bold)
    return font


def _label_room(painter: QPainter, line: QRect, x: int, chip: PostChip) -> int:
    """How wide the label would be with the chip's badges shown."""
    bold = QFont(painter.font())
    bold.setWeight(QFont.Weight.DemiBold)
    time_width = QFontMetrics(bold).horizontalAdvance(chip.local_time) + 5
    size = max(10, QFontMetrics(_badge_font(painter.font())).height())
    badges = min(len(chip.channels), MAX_BADGES) * (size + 2) + (
        size if len(chip.channels) > MAX_BADGES else 0
    )
    return line.right() - 3 - badges - 2 - (x + time_width) - 3


def _line_height(painter: QPainter) -> int:
    return chip_height(QFontMetrics(painter.font()))


def _paint_badges(painter: QPainter, line: QRect, channels: tuple[ChannelGlyph, ...]) -> int:
    """Paint the channel badges from the right end of ``line``; return where they start."""
    if not channels:
        return line.right()
    font = _badge_font(painter.font())
    size = max(10, QFontMetrics(font).height())
    x = line.right() - 3
    extra = len(channels) - MAX_BADGES
    if extra > 0:
        text = f"+{extra}"
        width = QFontMetrics(font).horizontalAdvance(text) + 2
        x -= width
        painter.setFont(font)
        painter.setPen(painter.pen().color())
        painter.drawText(
            QRect(x, line.top(), width, line.height()), Qt.AlignmentFlag.AlignCenter, text
        )
    top = line.center().y() - size // 2 + 1
    painter.save()
    painter.setFont(font)
    for glyph in reversed(channels[:MAX_BADGES]):
        x -= size + 2
        badge = QRectF(x, top, size, size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(glyph.color))
        painter.drawRoundedRect(badge, 3, 3)
        painter.setPen(QColor("white"))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, network_letter(glyph.network))
    painter.restore()
    return x - 2


def _draw_time(painter: QPainter, rect: QRect, x: int, text: str, color: QColor) -> int:
    """Draw the HH:MM in semibold; return where the label starts."""
    plain = painter.font()
    font = QFont(plain)
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
