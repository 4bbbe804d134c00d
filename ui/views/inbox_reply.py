"""The reply box under an inbox conversation: text, the network's own count, and Send.

The counter measures the text the way the item's network does and against the channel's limit
(``ctx.composer.check``: Mastodon counts a link as 23 characters, Bluesky counts graphemes), so
"480 / 500" means what the server will say; on Mastodon the author's handle, which the service
puts in front of a reply that lacks it so the author is notified, is counted too. Send (or
Ctrl+Enter) runs ``ctx.inbox.reply`` on the :class:`~ui.tasks.TaskRunner`; the service sends
it exactly once even if it is retried. A failure is said under the box and the text stays;
what is typed is kept per item while the person moves around the inbox, so nothing written is
lost by selecting another item.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.dto import ChannelDTO, InboxItemDTO
from cmdesk.errors import UserError
from cmdesk.events import ChangeSet
from cmdesk.inbox.replies import addressed
from cmdesk.services.composer import ChannelCheck
from ui.tasks import TaskRunner

log = logging.getLogger(__name__)

ERROR_STYLE = "color: #d93025;"
DONE_STYLE = "color: #1e7e34;"


class ReplyBox(QWidget):
    """Writes and sends a reply to the shown item (see the module docstring).

    Signals:
        sent(int): the reply to this item id went out.
    """

    sent = Signal(int)

    def __init__(
        self,
        runner: TaskRunner,
        reply: Callable[[int, str], ChangeSet],
        check: Callable[[ChannelDTO, str], ChannelCheck],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.runner = runner
        self._reply = reply
        self._check = check
        self._item: InboxItemDTO | None = None
        self._channel: ChannelDTO | None = None
        self._drafts: dict[int, str] = {}
        self._sending: int | None = None  # the item id whose reply is on its way
        self._over = False
        self.editor = QPlainTextEdit(self)
        self.editor.setAccessibleName("Reply")
        self.editor.setPlaceholderText("Write a reply… (Ctrl+Enter sends)")
        self.editor.setTabChangesFocus(True)
        self.editor.textChanged.connect(self._text_changed)
        self.counter = QLabel(self)
        self.counter.setObjectName("replyCounter")
        self.counter.setAccessibleName("Length of the reply")
        self.message = QLabel(self)
        self.message.setObjectName("replyMessage")
        self.message.setWordWrap(True)
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("primaryButton")
        self.send_button.setAccessibleName("Send the reply")
        self.send_button.setToolTip("Send the reply (Ctrl+Enter)")
        self.send_button.clicked.connect(self.send)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            shortcut = QShortcut(QKeySequence(keys), self.editor)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(self.send)
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.counter)
        row.addWidget(self.send_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.editor, 1)
        layout.addLayout(row)
        self.set_item(None, None)

    @property
    def text(self) -> str:
        return self.editor.toPlainText()

    def set_item(self, item: InboxItemDTO | None, channel: ChannelDTO | None) -> None:
        """Answer ``item`` on ``channel`` now; the text typed for the previous item is kept."""
        if self._item is not None and (item is None or item.id != self._item.id):
            self._keep_draft()
        changed = item is None or self._item is None or item.id != self._item.id
        self._item, self._channel = item, channel
        if changed:
            self._show_message("")
            self.editor.blockSignals(True)
            self.editor.setPlainText(self._drafts.get(item.id, "") if item is not None else "")
            self.editor.blockSignals(False)
        self.editor.setEnabled(item is not None)
        self._text_changed()

    def _keep_draft(self) -> None:
        if self._item is None:
            return
        if self.text.strip():
            self._drafts[self._item.id] = self.text
        else:
            self._drafts.pop(self._item.id, None)

    def _text_changed(self) -> None:
        self._over = False
        if self._item is None or self._channel is None:
            self.counter.setText("")
        else:
            try:
                verdict = self._check(self._channel, self._body())
            except Exception:  # a counter must never stop anyone typing
                log.exception("measuring a reply failed")
                self.counter.setText("")
            else:
                self._over = verdict.over_limit
                limit = f" / {verdict.limit}" if verdict.limit else ""
                self.counter.setText(f"{verdict.count}{limit}")
                self.counter.setToolTip(f"Counted as {verdict.network} counts ({verdict.unit})")
                self.counter.setStyleSheet(ERROR_STYLE if self._over else "")
        self._update_button()

    def _body(self) -> str:
        """The text as it will go out (a Mastodon reply starts with the author's handle)."""
        text = self.text.strip()
        return addressed(self._item, text) if self._item is not None and text else text

    def _update_button(self) -> None:
        sending = self._sending is not None
        self.send_button.setText("Sending…" if sending else "Send")
        self.send_button.setEnabled(
            self._item is not None and bool(self.text.strip()) and not (self._over or sending)
        )
        self.editor.setReadOnly(sending)

    def send(self) -> None:
        """Send the text as a reply to the shown item (on the task runner)."""
        item = self._item
        if item is None or self._sending is not None:
            return
        text = self.text
        if not text.strip():
            self._show_message("Write something first.", error=True)
            return
        if self._over:
            self._show_message(
                f"Too long for {self._network_name()}: shorten it first.", error=True
            )
            return
        self._drafts[item.id] = text  # kept until the network said yes
        self._sending = item.id
        self._show_message("Sending…")
        self._update_button()
        self.runner.run(
            lambda: self._reply(item.id, text),
            lambda _changes: self._sent(item.id),
            lambda exc: self._failed(item.id, exc),
            name="inbox reply",
        )

    def _network_name(self) -> str:
        return self._channel.name if self._channel is not None else "this channel"

    def _sent(self, item_id: int) -> None:
        self._sending = None
        self._drafts.pop(item_id, None)
        if self._item is not None and self._item.id == item_id:
            self.editor.blockSignals(True)
            self.editor.clear()
            self.editor.blockSignals(False)
            self._show_message("Reply sent.", done=True)
            self._text_changed()
        self._update_button()
        self.sent.emit(item_id)

    def _failed(self, item_id: int, exc: BaseException) -> None:
        self._sending = None
        if isinstance(exc, UserError):
            message = exc.message
        else:
            log.error("sending an inbox reply failed", exc_info=exc)
            message = f"Something went wrong ({type(exc).__name__}); your text is kept."
        if self._item is not None and self._item.id == item_id:
            self._show_message(f"Not sent: {message}", error=True)
        self._update_button()

    def _show_message(self, text: str, *, error: bool = False, done: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(ERROR_STYLE if error else DONE_STYLE if done else "")
        self.message.setAccessibleName(text or "Reply status")
