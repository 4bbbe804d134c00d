"""The Feeds panel of the Ideas page: subscribe, read now, pause, remove; each feed's last error.

Feeds are read on the task runner, never on the GUI thread: a new feed is stored at once and
read right after (a web page that names its feed gets "subscribe to that instead?"), "Refresh"
reads the selected feed and "Refresh all" every active one. The housekeeper also reads them every
``feed_refresh_minutes``. Each row shows the feed's name, how many of its ideas are new and when
it was last read; a feed whose last read failed is marked, and the selected feed's error is
written out under the list.
"""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.planning.ideas_dto import FeedDTO, FeedRefresh
from ui.errors import show_error
from ui.tasks import TaskRunner

FEED_ROLE = Qt.ItemDataRole.UserRole + 1
#: Asks a yes/no question (title, text); replaced in tests.
Confirm = Callable[[QWidget, str, str], bool]


def ask(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class FeedsPanel(QGroupBox):
    """Subscribed feeds of the workspace (see the module docstring).

    Signals:
        refreshed(object): a read finished, with its list of ``FeedRefresh``.
        changed(): feeds were added, paused, resumed, removed or read here (ideas may differ).
    """

    refreshed = Signal(object)
    changed = Signal()

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("Feeds", parent)
        self.setObjectName("feedsPanel")
        self.setAccessibleName("Feeds")
        self.ctx = ctx
        self.runner = runner
        self.confirm: Confirm = ask
        self.workspace: WorkspaceDTO | None = None
        self._feeds: list[FeedDTO] = []
        self.list = QListWidget()
        self.list.setObjectName("feedsList")
        self.list.setAccessibleName("Subscribed feeds")
        self.list.setWordWrap(True)
        self.list.setSpacing(3)
        self.error_label = QLabel()
        self.error_label.setObjectName("feedError")
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.url_edit = QLineEdit()
        self.url_edit.setAccessibleName("Feed address")
        self.url_edit.setPlaceholderText("https://example.com/feed.xml")
        self._make_buttons()
        self._layout()
        self.list.currentRowChanged.connect(lambda _row: self._update_buttons())
        self.url_edit.returnPressed.connect(self.add_feed)
        self.add_button.clicked.connect(self.add_feed)
        self.refresh_button.clicked.connect(self.refresh_selected)
        self.refresh_all_button.clicked.connect(self.refresh_all)
        self.pause_button.clicked.connect(self.toggle_pause)
        self.remove_button.clicked.connect(self.remove_selected)
        self._busy = 0
        self._update_buttons()

    def _make_buttons(self) -> None:
        self.add_button = QPushButton("&Add feed")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_all_button = QPushButton("Refresh a&ll")
        self.pause_button = QPushButton("&Pause")
        self.remove_button = QPushButton("Re&move")
        for button, name in (
            (self.add_button, "Add feed"),
            (self.refresh_button, "Refresh the selected feed"),
            (self.refresh_all_button, "Refresh all feeds"),
            (self.pause_button, "Pause or resume the selected feed"),
            (self.remove_button, "Remove the selected feed"),
        ):
            button.setAccessibleName(name)

    def _layout(self) -> None:
        add_row = QHBoxLayout()
        add_row.addWidget(self.url_edit, 1)
        add_row.addWidget(self.add_button)
        buttons = QHBoxLayout()
        for button in (
            self.refresh_button,
            self.refresh_all_button,
            self.pause_button,
            self.remove_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(add_row)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    # --- loading ----------------------------------------------------------------------------

    def set_workspace(self, workspace: WorkspaceDTO | None) -> None:
        self.workspace = workspace
        self.reload()

    def reload(self) -> None:
        current = self.current_feed()
        self._feeds = self.ctx.ideas.list_feeds(self.workspace.id) if self.workspace else []
        self.list.clear()
        for feed in self._feeds:
            item = QListWidgetItem(self._row_text(feed))
            item.setData(FEED_ROLE, feed.id)
            item.setToolTip(f"{feed.url}\n{feed.last_error}".strip())
            self.list.addItem(item)
            if current is not None and feed.id == current.id:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def _row_text(self, feed: FeedDTO) -> str:
        if feed.last_fetched_at is None:
            read = "not read yet"
        else:
            zone = self.workspace.timezone if self.workspace else "UTC"
            read = f"read {feed.last_fetched_at.astimezone(ZoneInfo(zone)):%d %b %H:%M}"
        flags = " (paused)" if not feed.is_active else ""
        mark = "⚠ " if feed.last_error else ""
        return f"{mark}{feed.label}{flags}\n{feed.new_count} new · {read}"

    def feeds(self) -> list[FeedDTO]:
        return list(self._feeds)

    def current_feed(self) -> FeedDTO | None:
        row = self.list.currentRow()
        if row < 0:
            return None
        fid = self.list.item(row).data(FEED_ROLE)
        return next((f for f in self._feeds if f.id == fid), None)

    def select_feed(self, feed_id: int) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).data(FEED_ROLE) == feed_id:
                self.list.setCurrentRow(row)

    def _update_buttons(self) -> None:
        feed = self.current_feed()
        has = feed is not None
        self.refresh_button.setEnabled(has and not self._busy)
        self.refresh_all_button.setEnabled(bool(self._feeds) and not self._busy)
        self.pause_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.pause_button.setText("Res&ume" if feed and not feed.is_active else "&Pause")
        self.add_button.setEnabled(self.workspace is not None)
        self.error_label.setText(feed.last_error if feed else "")
        self.error_label.setVisible(bool(feed and feed.last_error))

    # --- actions -----------------------------------------------------------------------------

    def add_feed(self) -> None:
        if self.workspace is None:
            return
        try:
            fid = self.ctx.ideas.subscribe(self.workspace.id, self.url_edit.text())
        except UserError as exc:
            show_error(self, exc)
            return  # the address stays in the field to be corrected
        self.url_edit.clear()
        self.reload()
        self.select_feed(fid)
        self.changed.emit()
        self._read([fid], offer_suggestion=True)

    def refresh_selected(self) -> None:
        feed = self.current_feed()
        if feed is not None:
            self._read([feed.id])

    def refresh_all(self) -> None:
        self._read([f.id for f in self._feeds if f.is_active])

    def toggle_pause(self) -> None:
        feed = self.current_feed()
        if feed is None:
            return
        try:
            self.ctx.ideas.set_active(feed.id, not feed.is_active)
        except UserError as exc:
            show_error(self, exc)
        self.reload()
        self.changed.emit()

    def remove_selected(self) -> None:
        feed = self.current_feed()
        if feed is None:
            return
        question = (
            f"Stop following “{feed.label}”? Its {feed.new_count} new ideas leave the bin; "
            "ideas already made into posts stay."
        )
        if not self.confirm(self, "Remove feed", question):
            return
        try:
            self.ctx.ideas.remove(feed.id)
        except UserError as exc:
            show_error(self, exc)
        self.reload()
        self.changed.emit()

    def _read(self, feed_ids: list[int], *, offer_suggestion: bool = False) -> None:
        if not feed_ids:
            return
        ideas = self.ctx.ideas

        def work() -> list[FeedRefresh]:
            return [ideas.refresh_feed(fid) for fid in feed_ids]

        def done(results: list[FeedRefresh]) -> None:
            self._set_busy(-1)
            self.reload()
            if offer_suggestion:
                self._offer(results)
            self.changed.emit()
            self.refreshed.emit(results)

        def failed(exc: BaseException) -> None:
            self._set_busy(-1)
            self.reload()
            show_error(self, exc)

        self._set_busy(1)
        self.runner.run(work, done, failed, name="read feeds")

    def _set_busy(self, delta: int) -> None:
        self._busy = max(0, self._busy + delta)
        self.setCursor(Qt.CursorShape.BusyCursor if self._busy else Qt.CursorShape.ArrowCursor)
        self._update_buttons()

    def _offer(self, results: list[FeedRefresh]) -> None:
        """A web page given for a feed: offer its feed's address instead."""
        for result in results:
            if not result.suggested_url or self.workspace is None:
                continue
            text = f"{result.error}\n\nFollow {result.suggested_url} instead?"
            if not self.confirm(self, "Use the site's feed?", text):
                continue
            try:
                self.ctx.ideas.remove(result.feed_id)
                fid = self.ctx.ideas.subscribe(self.workspace.id, result.suggested_url)
            except UserError as exc:
                show_error(self, exc)
                continue
            self.reload()
            self.select_feed(fid)
            self._read([fid])
