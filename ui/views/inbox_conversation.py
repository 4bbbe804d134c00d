"""The conversation pane of the inbox: our post, the thread around the selected item, and links.

The item itself is shown at once from its DTO; the thread around it is a network call
(``ctx.inbox.conversation``), so it runs on the :class:`~ui.tasks.TaskRunner` while the pane says
it is loading, and a failure (offline, deleted post) is said in the pane with a Retry button, the
item still readable. Threads already fetched are kept for the session.

What strangers wrote is shown in a :class:`SafeTextBrowser`: it never loads a resource (no remote
image, style sheet or font: a tracking pixel cannot tell anyone the message was read) and never
follows a link by itself. A click on a web link opens the browser through an injectable
``open_url``; a click on our post's link asks the window to open it in the composer.
"""

from __future__ import annotations

import html
import logging
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPalette
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from cmdesk.dto import Conversation, InboxItemDTO
from cmdesk.errors import UserError
from ui.models.inbox import KIND_LABELS, clean_line
from ui.tasks import Task, TaskRunner
from ui.views.inbox_render import POST_SCHEME, SAFE_SCHEMES, Colors, conversation_html

log = logging.getLogger(__name__)

#: Threads kept for the session, most recently shown last.
CACHE_SIZE = 50


class SafeTextBrowser(QTextBrowser):
    """A text browser that loads nothing and follows no link on its own.

    Signals: those of ``QTextBrowser`` (``anchorClicked(QUrl)`` carries every click).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        # Mastodon wraps every paragraph in <p>: tight margins keep a thread compact.
        self.document().setDefaultStyleSheet("p { margin-top: 2px; margin-bottom: 6px; }")
        #: Every resource the document asked for, refused (for tests and the curious).
        self.refused: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        # Images, style sheets, anything: a document of ours needs none, so every request is
        # refused, http and https above all (no remote image ever tells its sender anything).
        self.refused.append(name.toString() if isinstance(name, QUrl) else str(name))
        return None


def _colors(palette: QPalette) -> Colors:
    text = palette.color(QPalette.ColorRole.Text)
    base = palette.color(QPalette.ColorRole.Base)
    dark = base.lightness() < 128
    return Colors(
        text=text.name(),
        faded=palette.color(QPalette.ColorRole.PlaceholderText).name(),
        link=palette.color(QPalette.ColorRole.Link).name(),
        item_background="#223349" if dark else "#eaf1fb",
        ours_background=palette.color(QPalette.ColorRole.AlternateBase).name(),
    )


class ConversationPane(QWidget):
    """Shows one item's conversation (see the module docstring).

    Signals:
        post_requested(int): the person clicked our post's link: open it in the composer.
    """

    post_requested = Signal(int)

    def __init__(
        self,
        runner: TaskRunner,
        load: Callable[[int], Conversation],
        parent: QWidget | None = None,
        *,
        open_url: Callable[[QUrl], object] = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName("Conversation")
        self.runner = runner
        self._load = load
        self.open_url = open_url
        self._zone = "UTC"
        self._item: InboxItemDTO | None = None
        self._task: Task[Conversation] | None = None
        self._cache: OrderedDict[int, Conversation] = OrderedDict()
        #: "empty", "loading", "loaded" or "error": what the pane shows now (tests read it).
        self.state = "empty"
        self.heading = QLabel(self)
        self.heading.setObjectName("inboxHeading")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setStyleSheet("font-weight: 600;")
        self.original_button = QPushButton("Open original", self)
        self.original_button.setAccessibleName("Open the original post in the browser")
        self.original_button.clicked.connect(self._open_original)
        self.status = QLabel(self)
        self.status.setObjectName("inboxConversationStatus")
        self.status.setWordWrap(True)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setAccessibleName("Load the conversation again")
        self.retry_button.clicked.connect(self.reload)
        self.browser = SafeTextBrowser(self)
        self.browser.setAccessibleName("Conversation text")
        self.browser.anchorClicked.connect(self._link_clicked)
        self._lay_out()
        self.show_item(None)

    def _lay_out(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.original_button)
        status = QHBoxLayout()
        status.addWidget(self.status, 1)
        status.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(status)
        layout.addWidget(self.browser, 1)

    @property
    def item(self) -> InboxItemDTO | None:
        return self._item

    def set_zone(self, zone: str) -> None:
        self._zone = zone

    def show_item(self, item: InboxItemDTO | None) -> None:
        """Show ``item`` (None: nothing selected); fetch its thread unless already known."""
        same = item is not None and self._item is not None and item.id == self._item.id
        self._item = item
        if item is None:
            self._cancel()
            self.state = "empty"
            self.heading.setText("Select a reply, mention or message to read it here.")
            self.original_button.setVisible(False)
            self._set_status("")
            self.browser.clear()
            return
        self._set_heading(item)
        if same and self.state != "empty":
            # The same item again (the list reloaded after marking it read): keep what is shown.
            return
        self._cancel()
        cached = self._cache.get(item.id)
        if cached is not None:
            self._cache.move_to_end(item.id)
            self._loaded(item.id, cached)
            return
        self.reload()

    def forget(self, item_id: int) -> None:
        """Drop a kept thread (after our reply it has one more post)."""
        self._cache.pop(item_id, None)

    def reload(self) -> None:
        """Fetch the current item's thread again."""
        item = self._item
        if item is None:
            return
        self._cancel()
        self.state = "loading"
        self._set_status("Loading the conversation…")
        self._render(None)
        item_id = item.id
        self._task = self.runner.run(
            lambda: self._load(item_id),
            lambda conv: self._loaded(item_id, conv),
            lambda exc: self._failed(item_id, exc),
            name="inbox conversation",
        )

    def _cancel(self) -> None:
        if self._task is not None and not self._task.is_done:
            self._task.cancel()
        self._task = None

    def _loaded(self, item_id: int, conversation: Conversation) -> None:
        self._cache[item_id] = conversation
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        if self._item is None or self._item.id != item_id:
            return
        self.state = "loaded"
        self._set_status("")
        self._render(conversation)

    def _failed(self, item_id: int, exc: BaseException) -> None:
        if self._item is None or self._item.id != item_id:
            return
        if not isinstance(exc, UserError):
            log.error("loading an inbox conversation failed", exc_info=exc)
        message = exc.message if isinstance(exc, UserError) else "It could not be loaded."
        self.state = "error"
        self._set_status(f"The conversation around this item is not available. {message}")
        self.retry_button.setVisible(True)

    def _set_status(self, text: str) -> None:
        self.status.setText(text)
        self.status.setVisible(bool(text))
        self.retry_button.setVisible(False)

    def _set_heading(self, item: InboxItemDTO) -> None:
        kind = KIND_LABELS.get(item.kind, item.kind)
        author = clean_line(item.author_name, 80) or clean_line(item.author_handle, 80)
        self.heading.setText(f"{kind} from {author}")
        self.original_button.setVisible(_web(item.remote_url) is not None)

    def _render(self, conversation: Conversation | None) -> None:
        if self._item is None:
            return
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(
            conversation_html(self._item, conversation, self._zone, _colors(self.palette()))
        )
        self.browser.verticalScrollBar().setValue(scroll)

    def _open_original(self) -> None:
        url = _web(self._item.remote_url) if self._item is not None else None
        if url is not None:
            self.open_url(url)

    def _link_clicked(self, url: QUrl) -> None:
        if url.scheme() == POST_SCHEME:
            post_id = url.path()
            if post_id.isdigit():
                self.post_requested.emit(int(post_id))
        elif url.scheme().lower() in SAFE_SCHEMES:
            self.open_url(url)
        else:
            log.warning("ignored a link with scheme %r", html.escape(url.scheme()))


def _web(address: str) -> QUrl | None:
    url = QUrl(address)
    return url if url.isValid() and url.scheme().lower() in ("http", "https") else None
