"""The inbox's filters in one row: text, channel, kind and state.

The bar builds an :class:`~cmdesk.dto.InboxFilter` that the page hands to the inbox service, so a
filter narrows what is read rather than hiding loaded rows. The state filter starts at "Not done"
(new, read and replied): marking an item done takes it off the list, as an archive would, and
"Done" or "Any state" bring it back.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QSignalBlocker, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QWidget

from cmdesk.dto import ChannelDTO, InboxFilter
from cmdesk.status import InboxState

TYPING_PAUSE_MS = 300

KIND_CHOICES = (
    ("Any kind", ""),
    ("Mentions", "mention"),
    ("Replies", "reply"),
    ("Quotes", "quote"),
    ("Direct messages", "dm"),
)
NOT_DONE = frozenset({InboxState.NEW, InboxState.READ, InboxState.REPLIED})
STATE_CHOICES: tuple[tuple[str, str, frozenset[InboxState]], ...] = (
    ("Not done", "open", NOT_DONE),
    ("New", "new", frozenset({InboxState.NEW})),
    ("Read", "read", frozenset({InboxState.READ})),
    ("Replied", "replied", frozenset({InboxState.REPLIED})),
    ("Done", "done", frozenset({InboxState.DONE})),
    ("Any state", "any", frozenset()),
)
_STATES = {key: states for _, key, states in STATE_CHOICES}


class InboxFilterBar(QWidget):
    """Search, channel, kind and state filters.

    Signals:
        filter_changed(object): the new ``InboxFilter`` after a field changed (typing is debounced).
    """

    filter_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search authors and texts")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search the inbox")
        self.search.setMinimumWidth(160)
        self.channel = self._combo("Channel filter")
        self.kind = self._combo("Kind filter")
        for text, value in KIND_CHOICES:
            self.kind.addItem(text, value)
        self.state = self._combo("State filter")
        for text, key, _ in STATE_CHOICES:
            self.state.addItem(text, key)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.search, 3)
        for combo in (self.channel, self.kind, self.state):
            row.addWidget(combo, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(TYPING_PAUSE_MS)
        self._typing.timeout.connect(self._changed)
        self.search.textChanged.connect(lambda _text: self._typing.start())
        self.search.returnPressed.connect(self._changed)
        for combo in (self.channel, self.kind, self.state):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.set_channels(())

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setAccessibleName(name)
        return combo

    def set_channels(self, channels: Iterable[ChannelDTO]) -> None:
        """Offer these channels; the current choice stays if it is still offered."""
        current = self.channel.currentData()
        with QSignalBlocker(self.channel):
            self.channel.clear()
            self.channel.addItem("Every channel", None)
            for c in channels:
                self.channel.addItem(c.name, c.id)
            found = self.channel.findData(current) if current is not None else 0
            self.channel.setCurrentIndex(max(found, 0))

    def reset(self) -> bool:
        """Back to every item that is not done, with no search; False if it already was."""
        if self.current() == InboxFilter(states=NOT_DONE):
            return False
        for w in (self.search, self.channel, self.kind, self.state):
            w.blockSignals(True)
        self.search.clear()
        for combo in (self.channel, self.kind, self.state):
            combo.setCurrentIndex(0)
        for w in (self.search, self.channel, self.kind, self.state):
            w.blockSignals(False)
        self._typing.stop()
        return True

    def current(self) -> InboxFilter:
        channel = self.channel.currentData()
        kind = self.kind.currentData()
        return InboxFilter(
            channel_ids=frozenset() if channel is None else frozenset({int(channel)}),
            kinds=frozenset({kind}) if kind else frozenset(),
            states=_STATES.get(str(self.state.currentData()), NOT_DONE),
            text=self.search.text().strip(),
        )

    def _changed(self) -> None:
        self._typing.stop()
        self.filter_changed.emit(self.current())
