"""A rough preview of how a post will look on one network: a card per thread part.

It is not the network's own rendering, only enough to check the essentials before publishing:
who posts (name and handle), where the text breaks, that links, mentions and hashtags are
recognised (they are coloured as the network would link them), and which images go with it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from cmdesk.dto import ChannelDTO, MediaDTO
from cmdesk.services.composer import highlights

THUMB = 96
_LINK_COLOUR = "#2f6fde"
_STYLE = """
#previewCard { border: 1px solid rgba(128, 128, 128, 0.45); border-radius: 8px;
    background: palette(base); }
#previewName { font-weight: 600; }
#previewHandle { color: palette(placeholder-text); }
"""


def rich_text(text: str) -> str:
    """``text`` as HTML with links, mentions and hashtags coloured; everything else escaped."""
    out: list[str] = []
    position = 0
    for span in highlights(text):
        out.append(html.escape(text[position : span.start]))
        piece = html.escape(text[span.start : span.end])
        out.append(f'<span style="color:{_LINK_COLOUR}">{piece}</span>')
        position = span.end
    out.append(html.escape(text[position:]))
    return "".join(out).replace("\n", "<br>")


class PreviewCard(QFrame):
    """One post as it would appear: name, handle, text and thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewCard")
        self.setStyleSheet(_STYLE)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.name = QLabel()
        self.name.setObjectName("previewName")
        self.handle = QLabel()
        self.handle.setObjectName("previewHandle")
        for label in (self.name, self.handle):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        head.addWidget(self.name, 1)
        head.addWidget(self.handle, 1)
        layout.addLayout(head)
        self.body = QLabel()
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setWordWrap(True)
        # Long links have no break opportunity: let the card, not the text, decide the width.
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.body.setMinimumWidth(1)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.body)
        self.images = QHBoxLayout()
        self.images.addStretch(1)
        layout.addLayout(self.images)
        self._media_key: tuple[tuple[int, str], ...] | None = None

    def show_post(self, channel: ChannelDTO, text: str, media: Sequence[MediaDTO]) -> None:
        self.name.setText(channel.name)
        self.handle.setText(channel.handle)
        self.body.setText(rich_text(text))
        self.setAccessibleName(f"Preview on {channel.name}")
        self.setAccessibleDescription(text)
        key = tuple((m.id, m.alt_text) for m in media)
        if key == self._media_key:
            return  # thumbnails are read from disk only when the attachments change
        self._media_key = key
        while self.images.count() > 1:
            old = self.images.takeAt(0)
            widget = old.widget() if old is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        for index, item in enumerate(media):
            self.images.insertWidget(index, _thumbnail(item, self.devicePixelRatioF()))


def _thumbnail(media: MediaDTO, ratio: float) -> QLabel:
    label = QLabel()
    label.setFixedSize(THUMB, THUMB)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setToolTip(media.alt_text or f"{media.original_name} (no description)")
    label.setAccessibleName(media.alt_text or media.original_name)
    pixmap = QPixmap(media.path)
    if pixmap.isNull():
        label.setText(media.mime_type.split("/")[0])
        return label
    side = round(THUMB * ratio)  # sharp on high-DPI screens
    scaled = pixmap.scaled(
        side,
        side,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )
    scaled.setDevicePixelRatio(ratio)
    label.setPixmap(scaled)
    return label


class PreviewPane(QWidget):
    """The preview of a whole post on one channel: a card per thread part."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._cards: list[PreviewCard] = []
        self._layout.addStretch(1)

    def cards(self) -> list[PreviewCard]:
        return list(self._cards)

    def show_parts(
        self, channel: ChannelDTO, parts: Sequence[str], media: Sequence[MediaDTO]
    ) -> None:
        while len(self._cards) < len(parts):
            card = PreviewCard(self)
            self._layout.insertWidget(len(self._cards), card)
            self._cards.append(card)
        while len(self._cards) > len(parts):
            card = self._cards.pop()
            card.setParent(None)
            card.deleteLater()
        for index, (card, text) in enumerate(zip(self._cards, parts, strict=True)):
            card.show_post(channel, text, media if index == 0 else ())
