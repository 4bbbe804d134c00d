"""The Inbox page: replies, mentions, quotes and direct messages from every channel, answered here.

Left, the list of items across the workspace's channels, newest first, filtered by text, channel,
kind and state (loaded a page at a time, so 50,000 items open as fast as 50). Right, the
conversation of the current item (our post it answers and the thread around it, fetched off the
GUI thread) and a reply box that counts as the item's network does.

Actions work on one or many selected items: Mark read (Shift+I), Mark unread (U), Done (E) and
Undone (Shift+E, back to read); R moves to the reply box. An item that stays selected for two
seconds is marked read, so glancing through the list with the arrow keys does not. A reload keeps
the person's place in the list (:mod:`ui.views.inbox_place`). Sync now (F5)
polls the channels on the task runner. The page says how many items are new through
:attr:`InboxPage.unread_changed`; :func:`unread_count` gives the same number to the window's
navigation badge without building the page.

A second tab, Listening (:mod:`ui.views.listening_page`), holds the saved searches and the posts
they found; those are never inbox items and never counted as new.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, InboxFilter, InboxItemDTO, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.services.composer import ChannelCheck
from cmdesk.status import InboxState
from cmdesk.timeutil import utc_to_local
from ui.errors import show_error
from ui.models.inbox import InboxModel
from ui.tasks import TaskRunner
from ui.views.inbox_conversation import ConversationPane
from ui.views.inbox_filter_bar import NOT_DONE, InboxFilterBar
from ui.views.inbox_list import InboxListView
from ui.views.inbox_place import capture, load_rows, restore
from ui.views.inbox_reply import ReplyBox
from ui.views.inbox_sync import SyncControl
from ui.views.listening_page import RELEVANT_KINDS, ListeningPanel
from ui.views.page import PlanPage

_RELEVANT = {"inbox_item", "channel", "workspace"} | RELEVANT_KINDS
_EMPTY_INBOX = (
    "Replies, mentions and direct messages from this workspace's channels gather here, so that "
    "none of them waits unanswered.\n\nNothing is waiting. Sync now asks the channels for what "
    "is new."
)
_NO_MATCH = "Nothing matches these filters."
PREFETCH_SCREENS = 3


def unread_count(ctx: AppContext, workspace_id: int) -> int:
    """How many items of the workspace are new (for the navigation badge: "Inbox (3)")."""
    return ctx.inbox.count_unread(workspace_id)


class InboxPage(PlanPage):
    """The inbox (see the module docstring).

    Signals:
        unread_changed(int): the number of new items after each reload.
        edit_requested(int): (from PlanPage) open our post an item answers in the composer.
        new_post_requested(object): (from PlanPage) not emitted here.
    """

    unread_changed = Signal(int)

    title = "Inbox"
    #: How long an item stays selected before it is marked read.
    MARK_READ_MS = 2000

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inboxPage")
        self.setAccessibleName("Inbox")
        self.ctx = ctx
        self.runner = runner
        self._channels: dict[int, ChannelDTO] = {}
        self._restoring = False
        self._from_top = False  # the next reload starts at the newest item (a new filter)
        self.model = InboxModel(self)
        self.model.set_source(ctx.inbox)
        self.model.set_runner(runner)
        self.filter_bar = InboxFilterBar(self)
        self.filter_bar.filter_changed.connect(self._filter_changed)
        self.model.set_filter(self.filter_bar.current())
        self.list = self._make_list()
        self.conversation = ConversationPane(
            runner, lambda item_id: self.ctx.inbox.conversation(item_id), self, open_url=open_url
        )
        self.conversation.post_requested.connect(self.edit_requested)
        self.reply_box = ReplyBox(
            runner, lambda item_id, text: self.ctx.inbox.reply(item_id, text), self._check, self
        )
        self.reply_box.sent.connect(self._reply_sent)
        self.sync = SyncControl(
            runner, lambda cid: self.ctx.inbox.sync(cid), self._sync_scope, self
        )
        self.sync.synced.connect(self.refresh)
        self.sync_button, self.sync_message = self.sync.button, self.sync.message
        self.addAction(self.sync.action)
        self._mark_read_timer = QTimer(self)
        self._mark_read_timer.setSingleShot(True)
        self._mark_read_timer.timeout.connect(self._mark_current_read)
        self.listening = ListeningPanel(ctx, runner, self, open_url=open_url)
        self._listening_stale = True
        self._lay_out()
        self._selection_changed()

    # --- building --------------------------------------------------------------------------

    def _make_list(self) -> InboxListView:
        view = InboxListView(self.model, self)
        view.activated.connect(lambda _index: self.focus_reply())
        view.verticalScrollBar().valueChanged.connect(self._prefetch)
        selection = view.selectionModel()
        selection.currentChanged.connect(lambda *_: self._current_changed())
        selection.selectionChanged.connect(lambda *_: self._selection_changed())
        self.read_action, self.unread_action = view.read_action, view.unread_action
        self.done_action, self.undone_action = view.done_action, view.undone_action
        self.reply_action = view.reply_action
        self.read_action.triggered.connect(lambda: self.mark(InboxState.READ))
        self.unread_action.triggered.connect(lambda: self.mark(InboxState.NEW))
        self.done_action.triggered.connect(lambda: self.mark(InboxState.DONE))
        self.undone_action.triggered.connect(lambda: self.mark(InboxState.READ, undone=True))
        self.reply_action.triggered.connect(self.focus_reply)
        return view

    def _button(self, action: QAction, name: str) -> QToolButton:
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setAccessibleName(name)
        return button

    def _lay_out(self) -> None:
        heading = QLabel("Inbox", self)
        heading.setObjectName("pageTitle")
        self.unread_label = QLabel(self)
        self.unread_label.setObjectName("inboxUnread")
        top = QHBoxLayout()
        for w in (heading, self.unread_label):
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.sync)
        actions = QHBoxLayout()
        self.read_button = self._button(self.read_action, "Mark the selected items read")
        self.unread_button = self._button(self.unread_action, "Mark the selected items unread")
        self.done_button = self._button(self.done_action, "Mark the selected items done")
        self.undone_button = self._button(self.undone_action, "Mark the selected items not done")
        for b in (self.read_button, self.unread_button, self.done_button, self.undone_button):
            actions.addWidget(b)
        actions.addStretch(1)
        self.empty_label = QLabel(self)
        self.empty_label.setObjectName("emptyState")
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.list)
        self.stack.addWidget(self.empty_label)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(actions)
        column.addWidget(self.stack, 1)
        right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.conversation)
        right.addWidget(self.reply_box)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        inbox_tab = QWidget(self)
        inbox_column = QVBoxLayout(inbox_tab)
        inbox_column.setContentsMargins(0, 0, 0, 0)
        inbox_column.addWidget(self.filter_bar)
        inbox_column.addWidget(self.splitter, 1)
        # Listened posts are not inbox items: their own tab, never in the filters or the count.
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Inbox or Listening")
        self.tabs.addTab(inbox_tab, "&Inbox")
        self.tabs.addTab(self.listening, "&Listening")
        self.tabs.currentChanged.connect(lambda _i: self._tab_changed())
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

    # --- loading ---------------------------------------------------------------------------

    def relevant(self, changes: ChangeSet) -> bool:
        return any(
            kind in _RELEVANT for kind, _ in changes.created | changes.updated | changes.deleted
        )

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        if workspace is None or self.workspace is None or workspace.id != self.workspace.id:
            self.filter_bar.set_channels(())  # a channel of another workspace filters nothing
            self.model.clear()
        super().set_workspace(workspace)

    def reload(self) -> None:
        ws = self.workspace
        if ws is None:
            self._channels = {}
            self.model.set_context(None, "UTC", self.ctx.clock.now().date(), ())
            self._load()
            self._listening_stale = True
            self._tab_changed()
            return
        channels = [c for c in self.ctx.channels.list(ws.id) if not c.removed]
        self._channels = {c.id: c for c in channels}
        self.filter_bar.set_channels(channels)
        self.model.set_filter(self.filter_bar.current())
        today = utc_to_local(self.ctx.clock.now(), ws.timezone).date()
        self.model.set_context(ws.id, ws.timezone, today, channels)
        self.conversation.set_zone(ws.timezone)
        self._load()
        self._listening_stale = True
        self._tab_changed()

    def _tab_changed(self) -> None:
        """The Listening tab loads when it is shown, and again after changes while it shows."""
        listening = self.tabs.currentWidget() is self.listening
        self.sync.setVisible(not listening)
        if listening and self._listening_stale:
            self._listening_stale = False
            self.listening.set_workspace(self.workspace)

    def _load(self) -> None:
        """Read the list again, keeping the selection, the current item and the place."""
        place = None if self._from_top else capture(self.list, self.model)
        self._from_top = False
        self._restoring = True
        try:
            self.model.reload(keep=self.model.rowCount() if place is not None else 0)
            if place is not None:
                restore(self.list, self.model, place)
        finally:
            self._restoring = False
        self._show_empty_state()
        self._current_changed()
        self._selection_changed()
        self._update_unread()

    def _show_empty_state(self) -> None:
        if self.workspace is None:
            self.empty_label.setText("Choose or create a workspace to see its inbox.")
        elif self.model.filter in (InboxFilter(states=NOT_DONE), InboxFilter()):
            self.empty_label.setText(_EMPTY_INBOX)
        else:
            self.empty_label.setText(_NO_MATCH)
        self.stack.setCurrentWidget(self.list if self.model.rowCount() else self.empty_label)

    def _update_unread(self) -> None:
        count = unread_count(self.ctx, self.workspace.id) if self.workspace is not None else 0
        self.unread_label.setText(f"{count} new" if count else "")
        self.unread_changed.emit(count)

    def _filter_changed(self, f: InboxFilter) -> None:
        self.model.set_filter(f)
        self._from_top = True
        self.refresh()

    # --- selection -------------------------------------------------------------------------

    def current_item(self) -> InboxItemDTO | None:
        index = self.list.currentIndex()
        return self.model.row_item(index.row()) if index.isValid() else None

    def selected_items(self) -> list[InboxItemDTO]:
        rows = sorted(i.row() for i in self.list.selectionModel().selectedRows())
        return self.model.items(rows)

    def select_item(self, item_id: int) -> bool:
        """Make ``item_id`` the current, only selected item (False if it is not loaded)."""
        row = self.model.row_of(item_id)
        if row is None:
            return False
        self.list.setCurrentIndex(self.model.index(row))
        return True

    def show_items(self, item_ids: Sequence[int]) -> None:
        """Open the inbox at these items (a notification's click): all selected, first current.

        Filters that would hide them are cleared first; items not found (deleted, or of another
        workspace) are skipped.
        """
        self.tabs.setCurrentIndex(0)  # the items are in the Inbox tab, not in Listening
        if self._stale:
            self.refresh()
        wanted = list(dict.fromkeys(item_ids))
        if any(self.model.row_of(i) is None for i in wanted) and self.filter_bar.reset():
            self._from_top = True
            self.refresh()
        found = load_rows(self.model, wanted)
        if not found:
            return
        flags = QItemSelectionModel.SelectionFlag
        self.list.setCurrentIndex(self.model.index(found[0]))
        for row in found[1:]:
            self.list.selectionModel().select(self.model.index(row), flags.Select)
        self.list.scrollTo(self.model.index(found[0]))
        self.list.setFocus(Qt.FocusReason.OtherFocusReason)

    def _current_changed(self) -> None:
        if self._restoring:
            return
        item = self.current_item()
        self.conversation.show_item(item)
        self.reply_box.set_item(item, self._channels.get(item.channel_id) if item else None)
        self._mark_read_timer.stop()
        if item is not None and item.state == InboxState.NEW:
            self._mark_read_timer.start(self.MARK_READ_MS)

    def _selection_changed(self) -> None:
        if self._restoring:
            return
        states = {i.state for i in self.selected_items()}
        self.read_action.setEnabled(InboxState.NEW in states)
        self.unread_action.setEnabled(bool(states - {InboxState.NEW}))
        self.done_action.setEnabled(bool(states - {InboxState.DONE}))
        self.undone_action.setEnabled(InboxState.DONE in states)
        self.reply_action.setEnabled(self.current_item() is not None)

    def _prefetch(self, value: int) -> None:
        # The next page is asked for a few screens before the end, not when the end shows.
        bar = self.list.verticalScrollBar()
        if value >= bar.maximum() - PREFETCH_SCREENS * bar.pageStep():
            self.model.fetchMore()

    def focus_reply(self) -> None:
        if self.current_item() is not None:
            self.reply_box.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # --- actions ---------------------------------------------------------------------------

    def mark(self, state: InboxState, *, undone: bool = False) -> None:
        """Give the selected items ``state``; Undone only touches the done ones."""
        items = self.selected_items()
        if undone:
            items = [i for i in items if i.state == InboxState.DONE]
        ids = [i.id for i in items if i.state != state]
        if not ids:
            return
        self._mark_read_timer.stop()
        try:
            self.ctx.inbox.set_state(ids, state)
        except Exception as exc:
            show_error(self, exc)
        self.refresh()

    def _mark_current_read(self) -> None:
        item = self.current_item()
        if item is None or item.state != InboxState.NEW or not self.isVisible():
            return
        try:
            self.ctx.inbox.set_state([item.id], InboxState.READ)
        except UserError:
            return  # gone meanwhile: the next reload says so
        self.refresh()

    def _reply_sent(self, item_id: int) -> None:
        self.conversation.forget(item_id)
        self.refresh()
        current = self.conversation.item
        if current is not None and current.id == item_id:
            self.conversation.reload()

    def _check(self, channel: ChannelDTO, text: str) -> ChannelCheck:
        return self.ctx.composer.check(channel, [text])

    def _sync_scope(self) -> tuple[int | None, set[int]]:
        """The channel the list is filtered to (None: every channel) and this workspace's."""
        channel = self.filter_bar.channel.currentData()
        return (int(channel) if channel is not None else None), set(self._channels)
