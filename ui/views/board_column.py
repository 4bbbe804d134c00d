"""One column of the board: its header, its cards (a list view rooted at the column) and a footer.

While posts are dragged over the board, a column that would refuse them is dimmed and one that
takes them is outlined, so the allowed moves show before the drop. The column view reports
keyboard commands as signals; the page performs them.

Keyboard in a column: Up/Down choose a card, Left/Right go to the neighbouring column, Enter opens
the card, Delete deletes the selection, Ctrl+Shift+Right / Ctrl+Shift+Left move the selection to
the next / previous column, the menu key (or Shift+F10) opens the context menu.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QCursor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.status import PostStatus
from ui.delegates.card import CardDelegate
from ui.models.board import BoardModel, BoardRole, DropState
from ui.models.board_data import NEWEST_FIRST
from ui.models.mime import decode_posts

ACCEPT_COLOR = "#2f6fde"
COLUMN_WIDTH = 230


class BoardColumnView(QListView):
    """The cards of one status.

    Signals:
        open_requested(int): Enter or a double click on a card (its post id).
        delete_requested(): Delete was pressed with cards selected.
        move_requested(int): Ctrl+Shift+Right (+1) or Ctrl+Shift+Left (-1) on the selection.
        focus_step(int): Left (-1) or Right (+1): go to the neighbouring column.
        menu_requested(QPoint): the context menu was asked for at this viewport position.
        dropped_at(QPoint): a drop happened at this viewport position (before it is performed).
    """

    open_requested = Signal(int)
    delete_requested = Signal()
    move_requested = Signal(int)
    focus_step = Signal(int)
    menu_requested = Signal(QPoint)
    dropped_at = Signal(QPoint)

    def __init__(
        self, model: BoardModel, status: PostStatus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.status = status
        self.setObjectName(f"boardColumn_{status.value}")
        self.setAccessibleName(f"{status.label} column")
        self.setModel(model)
        self.setRootIndex(model.column_index(status))
        self.setItemDelegate(CardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setUniformItemSizes(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.doubleClicked.connect(self._open)
        model.modelReset.connect(self._reroot)

    def board_model(self) -> BoardModel:
        model = self.model()
        assert isinstance(model, BoardModel)
        return model

    def _reroot(self) -> None:
        self.setRootIndex(self.board_model().column_index(self.status))

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_requested.emit(int(index.data(BoardRole.POST_ID)))

    def selected_ids(self) -> list[int]:
        rows = sorted(self.selectionModel().selectedIndexes(), key=lambda i: i.row())
        return [int(i.data(BoardRole.POST_ID)) for i in rows]

    # --- keyboard --------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        horizontal = {Qt.Key.Key_Left: -1, Qt.Key.Key_Right: 1}
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self._open(self.currentIndex())
        elif key == Qt.Key.Key_Delete and self.selected_ids():
            self.delete_requested.emit()
        elif key in horizontal and (mods & ctrl_shift) == ctrl_shift:
            if self.selected_ids():
                self.move_requested.emit(horizontal[Qt.Key(key)])
        elif key in horizontal and not mods & ~Qt.KeyboardModifier.KeypadModifier:
            self.focus_step.emit(horizontal[Qt.Key(key)])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        pos = event.pos()
        if event.reason() == QContextMenuEvent.Reason.Keyboard and self.currentIndex().isValid():
            pos = self.visualRect(self.currentIndex()).center()
        self.menu_requested.emit(pos)

    # --- drag and drop ---------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        dragged = decode_posts(event.mimeData())
        self.board_model().set_drag(dragged.post_ids if dragged else None)
        if dragged is None:
            event.ignore()
            return
        super().dragEnterEvent(event)
        event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)
        # Cards themselves take no drops; anywhere in the column means "this column", and a
        # refused column still takes the drop so that it can say why.
        if decode_posts(event.mimeData()) is not None:
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        super().dragLeaveEvent(event)
        self.board_model().set_drag(None)

    def dropEvent(self, event: QDropEvent) -> None:
        model = self.board_model()
        model.set_drag(None)
        dragged = decode_posts(event.mimeData())
        pos = event.position().toPoint()
        self.dropped_at.emit(pos)
        if dragged is None:
            event.ignore()
            return
        # Always a drop on the column itself, wherever in the column it landed.
        if model.dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, -1, 0, self.rootIndex()):
            event.setDropAction(Qt.DropAction.CopyAction)  # the source must not remove rows
            event.accept()
        else:
            event.ignore()
        self.stopAutoScroll()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N803 - Qt's name
        # Qt's own startDrag would also try to remove the rows after a move; the board reloads
        # from the database instead, so the drag is built here.
        indexes = [i for i in self.selectedIndexes() if i.isValid()]
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.board_model().mimeData(indexes))
        rect = self.visualRect(self.currentIndex() if self.currentIndex().isValid() else indexes[0])
        drag.setPixmap(self.viewport().grab(rect))
        drag.setHotSpot(self.viewport().mapFromGlobal(QCursor.pos()) - rect.topLeft())
        try:
            drag.exec(Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)
        finally:
            self.board_model().set_drag(None)

    # --- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.model().rowCount(self.rootIndex()) == 0:
            self._paint_empty()
        state = self.rootIndex().data(BoardRole.DROP_STATE)
        if state not in (DropState.REFUSES, DropState.ACCEPTS):
            return
        painter = QPainter(self.viewport())
        rect = self.viewport().rect()
        if state == DropState.REFUSES:
            shade = QColor(self.palette().color(QPalette.ColorRole.Window))
            shade.setAlphaF(0.65)
            painter.fillRect(rect, shade)
        else:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(ACCEPT_COLOR), 2.0, Qt.PenStyle.DashLine))
            painter.drawRoundedRect(QRect(rect).adjusted(2, 2, -2, -2), 6, 6)
        painter.end()

    def _paint_empty(self) -> None:
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(8, 16, -8, -8)
        painter.drawText(
            area, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop), "No posts"
        )
        painter.end()


class BoardColumn(QFrame):
    """A column: a header with the status and its count, the cards, and a "more" footer.

    Signals:
        more_requested(object): the "Show more" button was pressed (the column's ``PostStatus``).
    """

    more_requested = Signal(object)

    def __init__(
        self, model: BoardModel, status: PostStatus, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.status = status
        self.setObjectName(f"boardColumnFrame_{status.value}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(COLUMN_WIDTH)
        self.header = QLabel(self)
        self.header.setObjectName("boardColumnHeader")
        self.header.setStyleSheet("font-weight: 600; padding: 4px 6px;")
        self.view = BoardColumnView(model, status, self)
        self.footer = QLabel(self)
        self.footer.setWordWrap(True)
        self.footer.setStyleSheet("padding: 2px 6px;")
        self.footer.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.header)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.footer)
        self.more_button = QPushButton("Show more", self)
        self.more_button.setFlat(True)
        self.more_button.setAccessibleName(f"Show more {status.label.lower()} posts")
        self.more_button.clicked.connect(lambda: self.more_requested.emit(self.status))
        layout.addWidget(self.more_button)
        self._model = model
        model.modelReset.connect(self.update_labels)
        model.dataChanged.connect(lambda *_: self._drag_changed())
        self.update_labels()

    def update_labels(self) -> None:
        col = self._model.column(self.status)
        total = col.total
        count = f"{total:,}" if total is not None else f"{len(col.posts):,}+"
        self.header.setText(f"{self.status.label}  ·  {count}")
        self.header.setAccessibleName(f"{self.status.label}, {count} posts")
        hidden = col.hidden
        if hidden:
            which = "newest" if col.posts and self._newest_first() else "first"
            self.footer.setText(f"{hidden:,} more not shown (the {which} {len(col.posts)} are).")
        elif hidden is None:
            self.footer.setText("More posts match; use the filter to narrow them.")
        else:
            self.footer.clear()
        self.footer.setVisible(bool(self.footer.text()))
        self.more_button.setVisible(hidden is None or hidden > 0)

    def _newest_first(self) -> bool:
        return self.status in NEWEST_FIRST

    def _drag_changed(self) -> None:
        index = self._model.column_index(self.status)
        self.setToolTip(str(index.data(Qt.ItemDataRole.ToolTipRole) or ""))
        self.view.viewport().update()
