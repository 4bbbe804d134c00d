"""A rough preview of how a post will look on one network: a card per thread part.

It is not the network's own rendering, only enough to check the essentials before publishing:
who posts (name and handle), where the text breaks, that links, mentions and hashtags are
recognised (they are coloured as the network would link them), and which images go with it.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.dto import ChannelDTO, MediaDTO
from cmdesk.services.composer import highlights

THUMB = 96
AVATAR = 36
_LINK_COLOUR = "#2f6fde"
_STYLE = """
#previewCard { border: 1px solid rgba(128, 128, 128, 0.40); border-radius: 10px;
    background: palette(base); }
#previewName { font-weight: 600; }
#previewHandle { color: palette(placeholder-text); }
#previewAvatar { border-radius: 18px; background: palette(highlight);
    color: palette(highlighted-text); font-weight: 600; }
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


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" to the width it gets (full text as tip).

    Its width is decided by the layout, never by the text, so a long name cannot widen the card.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(1)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self._elide()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        shown = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            self.setText(shown)


class PreviewCard(QFrame):
    """One post as it would appear: avatar, name, handle, text and thumbnails."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("previewCard")
        self.setStyleSheet(_STYLE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 12)
        layout.setSpacing(8)
        head = QHBoxLayout()
        head.setSpacing(8)
        self.avatar = QLabel()
        self.avatar.setObjectName("previewAvatar")
        self.avatar.setFixedSize(AVATAR, AVATAR)
        self.avatar.setAlignment(Qt.AlignmentFlag.AlignCenter)
        head.addWidget(self.avatar)
        who = QVBoxLayout()
        who.setSpacing(0)
        self.name = ElidedLabel()
        self.name.setObjectName("previewName")
        self.handle = ElidedLabel()
        self.handle.setObjectName("previewHandle")
        who.addWidget(self.name)
        who.addWidget(self.handle)
        head.addLayout(who, 1)
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
        self.avatar.setText(_initials(channel.name))
        self.name.set_full_text(channel.name)
        self.handle.set_full_text(channel.handle)
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


def _initials(name: str) -> str:
    """Up to two initials of a channel's name, for its stand-in avatar."""
    words = [w for w in name.replace("·", " ").split() if w[:1].isalnum()]
    return "".join(w[0] for w in words[:2]).upper() or "?"


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


class PreviewColumn(QWidget):
    """The composer's preview column: the preview of the channel whose tab is open."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = ElidedLabel()
        self.heading.setObjectName("previewHeading")
        self.heading.setStyleSheet("font-weight: 600;")
        layout.addWidget(self.heading)
        self.stack = QStackedWidget()
        self.empty = QLabel("Choose a channel to see how the post will look there.")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setEnabled(False)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        self.show_preview(None, "")

    def add(self, preview: QWidget) -> None:
        self.stack.addWidget(preview)

    def show_preview(self, preview: QWidget | None, channel_name: str) -> None:
        """Show ``preview`` (a channel's preview area), or the hint when there is none."""
        self.stack.setCurrentWidget(preview if preview is not None else self.empty)
        self.heading.set_full_text(f"Preview on {channel_name}" if channel_name else "Preview")
