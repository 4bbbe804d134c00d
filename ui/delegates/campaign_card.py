"""Painting of a campaign in the Campaigns page's list: a card with its colour, dates and progress.

Line one: the name and, at the right, where the campaign stands (upcoming, running, ended). Line
two: the dates and the objective. Line three: a progress bar of published posts out of the
campaign's posts, and the counts. Painted with the view's palette and font, in logical pixels
(high-DPI safe).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from cmdesk.campaigns.dto import CampaignStats
from ui.delegates.chip import mix
from ui.models.campaigns import CampaignRole

_Index = QModelIndex | QPersistentModelIndex

MARGIN = 6
PAD = 10
STRIPE = 5
BAR_HEIGHT = 6


class CampaignCardDelegate(QStyledItemDelegate):
    """Paints a :class:`~ui.models.campaigns.CampaignListModel` row as a card (read-only)."""

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(320, MARGIN + 2 * PAD + 3 * line + 8)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        stats = index.data(CampaignRole.STATS)
        if not isinstance(stats, CampaignStats):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = option.palette
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        card = QRect(option.rect).adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        fill = mix(base, highlight, 0.10) if selected else base
        painter.setPen(highlight if selected else mix(base, text, 0.14))
        painter.setBrush(fill)
        painter.drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        color = QColor(stats.campaign.color)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(
            QRectF(card.left() + 1, card.top() + 1, STRIPE, card.height() - 2), 2, 2
        )
        inner = card.adjusted(STRIPE + PAD, PAD, -PAD, -PAD)
        self._paint_lines(painter, option, index, inner, stats)
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(highlight)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(card).adjusted(1.5, 1.5, -1.5, -1.5), 5, 5)
        painter.restore()

    def _paint_lines(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: _Index,
        rect: QRect,
        stats: CampaignStats,
    ) -> None:
        pal = option.palette
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        line = QFontMetrics(option.font).height()
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        phase = str(index.data(CampaignRole.PHASE) or "")
        painter.setFont(option.font)
        phase_width = painter.fontMetrics().horizontalAdvance(phase) + 4
        painter.setPen(muted)
        first = QRect(rect.left(), rect.top(), rect.width(), line)
        painter.drawText(first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, phase)
        painter.setFont(bold)
        painter.setPen(text)
        name = QFontMetrics(bold).elidedText(
            stats.campaign.name, Qt.TextElideMode.ElideRight, max(0, rect.width() - phase_width)
        )
        painter.drawText(first, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(option.font)
        painter.setPen(muted)
        second = first.translated(0, line + 2)
        detail = str(index.data(CampaignRole.DATES) or "")
        if stats.campaign.objective:
            detail += f"  ·  {stats.campaign.objective}"
        detail = painter.fontMetrics().elidedText(detail, Qt.TextElideMode.ElideRight, rect.width())
        painter.drawText(second, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, detail)
        self._paint_progress(painter, option, second.translated(0, line + 4), stats, index)

    def _paint_progress(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: QRect,
        stats: CampaignStats,
        index: _Index,
    ) -> None:
        pal = option.palette
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        label = str(index.data(CampaignRole.PROGRESS) or "")
        label_width = painter.fontMetrics().horizontalAdvance(label) + 12
        bar_width = max(40, min(row.width() - label_width, 260))
        bar = QRectF(row.left(), row.center().y() - BAR_HEIGHT / 2, bar_width, BAR_HEIGHT)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mix(base, text, 0.10))
        painter.drawRoundedRect(bar, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
        if stats.progress > 0:
            done = QRectF(bar)
            done.setWidth(max(BAR_HEIGHT, bar.width() * stats.progress))
            painter.setBrush(QColor(stats.campaign.color))
            painter.drawRoundedRect(done, BAR_HEIGHT / 2, BAR_HEIGHT / 2)
        painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
        text_rect = QRect(int(bar.right()) + 10, row.top(), row.width(), row.height())
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label
        )
