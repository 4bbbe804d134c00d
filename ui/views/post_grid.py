"""What the month grid and the time grid share: chips picked, dragged, dropped, moved and opened.

A grid is a ``QTableView`` whose cells are days (month) or quarter-hour slots (week, day) and
whose posts are painted as chips. Subclasses say where the chips are (:meth:`PostGrid.chip_rects`)
and what a cell means (:meth:`PostGrid.slot_value`); this class turns the mouse and the keyboard
into signals and drops into the model's ``dropMimeData`` (the model acts through ``PlanActions``).

Keyboard (documented in the page's tool tips):

* Ctrl+Up / Ctrl+Down pick the previous / next post shown (arrow keys alone move between cells);
* Alt+Left / Alt+Right move the picked post a day earlier / later, keeping its wall-clock time;
* Alt+Up / Alt+Down move it an hour; Alt+Shift+Up / Alt+Shift+Down 15 minutes;
* Enter opens the picked post in the composer (or a new post in an empty cell);
* Delete deletes the picked post (undoable); the Menu key or Shift+F10 opens its context menu.

None of these clash with Qt's item-view keys: Qt binds the arrows with no modifier or with Ctrl
and Shift for the cursor and selection, but Ctrl+Up/Down in a single-selection grid only repeat
the plain arrows, and nothing in an item view uses Alt with the arrows.

Drags use a real ``QDrag``; :attr:`PostGrid.drag_runner` runs it (``QDrag.exec``) and is the one
seam tests replace, because a drag's nested event loop cannot be driven by synthetic mouse events
on the offscreen platform.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QModelIndex, QPoint, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QWidget

from ui.feedback import show_refusal
from ui.models.mime import carries_plan_items, encode_posts

#: The nudges of the keyboard: (key, shift held) -> how far the picked post moves.
NUDGES: dict[tuple[int, bool], timedelta] = {
    (Qt.Key.Key_Left, False): timedelta(days=-1),
    (Qt.Key.Key_Right, False): timedelta(days=1),
    (Qt.Key.Key_Up, False): timedelta(hours=-1),
    (Qt.Key.Key_Down, False): timedelta(hours=1),
    (Qt.Key.Key_Up, True): timedelta(minutes=-15),
    (Qt.Key.Key_Down, True): timedelta(minutes=15),
}
NOT_HERE = "Only posts of this workspace can be dropped here."


def run_drag(drag: QDrag) -> Qt.DropAction:
    """Run a drag the ordinary way: Move by default, Copy when Ctrl is held."""
    return drag.exec(Qt.DropAction.MoveAction | Qt.DropAction.CopyAction, Qt.DropAction.MoveAction)


def drop_action(event: QDropEvent) -> Qt.DropAction:
    """Copy when Ctrl is held, otherwise Move.

    The modifiers decide, not ``proposedAction()``: platforms propose Copy for a drag that did
    not say what it prefers, and the issue asks for exactly "Ctrl-drag duplicates".
    """
    if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
        return Qt.DropAction.CopyAction
    return Qt.DropAction.MoveAction


class PostGrid(QTableView):
    """A table of cells holding post chips.

    Signals:
        post_activated(int): a chip was double-clicked, or Enter pressed on the picked post.
        slot_activated(object): an empty place was double-clicked or Enter pressed on it; the
            value is the cell's :meth:`slot_value` (a ``date`` or an aware ``datetime``).
        post_menu_requested(int, QPoint): the context menu of a post, at a global position.
        move_requested(int, object): a keyboard nudge of a post by a ``timedelta``.
        delete_requested(int): Delete was pressed on the picked post.
        selected_post_changed(object): the picked post id, or None.
    """

    post_activated = Signal(int)
    slot_activated = Signal(object)
    post_menu_requested = Signal(int, QPoint)
    move_requested = Signal(int, object)
    delete_requested = Signal(int)
    selected_post_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace_id = 0
        self.drag_runner: Callable[[QDrag], Qt.DropAction] = run_drag
        #: The reason the last drop was refused (the page points it at its drop handler).
        self.refusal_text: Callable[[], str] = lambda: ""
        self._selected: int | None = None
        self._press: tuple[int, QPoint] | None = None
        self._drop_target = QModelIndex()
        self._drop_copy = False
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDropIndicatorShown(False)  # the grid paints its own: the whole target cell
        # Chips are dragged by this class (a cell is not an item to drag): Qt only takes drops.
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.DefaultContextMenu)

    # --- what subclasses provide -------------------------------------------------------------

    def chip_rects(self) -> list[tuple[int, QRect]]:
        """The visible chips as (post id, rectangle in viewport coordinates), in time order."""
        return []

    def slot_value(self, index: QModelIndex) -> object:
        """What a cell means for a new post: a ``date`` (month) or a ``datetime`` (time grid)."""
        return None

    def cell_of_post(self, post_id: int) -> QModelIndex:
        return QModelIndex()

    def repaint_selection(self, previous: int | None = None) -> None:
        """Repaint after the picked post changed from ``previous`` (grids may narrow this)."""
        self.viewport().update()

    # --- picking -----------------------------------------------------------------------------

    @property
    def selected_post(self) -> int | None:
        return self._selected

    def select_post(self, post_id: int | None) -> None:
        if post_id != self._selected:
            previous, self._selected = self._selected, post_id
            self.repaint_selection(previous)
            self.selected_post_changed.emit(post_id)
        if post_id is not None:
            cell = self.cell_of_post(post_id)
            if cell.isValid() and cell != self.currentIndex():
                self.setCurrentIndex(cell)
            if cell.isValid():
                self.scrollTo(cell)

    def chip_at(self, pos: QPoint) -> int | None:
        return next((pid for pid, rect in self.chip_rects() if rect.contains(pos)), None)

    def chip_rect(self, post_id: int) -> QRect | None:
        return next((rect for pid, rect in self.chip_rects() if pid == post_id), None)

    def refuse(self, post_id: int | None, message: str) -> None:
        """Explain a refused keyboard or menu action next to the post's chip."""
        rect = self.chip_rect(post_id) if post_id is not None else None
        pos = rect.center() if rect is not None else self.viewport().rect().center()
        show_refusal(self.viewport(), pos, message)

    # --- mouse -------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        post_id = self.chip_at(pos)
        super().mousePressEvent(event)
        self.select_post(post_id)
        if post_id is not None and event.button() == Qt.MouseButton.LeftButton:
            self._press = (post_id, pos)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is not None and event.buttons() & Qt.MouseButton.LeftButton:
            post_id, start = self._press
            distance = (event.position().toPoint() - start).manhattanLength()
            if distance >= QApplication.startDragDistance():
                self._press = None
                self.start_post_drag(post_id, start)
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        pos = event.position().toPoint()
        post_id = self.chip_at(pos)
        if post_id is not None:
            self.post_activated.emit(post_id)
        else:
            index = self.indexAt(pos)
            if index.isValid():
                self.slot_activated.emit(self.slot_value(index))
        event.accept()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            post_id = self.chip_at(event.pos())
            self.select_post(post_id)
        else:
            post_id = self._selected
        if post_id is None:
            event.ignore()
            return
        rect = self.chip_rect(post_id)
        where = event.globalPos()
        if event.reason() != QContextMenuEvent.Reason.Mouse and rect is not None:
            where = self.viewport().mapToGlobal(rect.bottomLeft())
        self.post_menu_requested.emit(post_id, where)
        event.accept()

    def start_post_drag(self, post_id: int, pos: QPoint) -> Qt.DropAction:
        """Start dragging a post's chip (the chip's picture follows the pointer)."""
        drag = QDrag(self)
        drag.setMimeData(encode_posts(self.workspace_id, [post_id]))
        rect = self.chip_rect(post_id)
        if rect is not None:
            drag.setPixmap(self.viewport().grab(rect))
            drag.setHotSpot(pos - rect.topLeft())
        return self.drag_runner(drag)

    # --- drops -------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drag_over(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._drag_over(event)

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._set_drop_target(QModelIndex(), False)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        pos = event.position().toPoint()
        index = self.indexAt(pos)
        action = drop_action(event)
        self._set_drop_target(QModelIndex(), False)
        mime = event.mimeData()
        model = self.model()
        if not carries_plan_items(mime) or not index.isValid():
            event.ignore()
            return
        if not model.canDropMimeData(mime, action, -1, -1, index):
            show_refusal(self.viewport(), pos, NOT_HERE)
            event.ignore()
            return
        if model.dropMimeData(mime, action, -1, -1, index):
            event.setDropAction(action)
            event.accept()
            self.setFocus(Qt.FocusReason.OtherFocusReason)
        else:
            show_refusal(self.viewport(), pos, self.refusal_text() or "This post cannot go there.")
            event.ignore()

    def _drag_over(self, event: QDragMoveEvent) -> None:
        if not carries_plan_items(event.mimeData()):
            event.ignore()
            return
        index = self.indexAt(event.position().toPoint())
        action = drop_action(event)
        # Drops of this workspace's posts are always delivered, so a refusal (a published post,
        # a past time) can be explained at the drop point instead of a silent "no" cursor.
        event.setDropAction(action)
        event.accept()
        self._set_drop_target(index, action == Qt.DropAction.CopyAction)

    def _set_drop_target(self, index: QModelIndex, copy: bool) -> None:
        if index != self._drop_target or copy != self._drop_copy:
            self._drop_target = QModelIndex(index)
            self._drop_copy = copy
            self.viewport().update()

    @property
    def drop_is_copy(self) -> bool:
        return self._drop_copy

    @property
    def drop_target(self) -> QModelIndex:
        """The cell under a drag in progress (invalid when none)."""
        return self._drop_target

    def drop_rect(self) -> QRect:
        return self.visualRect(self._drop_target)

    def paint_drop_indicator(self, painter: QPainter) -> None:
        if not self._drop_target.isValid():
            return
        color = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        rect = self.drop_rect().adjusted(1, 1, -2, -2)
        fill = QColor(color)
        fill.setAlphaF(0.12)
        painter.fillRect(rect, fill)
        pen = QPen(color, 2, Qt.PenStyle.DashLine if self._drop_copy else Qt.PenStyle.SolidLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect, 4, 4)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.paint_overlay(painter)
        self.paint_drop_indicator(painter)
        painter.end()

    def paint_overlay(self, painter: QPainter) -> None:
        """Paint over the cells (the time grid's chips); the month's delegate needs none."""

    # --- keyboard ----------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._handle_post_key(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def _handle_post_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        mods = event.modifiers()
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        if alt and (key, shift) in NUDGES:
            if self._selected is not None:
                self.move_requested.emit(self._selected, NUDGES[(key, shift)])
            return True
        if ctrl and key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
            self._pick_neighbour(1 if key == Qt.Key.Key_Down else -1)
            return True
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self._selected is not None and self.chip_rect(self._selected) is not None:
                self.post_activated.emit(self._selected)
            elif self.currentIndex().isValid():
                self.slot_activated.emit(self.slot_value(self.currentIndex()))
            return True
        if key == Qt.Key.Key_Delete and self._selected is not None:
            self.delete_requested.emit(self._selected)
            return True
        return False

    def _pick_neighbour(self, step: int) -> None:
        ids = [pid for pid, _ in self.chip_rects()]
        if not ids:
            return
        if self._selected in ids:
            position = ids.index(self._selected) + step
        else:
            position = 0 if step > 0 else len(ids) - 1
        self.select_post(ids[max(0, min(len(ids) - 1, position))])
