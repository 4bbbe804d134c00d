"""The widgets of the Ideas page and how they are laid out; the page (``ideas_page``) acts.

:class:`IdeasList` is the list of idea cards: rows drag out (onto the calendar), Enter and F2
edit, Ctrl+Return makes a draft, Delete discards. :class:`IdeasPageLayout` builds the toolbar,
the filters, the list, the detail of the selected idea and the Feeds panel.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QDrag, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.planning.ideas_dto import IdeaDTO
from ui.delegates.idea_card import IdeaCardDelegate
from ui.models.ideas import IdeasModel
from ui.tasks import TaskRunner
from ui.views.ideas_feeds import FeedsPanel
from ui.views.inbox_conversation import SafeTextBrowser

EMPTY_TEXT = (
    "No ideas here. Type one in with New idea (Ctrl+Shift+N), or follow a feed on the right: "
    "its new entries arrive as ideas."
)


class IdeasList(QListView):
    """Idea cards; rows drag onto the calendar.

    Signals:
        activated_idea(int): Enter, F2 or a double-click on an idea (edit it).
        draft_requested(int): Ctrl+Return on an idea (make it a draft).
        discard_requested(): Delete pressed with ideas selected.
    """

    activated_idea = Signal(int)
    draft_requested = Signal(int)
    discard_requested = Signal()

    def __init__(self, model: IdeasModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ideasList")
        self.setAccessibleName("Ideas")
        self.setModel(model)
        self.setItemDelegate(IdeaCardDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(True)
        self.doubleClicked.connect(self._activate)

    def ideas_model(self) -> IdeasModel:
        model = self.model()
        assert isinstance(model, IdeasModel)
        return model

    def startDrag(self, supported_actions: Qt.DropAction) -> None:
        indexes = self.selectedIndexes()
        if not indexes:
            return
        drag = QDrag(self)
        drag.setMimeData(self.ideas_model().mimeData(indexes))
        drag.setPixmap(self.viewport().grab(self.visualRect(indexes[0])))
        drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.MoveAction, Qt.DropAction.CopyAction)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        idea = self.ideas_model().idea_at(self.currentIndex())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and idea is not None:
            if mods & Qt.KeyboardModifier.ControlModifier:
                self.draft_requested.emit(idea.id)
            else:
                self.activated_idea.emit(idea.id)
            event.accept()
            return
        if key == Qt.Key.Key_F2 and idea is not None:
            self.activated_idea.emit(idea.id)
            event.accept()
            return
        if key == Qt.Key.Key_Delete:
            self.discard_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def _activate(self, index: QModelIndex) -> None:
        idea = self.ideas_model().idea_at(index)
        if idea is not None:
            self.activated_idea.emit(idea.id)


class IdeasPageLayout:
    """Builds the Ideas page's widgets into ``self`` (a QWidget) and shows an idea's detail."""

    ideas_list: IdeasList
    detail: SafeTextBrowser
    feeds_panel: FeedsPanel
    new_button: QPushButton
    edit_button: QPushButton
    draft_button: QPushButton
    discard_button: QPushButton
    restore_button: QPushButton
    more_button: QPushButton
    state_combo: QComboBox
    source_combo: QComboBox
    search_edit: QLineEdit
    count_label: QLabel
    empty_label: QLabel

    def build(
        self, ctx: AppContext, runner: TaskRunner, model: IdeasModel, states: list[str]
    ) -> None:
        page = self
        assert isinstance(page, QWidget)
        self.ideas_list = IdeasList(model, page)
        self.detail = SafeTextBrowser(page)
        self.detail.setObjectName("ideaDetail")
        self.detail.setAccessibleName("Selected idea")
        self.feeds_panel = FeedsPanel(ctx, runner, page)
        self._buttons(page)
        self._filters(states)
        self.count_label = QLabel()
        self.count_label.setObjectName("ideasCount")
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setWordWrap(True)
        self.empty_label.setObjectName("ideasEmpty")
        self.more_button = QPushButton("Show &more")
        self.more_button.setAccessibleName("Show more ideas")
        self.more_button.hide()
        self._arrange(page)

    def _buttons(self, page: QWidget) -> None:
        self.new_button = QPushButton("&New idea")
        self.new_button.setToolTip("Type in an idea for the bin (Ctrl+Shift+N)")
        shortcut = QShortcut(QKeySequence("Ctrl+Shift+N"), page)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.new_button.click)
        self.edit_button = QPushButton("&Edit")
        self.edit_button.setToolTip("Edit the selected idea (Enter)")
        self.draft_button = QPushButton("Make &draft")
        self.draft_button.setToolTip(
            "Make the selected idea a draft post and open it (Ctrl+Return); or drag it onto "
            "the calendar"
        )
        self.discard_button = QPushButton("Dis&card")
        self.discard_button.setToolTip("Set the selected ideas aside (Delete)")
        self.restore_button = QPushButton("Res&tore")
        self.restore_button.setToolTip("Bring the selected ideas back among the new ones")
        for button, name in (
            (self.new_button, "New idea"),
            (self.edit_button, "Edit idea"),
            (self.draft_button, "Make draft"),
            (self.discard_button, "Discard idea"),
            (self.restore_button, "Restore idea"),
        ):
            button.setAccessibleName(name)
        search = QShortcut(QKeySequence.StandardKey.Find, page)
        search.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        search.activated.connect(lambda: self.search_edit.setFocus())

    def _filters(self, states: list[str]) -> None:
        self.state_combo = QComboBox()
        self.state_combo.addItems(states)
        self.state_combo.setAccessibleName("Show ideas in state")
        self.source_combo = QComboBox()
        self.source_combo.setAccessibleName("Show ideas from")
        self.source_combo.setMinimumContentsLength(14)
        self.source_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search ideas (Ctrl+F)")
        self.search_edit.setAccessibleName("Search ideas")
        self.search_edit.setClearButtonEnabled(True)

    def _arrange(self, page: QWidget) -> None:
        filters = QHBoxLayout()
        for text, widget in (("&State", self.state_combo), ("S&ource", self.source_combo)):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label)
            filters.addWidget(widget)
        filters.addWidget(self.search_edit, 1)
        filters.addWidget(self.count_label)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(filters)
        left_layout.addWidget(self.empty_label)
        left_layout.addWidget(self.ideas_list, 1)
        left_layout.addWidget(self.more_button)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.detail)
        right.addWidget(self.feeds_panel)
        right.setSizes([300, 300])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setChildrenCollapsible(False)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(self._toolbar())
        layout.addWidget(split, 1)
        self.ideas_list.setMinimumSize(QSize(280, 200))

    def _toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        for button in (
            self.new_button,
            self.edit_button,
            self.draft_button,
            self.discard_button,
            self.restore_button,
        ):
            bar.addWidget(button)
        bar.addStretch(1)
        return bar

    def show_detail(self, idea: IdeaDTO | None, selected: int, model: IdeasModel) -> None:
        """The selected idea in the detail pane (its link is only followed when clicked)."""
        if idea is None:
            text = f"{selected} ideas selected." if selected > 1 else "Select an idea to read it."
            self.detail.setHtml(f"<p>{text}</p>")
            return
        source = html.escape(idea.feed_title or "Typed in")
        parts = [
            f"<h3>{html.escape(idea.title)}</h3>",
            f"<p><i>{source} · {model.date_text(idea.date)} · {idea.state.label}</i></p>",
        ]
        if idea.link:
            link = html.escape(idea.link, quote=True)
            parts.append(f'<p><a href="{link}">{html.escape(idea.link)}</a></p>')
        for paragraph in idea.text.split("\n\n"):
            parts.append("<p>" + html.escape(paragraph).replace("\n", "<br>") + "</p>")
        if idea.post_id is not None:
            parts.append(f"<p><i>Made into post {idea.post_id}.</i></p>")
        self.detail.setHtml("".join(parts))
