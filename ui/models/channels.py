"""The channels of a workspace as a table: network, name, handle, server and health.

The model holds ``ChannelDTO``s only; the Channels page asks ``ChannelService.list`` and hands
them to :meth:`ChannelsModel.set_channels`. Network icons are painted here (a coloured disc with
the network's initial) at the screen's device pixel ratio, so they stay sharp on high-DPI screens
without shipping image files per network.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (
    QByteArray,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QIcon, QPainter, QPixmap

from cmdesk.dto import ChannelDTO
from ui.models.flat_table import FlatTableModel

_Index = QModelIndex | QPersistentModelIndex


class ChannelRole(IntEnum):
    """Data roles of :class:`ChannelsModel`, beyond Qt's own."""

    CHANNEL = Qt.ItemDataRole.UserRole + 1  # the ChannelDTO of the row
    CHANNEL_ID = Qt.ItemDataRole.UserRole + 2  # int
    HEALTH = Qt.ItemDataRole.UserRole + 3  # "ok" / "needs_reauth" / "disabled"


class Column(IntEnum):
    """The table's columns, left to right."""

    NETWORK = 0
    NAME = 1
    HANDLE = 2
    SERVER = 3
    HEALTH = 4


HEADERS = {
    Column.NETWORK: "Network",
    Column.NAME: "Name",
    Column.HANDLE: "Account",
    Column.SERVER: "Server",
    Column.HEALTH: "Health",
}

NETWORK_LABELS = {"mastodon": "Mastodon", "bluesky": "Bluesky", "demo": "Demo"}
_NETWORK_COLORS = {"mastodon": "#6364ff", "bluesky": "#1185fe", "demo": "#7f8c8d"}
HEALTH_LABELS = {"ok": "OK", "needs_reauth": "Needs sign-in", "disabled": "Disabled"}
_HEALTH_COLORS = {"ok": "#1e7e34", "needs_reauth": "#b35c00", "disabled": "#c0392b"}


def network_label(network: str) -> str:
    return NETWORK_LABELS.get(network, network.title())


def health_text(channel: ChannelDTO) -> str:
    """The health as a person reads it: the state, then what the network said."""
    label = HEALTH_LABELS.get(channel.health, channel.health)
    if channel.is_demo:
        return f"{label} (demo)"
    if channel.health != "ok" and channel.health_detail:
        return f"{label}: {channel.health_detail}"
    if channel.health == "ok" and not channel.has_credential:
        return "No sign-in stored: reconnect"
    return label


@lru_cache(maxsize=16)
def _icon(network: str, ratio: float) -> QIcon:
    icon = QIcon()
    for size in (16, 24, 32):
        pixmap = QPixmap(round(size * ratio), round(size * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(QColor(_NETWORK_COLORS.get(network, "#5f6368"))))
        painter.drawEllipse(QRectF(0.5, 0.5, size - 1, size - 1))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(round(size * 0.6))
        painter.setFont(font)
        painter.setPen(QColor("white"))
        painter.drawText(
            QRectF(0, 0, size, size), Qt.AlignmentFlag.AlignCenter, network_label(network)[:1]
        )
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def network_icon(network: str) -> QIcon:
    """A small round badge for ``network``, sharp at the screen's pixel ratio."""
    screen = QGuiApplication.primaryScreen()
    ratio = screen.devicePixelRatio() if screen is not None else 1.0
    return _icon(network, max(1.0, ratio))


class ChannelsModel(FlatTableModel):
    """One row per channel, in the order the service lists them."""

    HEADERS = tuple(HEADERS[c] for c in Column)

    # --- data in ---

    def set_channels(self, channels: Sequence[ChannelDTO]) -> None:
        self.replace_rows([c for c in channels if not c.removed])

    def channel(self, row: int) -> ChannelDTO | None:
        found: ChannelDTO | None = self.row_item(row)
        return found

    # --- Qt model API ---

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        channel = self.channel(index.row())
        if channel is None or not 0 <= index.column() < len(Column):
            return None
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(channel, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(channel, column)
        if role == Qt.ItemDataRole.DecorationRole and column == Column.NETWORK:
            return network_icon(channel.network)
        if role == Qt.ItemDataRole.ForegroundRole and column == Column.HEALTH:
            return QBrush(QColor(_HEALTH_COLORS.get(channel.health, "#5f6368")))
        if role == ChannelRole.CHANNEL:
            return channel
        if role == ChannelRole.CHANNEL_ID:
            return channel.id
        if role == ChannelRole.HEALTH:
            return channel.health
        return None

    def _text(self, channel: ChannelDTO, column: Column) -> str:
        if column == Column.NETWORK:
            return network_label(channel.network)
        if column == Column.NAME:
            return channel.name
        if column == Column.HANDLE:
            return channel.handle or "—"
        if column == Column.SERVER:
            return channel.base_url or "—"
        return health_text(channel)

    def _tooltip(self, channel: ChannelDTO, column: Column) -> str | None:
        if column == Column.HEALTH and channel.health == "needs_reauth":
            return f"{health_text(channel)}\nUse Reconnect to sign in again."
        if column == Column.HEALTH and channel.health == "disabled":
            return f"{health_text(channel)}\nNothing is published on a disabled channel."
        return self._text(channel, column) or None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({int(r): QByteArray(r.name.lower().encode()) for r in ChannelRole})
        return names
