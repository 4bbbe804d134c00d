"""Painting of a routine task in a checklist: check box, title, and a line of schedule and due.

Done tasks are struck through and faded; an overdue one has its line in the warning colour.
Clicking the check box asks the model to toggle (the model turns it into a request for the
page); the keyboard's Space is handled by the page, on the list view.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionButton,
    QStyleOptionViewItem,
    QWidget,
)

from ui.views.routine_models import RoutineRole

PAD = 10
CHECK = 18
OVERDUE = QColor("#c5372c")
_Index = QModelIndex | QPersistentModelIndex


class RoutineTaskDelegate(QStyledItemDelegate):
    """Paints one task row (no signals of its own)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        fm = QFontMetrics(option.font)
        return QSize(240, PAD * 2 + fm.height() * 2 + 4)

    def check_rect(self, rect: QRect) -> QRect:
        return QRect(rect.left() + PAD, rect.center().y() - CHECK // 2, CHECK, CHECK)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        rect: QRect = option.rect
        pal: QPalette = option.palette
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        done = bool(index.data(RoutineRole.DONE))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        back = pal.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        if selected:
            back.setAlpha(40)
        painter.fillRect(rect, back)
        painter.setPen(pal.color(QPalette.ColorRole.Midlight))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        self._check(painter, option, rect, done)
        text_left = rect.left() + PAD * 2 + CHECK
        width = rect.right() - PAD - text_left
        font = QFont(option.font)
        font.setBold(True)
        font.setStrikeOut(done)
        fm = QFontMetrics(font)
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        painter.setFont(font)
        painter.setPen(muted if done else text)
        top = rect.top() + PAD
        title = fm.elidedText(str(index.data() or ""), Qt.TextElideMode.ElideRight, width)
        painter.drawText(QRect(text_left, top, width, fm.height()), 0, title)
        small = QFont(option.font)
        painter.setFont(small)
        overdue = bool(index.data(RoutineRole.OVERDUE)) and not done
        painter.setPen(OVERDUE if overdue else muted)
        sfm = QFontMetrics(small)
        meta = sfm.elidedText(
            str(index.data(RoutineRole.META) or ""), Qt.TextElideMode.ElideRight, width
        )
        painter.drawText(QRect(text_left, top + fm.height() + 4, width, sfm.height()), 0, meta)
        if state & QStyle.StateFlag.State_HasFocus:
            painter.setPen(pal.color(QPalette.ColorRole.Highlight))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        painter.restore()

    def _check(
        self, painter: QPainter, option: QStyleOptionViewItem, rect: QRect, done: bool
    ) -> None:
        box = QStyleOptionButton()
        box.rect = self.check_rect(rect)
        box.state = QStyle.StateFlag.State_Enabled | (
            QStyle.StateFlag.State_On if done else QStyle.StateFlag.State_Off
        )
        box.palette = option.palette
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorCheckBox, box, painter, widget)

    def editorEvent(
        self, event: QEvent, model: object, option: QStyleOptionViewItem, index: _Index
    ) -> bool:
        if event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent):
            rect: QRect = option.rect
            hit = self.check_rect(rect).adjusted(-6, -6, 6, 6)
            if hit.contains(event.position().toPoint()) and index.model() is not None:
                done = bool(index.data(RoutineRole.DONE))
                target = Qt.CheckState.Unchecked if done else Qt.CheckState.Checked
                index.model().setData(index, target, Qt.ItemDataRole.CheckStateRole)
                return True
        return False
