"""Painting of an idea in the ideas bin: a card with its title, source and date, and a snippet.

Line one: the title (bold) and, at the right, the state when it is not new. Line two: where it
came from (a feed's name, or "Typed in"), the date, and a link marker when it has one. Line three
(skipped in the compact cards of the calendar's side list): the start of its text. Painted with
the view's palette and font in logical pixels (high-DPI safe).
"""

from __future__ import annotations

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QRectF,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from cmdesk.planning.ideas_dto import IdeaState
from ui.delegates.chip import mix
from ui.models.ideas import IdeaRole

_Index = QModelIndex | QPersistentModelIndex

MARGIN = 6
PAD = 8
STRIPE = 4
FEED_COLOR = "#3b82c4"
TYPED_COLOR = "#d08a2e"


class IdeaCardDelegate(QStyledItemDelegate):
    """Paints an :class:`~ui.models.ideas.IdeasModel` row as a card (read-only)."""

    def __init__(self, parent: QObject | None = None, *, compact: bool = False) -> None:
        super().__init__(parent)
        self.compact = compact

    def lines(self) -> int:
        return 2 if self.compact else 3

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        line = QFontMetrics(option.font).height()
        return QSize(200, MARGIN + 2 * PAD + self.lines() * (line + 2))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        title = index.data(Qt.ItemDataRole.DisplayRole)
        if not isinstance(title, str):
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = option.palette
        base, text = pal.color(QPalette.ColorRole.Base), pal.color(QPalette.ColorRole.Text)
        highlight = pal.color(QPalette.ColorRole.Highlight)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        card = QRect(option.rect).adjusted(MARGIN, MARGIN // 2, -MARGIN, -MARGIN // 2)
        painter.setPen(highlight if selected else mix(base, text, 0.14))
        painter.setBrush(mix(base, highlight, 0.10) if selected else base)
        painter.drawRoundedRect(QRectF(card).adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        from_feed = bool(index.data(IdeaRole.SOURCE) != "Typed in")
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(mix(base, QColor(FEED_COLOR if from_feed else TYPED_COLOR), 0.9))
        painter.drawRoundedRect(
            QRectF(card.left() + 1, card.top() + 1, STRIPE, card.height() - 2), 2, 2
        )
        self._paint_lines(painter, option, index, card.adjusted(STRIPE + PAD, PAD, -PAD, -PAD))
        if option.state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(highlight)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(QRectF(card).adjusted(1.5, 1.5, -1.5, -1.5), 5, 5)
        painter.restore()

    def _paint_lines(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _Index, rect: QRect
    ) -> None:
        pal = option.palette
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        line = QFontMetrics(option.font).height()
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        first = QRect(rect.left(), rect.top(), rect.width(), line)
        self._paint_title(painter, option, index, first)
        painter.setFont(option.font)
        painter.setPen(muted)
        metrics = painter.fontMetrics()
        source = f"{index.data(IdeaRole.SOURCE)}  ·  {index.data(IdeaRole.DATE_TEXT)}"
        if index.data(IdeaRole.LINK):
            source += "  ·  link"
        second = first.translated(0, line + 2)
        painter.drawText(
            second, left, metrics.elidedText(source, Qt.TextElideMode.ElideRight, rect.width())
        )
        if self.compact:
            return
        snippet = str(index.data(IdeaRole.SNIPPET) or "")
        painter.setPen(mix(pal.color(QPalette.ColorRole.Base), text, 0.8))
        painter.drawText(
            second.translated(0, line + 2),
            left,
            metrics.elidedText(snippet, Qt.TextElideMode.ElideRight, rect.width()),
        )

    def _paint_title(
        self, painter: QPainter, option: QStyleOptionViewItem, index: _Index, first: QRect
    ) -> None:
        """The title in bold and, right-aligned, the state of an idea that is not new."""
        muted = option.palette.color(QPalette.ColorRole.PlaceholderText)
        text = option.palette.color(QPalette.ColorRole.Text)
        left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        state = index.data(IdeaRole.STATE)
        badge = state.label if isinstance(state, IdeaState) and state is not IdeaState.NEW else ""
        painter.setFont(option.font)
        badge_width = painter.fontMetrics().horizontalAdvance(badge) + 8 if badge else 0
        if badge:
            painter.setPen(muted)
            painter.drawText(
                first, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, badge
            )
        bold = QFont(option.font)
        bold.setWeight(QFont.Weight.DemiBold)
        painter.setFont(bold)
        painter.setPen(text)
        title = QFontMetrics(bold).elidedText(
            str(index.data(Qt.ItemDataRole.DisplayRole)),
            Qt.TextElideMode.ElideRight,
            max(0, first.width() - badge_width),
        )
        painter.drawText(first, left, title)
