"""The Listening tab of the Inbox page: saved searches and the posts they found.

Left, the saved searches of the workspace ("All searches" first), each with how many posts it
found and, when it finds nothing for a reason (search not available on a Mastodon server, a
query Bluesky refused), that reason under the list. Below them, a form adds a search: the channel
to search through, a hashtag or words, and Add; Remove forgets the selected search. Sync now reads
the searches on the task runner (the poller also reads them every ``inbox_poll_minutes``).

Middle, the posts found, newest first, a page at a time: scrolling to the end (or Show more)
reads the next page on the task runner. Old posts are pruned by the housekeeper
(:mod:`cmdesk.listening.upkeep`). Right, the selected post, rendered like an inbox item in
a browser that loads nothing; a link opens in the web browser only when clicked, and "Open
original" opens the post itself. Listened posts are never unread inbox items.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import ConversationEntry, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.listening.dto import ListenedPostDTO, SavedSearchDTO, SearchKind
from cmdesk.services.listening import POST_KIND, SEARCH_KIND
from ui.errors import show_error
from ui.tasks import TaskRunner
from ui.views.inbox_conversation import SafeTextBrowser, _colors, _web
from ui.views.inbox_render import _entry_html
from ui.views.listening_model import ListeningModel

LISTENABLE = ("mastodon", "bluesky")
_EMPTY = (
    "<p>Listening follows a hashtag or words on Mastodon and Bluesky, beyond the replies and "
    "mentions in the inbox.</p><p>Add a search on the left; Sync now reads it.</p>"
)
RELEVANT_KINDS = {SEARCH_KIND, POST_KIND, "channel", "workspace"}


class ListeningPanel(QWidget):
    """Saved searches and their results (see the module docstring).

    Signals:
        synced(object): a Sync now finished, with the new posts per search id.
    """

    synced = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("listeningPanel")
        self.setAccessibleName("Listening")
        self.ctx = ctx
        self.runner = runner
        self.open_url = open_url
        self.workspace: WorkspaceDTO | None = None
        self._searches: list[SavedSearchDTO] = []
        self._syncing = False
        self.model = ListeningModel(self)
        self._build()

    # --- building ----------------------------------------------------------------------------

    def _build(self) -> None:
        self.searches = QListWidget(self)
        self.searches.setAccessibleName("Saved searches")
        self.searches.currentRowChanged.connect(lambda _row: self._load_results())
        self.note = QLabel(self)
        self.note.setObjectName("listeningNote")
        self.note.setWordWrap(True)
        self.channel = QComboBox(self)
        self.channel.setAccessibleName("Channel to search through")
        self.kind = QComboBox(self)
        self.kind.setAccessibleName("Kind of search")
        self.kind.addItem("Hashtag", SearchKind.HASHTAG.value)
        self.kind.addItem("Words", SearchKind.QUERY.value)
        self.text = QLineEdit(self)
        self.text.setAccessibleName("Hashtag or words to search for")
        self.text.setPlaceholderText("#hashtag or words")
        self.text.returnPressed.connect(self.add_search)
        self.add_button = QPushButton("&Add", self)
        self.add_button.setAccessibleName("Add this saved search")
        self.add_button.clicked.connect(self.add_search)
        self.remove_button = QPushButton("&Remove", self)
        self.remove_button.setAccessibleName("Remove the selected saved search")
        self.remove_button.clicked.connect(self.remove_search)
        self.sync_button = QPushButton("Sync now", self)
        self.sync_button.setAccessibleName("Read the saved searches now")
        self.sync_button.setShortcut(QKeySequence("Ctrl+F5"))
        self.sync_button.clicked.connect(self.sync_now)
        self.sync_message = QLabel(self)
        self.results = QListView(self)
        self.results.setAccessibleName("Posts found")
        self.results.setModel(self.model)
        self.results.setWordWrap(True)
        self.results.setUniformItemSizes(True)
        self.results.setAlternatingRowColors(True)
        self.results.setSpacing(2)
        self.results.selectionModel().currentChanged.connect(lambda *_: self._show_current())
        self.more_button = QPushButton("Show more", self)
        self.more_button.setAccessibleName("Show older posts found")
        self.more_button.clicked.connect(lambda: self.model.fetchMore())
        self.shown = QLabel(self)
        self.shown.setObjectName("listeningShown")
        self.model.paging_changed.connect(self._paging_changed)
        self.viewer = SafeTextBrowser(self)
        self.viewer.setAccessibleName("The selected post")
        self.viewer.anchorClicked.connect(self._link_clicked)
        self.open_button = QPushButton("Open original", self)
        self.open_button.setAccessibleName("Open the selected post in the web browser")
        self.open_button.clicked.connect(self._open_original)
        self._lay_out()

    def _lay_out(self) -> None:
        form = QHBoxLayout()
        form.addWidget(self.kind)
        form.addWidget(self.text, 1)
        left = QWidget(self)
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("Saved searches", left)
        heading.setObjectName("sectionTitle")
        column.addWidget(heading)
        column.addWidget(self.searches, 1)
        column.addWidget(self.note)
        column.addWidget(self.channel)
        column.addLayout(form)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        column.addLayout(buttons)
        right = QWidget(self)
        pane = QVBoxLayout(right)
        pane.setContentsMargins(0, 0, 0, 0)
        pane.addWidget(self.viewer, 1)
        pane.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignRight)
        middle = QWidget(self)
        found = QVBoxLayout(middle)
        found.setContentsMargins(0, 0, 0, 0)
        found.addWidget(self.results, 1)
        more = QHBoxLayout()
        more.addWidget(self.shown, 1)
        more.addWidget(self.more_button)
        found.addLayout(more)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for w, stretch in ((left, 2), (middle, 3), (right, 3)):
            self.splitter.addWidget(w)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        top = QHBoxLayout()
        top.addStretch(1)
        top.addWidget(self.sync_message)
        top.addWidget(self.sync_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

    # --- loading -----------------------------------------------------------------------------

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        """Read the searches, the channels and the results again, keeping the selection."""
        ws = self.workspace
        chosen = self.current_search_id()
        self._searches = self.ctx.listening.list_searches(ws.id) if ws else []
        self._fill_channels()
        self.searches.blockSignals(True)
        self.searches.clear()
        all_item = QListWidgetItem("All searches")
        all_item.setData(Qt.ItemDataRole.UserRole, None)
        self.searches.addItem(all_item)
        row = 0
        for i, s in enumerate(self._searches, start=1):
            item = QListWidgetItem(f"{s.label} — {s.channel_name} ({s.result_count})")
            item.setData(Qt.ItemDataRole.UserRole, s.id)
            item.setToolTip(s.note or f"{s.label} on {s.channel_name}")
            self.searches.addItem(item)
            if s.id == chosen:
                row = i
        self.searches.setCurrentRow(row)
        self.searches.blockSignals(False)
        self._load_results()

    def _fill_channels(self) -> None:
        current = self.channel.currentData()
        self.channel.clear()
        ws = self.workspace
        channels = self.ctx.channels.list(ws.id) if ws else []
        for c in channels:
            if not c.removed and c.network in LISTENABLE:
                label = c.name if c.network in c.name.lower() else f"{c.name} ({c.network.title()})"
                self.channel.addItem(label, c.id)
        found = self.channel.findData(current)
        self.channel.setCurrentIndex(max(found, 0))
        usable = self.channel.count() > 0
        for w in (self.channel, self.kind, self.text, self.add_button):
            w.setEnabled(usable and ws is not None)
        if not usable:
            self.text.setPlaceholderText("Connect a Mastodon or Bluesky channel to listen")

    def current_search_id(self) -> int | None:
        item = self.searches.currentItem()
        value = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return int(value) if value is not None else None

    def _load_results(self) -> None:
        ws = self.workspace
        sid = self.current_search_id()
        if ws is None:
            self.model.set_posts([])
        else:
            wid, listening = ws.id, self.ctx.listening
            self.model.load(
                lambda limit, before: listening.list_results(wid, sid, limit=limit, before=before),
                ws.timezone,
                self.runner,
            )
        posts = self.model.rowCount() > 0
        search = next((s for s in self._searches if s.id == sid), None)
        self.note.setText(search.note if search is not None else "")
        self.note.setVisible(bool(self.note.text()))
        self.remove_button.setEnabled(search is not None)
        if posts:
            self.results.setCurrentIndex(self.model.index(0))
        self._show_current()

    def _paging_changed(self) -> None:
        n = self.model.rowCount()
        busy = self.model.fetching
        self.more_button.setVisible(self.model.canFetchMore() or busy)
        self.more_button.setEnabled(not busy)
        noun = "post" if n == 1 else "posts"
        if busy:
            text = "Reading older posts…"
        elif self.model.canFetchMore():
            text = f"The newest {n} posts"
        else:
            text = f"{n} {noun}" if n else ""
        self.shown.setText(text)

    def current_post(self) -> ListenedPostDTO | None:
        index = self.results.currentIndex()
        return self.model.post(index.row()) if index.isValid() else None

    def _show_current(self) -> None:
        post = self.current_post()
        self.open_button.setEnabled(post is not None and _web(post.remote_url) is not None)
        if post is None:
            self.viewer.setHtml(_EMPTY if not self._searches else "<p>No posts found yet.</p>")
            return
        self.viewer.setHtml(_post_html(post, self.workspace, self))

    # --- actions -----------------------------------------------------------------------------

    def add_search(self) -> None:
        ws, cid = self.workspace, self.channel.currentData()
        if ws is None or cid is None:
            return
        try:
            sid = self.ctx.listening.add(
                ws.id, int(cid), str(self.kind.currentData()), self.text.text()
            )
        except UserError as exc:
            self.sync_message.setText(str(exc))
            return
        self.text.clear()
        self.reload()
        self.select_search(sid)

    def select_search(self, search_id: int) -> bool:
        for row in range(self.searches.count()):
            if self.searches.item(row).data(Qt.ItemDataRole.UserRole) == search_id:
                self.searches.setCurrentRow(row)
                return True
        return False

    def remove_search(self) -> None:
        sid = self.current_search_id()
        if sid is None:
            return
        try:
            self.ctx.listening.remove(sid)
        except Exception as exc:
            show_error(self, exc)
        self.reload()

    def sync_now(self) -> None:
        ws = self.workspace
        if ws is None or self._syncing:
            return
        self._syncing = True
        self.sync_button.setEnabled(False)
        self.sync_message.setText("Reading the saved searches…")
        wid = ws.id
        self.runner.run(
            lambda: self.ctx.listening.sync(workspace_id=wid),
            self._synced,
            self._sync_failed,
            name="listening sync",
        )

    def _synced(self, counts: dict[int, int]) -> None:
        self._sync_done()
        total = sum(counts.values())
        self.sync_message.setText(f"{total} new" if total else "Nothing new")
        self.reload()
        self.synced.emit(counts)

    def _sync_failed(self, exc: BaseException) -> None:
        self._sync_done()
        if isinstance(exc, UserError):
            self.sync_message.setText(str(exc))
        else:
            self.sync_message.setText("")
            show_error(self, exc)

    def _sync_done(self) -> None:
        self._syncing = False
        self.sync_button.setEnabled(True)

    def _open_original(self) -> None:
        post = self.current_post()
        url = _web(post.remote_url) if post is not None else None
        if url is not None:
            self.open_url(url)

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme().lower() in ("http", "https"):
            self.open_url(url)


def _post_html(post: ListenedPostDTO, ws: WorkspaceDTO | None, widget: QWidget) -> str:
    entry = ConversationEntry(
        remote_id=post.remote_id,
        author_handle=post.author_handle,
        author_name=post.author_name,
        text=post.text,
        safe_html=post.safe_html,
        created_at=post.created_at,
        is_ours=False,
    )
    zone = ws.timezone if ws else "UTC"
    found_by = html.escape(f"Found by {post.search_label} on {post.channel_name}", quote=False)
    heading = f"<p>{found_by}</p>"
    return heading + _entry_html(entry, True, zone, _colors(widget.palette()), post.network)
