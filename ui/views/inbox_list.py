"""The list of inbox items: painted rows of equal height, several selectable, with their keys.

Its actions (Mark read Shift+I, Mark unread U, Done E, Undone Shift+E, Reply R) answer their
keys only while the list has the focus, so typing in the reply box never marks anything; the
page connects what they do. The same actions make the context menu and the page's buttons.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QContextMenuEvent, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QWidget

from ui.delegates.inbox_item import MIN_WIDTH, InboxItemDelegate, row_height
from ui.models.inbox import InboxModel


class InboxListView(QTableView):
    """The inbox's list view (see the module docstring).

    A one-column table rather than a ``QListView``: a list view lays out every row again when
    rows are added (about 16 ms for each page once 10,000 rows are loaded, more after), a table
    with rows of a fixed height does not, so reading further pages never stutters.

    Signals: those of ``QTableView``; the actions' ``triggered`` are connected by the page.
    """

    def __init__(self, model: InboxModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inboxList")
        self.setAccessibleName("Inbox items")
        self.setModel(model)
        self.setItemDelegate(InboxItemDelegate(self))
        # Same height for every row: the view never measures 50,000 rows to lay them out.
        rows = self.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(row_height(QFontMetrics(self.font())))
        rows.hide()
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.horizontalHeader().hide()
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMinimumWidth(MIN_WIDTH)
        self.read_action = self._action("Mark read", ("Shift+I",))
        self.unread_action = self._action("Mark unread", ("U", "Shift+U"))
        self.done_action = self._action("Done", ("E",))
        self.undone_action = self._action("Undone", ("Shift+E",))
        self.reply_action = self._action("Reply", ("R",))

    def _action(self, text: str, keys: tuple[str, ...]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setToolTip(f"{text} ({QKeySequence(keys[0]).toString()})")
        self.addAction(action)
        return action

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        if not self.selectionModel().hasSelection():
            return
        menu = QMenu(self)
        for action in (self.read_action, self.unread_action, self.done_action, self.undone_action):
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.reply_action)
        menu.popup(event.globalPos())
