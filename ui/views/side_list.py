"""The side list of the calendar: unscheduled drafts and ideas, dragged onto the calendar.

Dragging a row onto a day or a time slot gives the post a time; dropping a calendar chip on the
list unschedules it (it becomes a draft without a time). A refused drop says why where it
happened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, QPoint, QSize, Qt, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.feedback import show_refusal
from ui.models.mime import decode_posts
from ui.models.unscheduled import UnscheduledModel
from ui.views.post_grid import drop_action, run_drag

EMPTY_TEXT = "No unscheduled drafts or ideas."
HINT_TEXT = "Drag a post onto the calendar to give it a time; drop one here to unschedule it."


class UnscheduledList(QListView):
    """The list of unscheduled posts; rows drag out, calendar chips drop in.

    Signals:
        post_activated(int): a row was double-clicked or Enter was pressed on it.
        post_menu_requested(int, QPoint): the context menu of a row, at a global position.
    """

    post_activated = Signal(int)
    post_menu_requested = Signal(int, QPoint)

    def __init__(self, model: UnscheduledModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("unscheduledList")
        self.setAccessibleName("Unscheduled drafts and ideas")
        self.setModel(model)
        self.drag_runner: Callable[[QDrag], Qt.DropAction] = run_drag
        self.refusal_text: Callable[[], str] = lambda: ""
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDropIndicatorShown(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformItemSizes(True)
        self.setIconSize(QSize(12, 12))  # the status dots
        self.setSpacing(2)
        self.doubleClicked.connect(self._activate)

    def list_model(self) -> UnscheduledModel:
        model = self.model()
        assert isinstance(model, UnscheduledModel)
        return model

    def current_post_id(self) -> int | None:
        post = self.list_model().post_at(self.currentIndex())
        return post.id if post is not None else None

    def select_post(self, post_id: int) -> bool:
        row = self.list_model().row_of(post_id)
        if row >= 0:
            self.setCurrentIndex(self.list_model().index(row))
        return row >= 0

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.list_model().mimeData(indexes))
        rect = self.visualRect(indexes[0])
        drag.setPixmap(self.viewport().grab(rect))
        self.drag_runner(drag)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._drag_over(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._drag_over(event)

    def _drag_over(self, event: QDragMoveEvent) -> None:
        if decode_posts(event.mimeData()) is None:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        pos = event.position().toPoint()
        mime = event.mimeData()
        model = self.list_model()
        action = drop_action(event)
        if decode_posts(mime) is None:
            event.ignore()
            return
        if not model.canDropMimeData(mime, action, -1, -1, QModelIndex()):
            event.ignore()  # a row dropped back on its own list, or another workspace's post
            return
        if model.dropMimeData(mime, action, -1, -1, QModelIndex()):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
        else:
            show_refusal(self.viewport(), pos, self.refusal_text() or "This post cannot go here.")
            event.ignore()

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if event.reason() == QContextMenuEvent.Reason.Mouse:
            index = self.indexAt(event.pos())
            if index.isValid():
                self.setCurrentIndex(index)
        else:
            index = self.currentIndex()
        post = self.list_model().post_at(index)
        if post is None:
            event.ignore()
            return
        where = event.globalPos()
        if event.reason() != QContextMenuEvent.Reason.Mouse:
            where = self.viewport().mapToGlobal(self.visualRect(index).bottomLeft())
        self.post_menu_requested.emit(post.id, where)
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._activate(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)

    def _activate(self, index: QModelIndex) -> None:
        post = self.list_model().post_at(index)
        if post is not None:
            self.post_activated.emit(post.id)


class SideList(QWidget):
    """A titled :class:`UnscheduledList` with its count and a hint when empty.

    Signals: none of its own; use those of :attr:`list`.
    """

    def __init__(self, model: UnscheduledModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sideList")
        self.title = QLabel()
        self.title.setObjectName("sideListTitle")
        self.hint = QLabel(HINT_TEXT)
        self.hint.setObjectName("sideListHint")
        self.hint.setWordWrap(True)
        self.list = UnscheduledList(model, self)
        self.title.setBuddy(self.list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.hint)
        model.modelReset.connect(self._update_title)
        self._update_title()
        self.tabs: QTabWidget | None = None

    def add_tab(self, widget: QWidget, title: str) -> None:
        """Show ``widget`` (the ideas bin) in a tab beside the unscheduled list."""
        if self.tabs is None:
            first = QWidget()
            inner = QVBoxLayout(first)
            inner.setContentsMargins(0, 4, 0, 0)
            for part in (self.title, self.list, self.hint):
                inner.addWidget(part, 1 if part is self.list else 0)
            self.tabs = QTabWidget(self)
            self.tabs.setObjectName("sideTabs")
            self.tabs.addTab(first, "Unscheduled")
            layout = self.layout()
            assert layout is not None
            layout.addWidget(self.tabs)
        self.tabs.addTab(widget, title)

    def _update_title(self) -> None:
        count = self.list.list_model().rowCount()
        self.title.setText(f"&Unscheduled ({count})" if count else "&Unscheduled")
        self.list.setToolTip("" if count else EMPTY_TEXT)
        self.list.setAccessibleDescription(f"{count} posts" if count else EMPTY_TEXT)
