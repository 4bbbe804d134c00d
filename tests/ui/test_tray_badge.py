"""The tray icon counts the inbox items waiting: a badge on the icon and words in the tooltip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from PySide6.QtGui import QColor, QIcon, QPixmap
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from cmdesk.bootstrap import AppContext
from cmdesk.events import ChangeSet
from cmdesk.models import InboxItem
from tests.core.helpers import channel, workspace
from tests.core.inbox_rows import add_items
from ui.notifier import Notifier
from ui.tray import BADGE_SIZES, TrayIcon, badge_text, badged_icon, tray_state_text


def plain_icon() -> QIcon:
    pixmap = QPixmap(256, 256)  # as large as the largest badge: the base is drawn, not scaled up
    pixmap.fill(QColor("#2060c0"))
    return QIcon(pixmap)


@pytest.fixture
def tray(qtbot: QtBot, empty_ctx: AppContext) -> Iterator[TrayIcon]:
    icon = TrayIcon(empty_ctx, Notifier(tray_check=lambda: True), icon=plain_icon())
    yield icon
    icon.badge.close()
    icon.icon.hide()
    icon.deleteLater()


def mark_read(ctx: AppContext, ids: list[int]) -> None:
    with ctx.db.session() as s:
        s.execute(update(InboxItem).where(InboxItem.id.in_(ids)).values(state="read"))
    ctx.hub.emit(ChangeSet.of(updated=[("inbox_item", i) for i in ids]))


def test_tooltip_and_badge_follow_the_inbox(
    qtbot: QtBot, empty_ctx: AppContext, tray: TrayIcon
) -> None:
    assert tray.badge.count == 0
    assert tray.icon.toolTip() == "cmdesk — publishing on time"
    cid = channel(empty_ctx, workspace(empty_ctx))
    other = channel(empty_ctx, workspace(empty_ctx, "Second brand"), "Other")
    counts: list[int] = []
    tray.badge.count_changed.connect(counts.append)
    ids = add_items(empty_ctx, cid, 2)
    add_items(empty_ctx, other, 1, kind="mention")  # every workspace counts
    add_items(empty_ctx, cid, 1, state="done")  # answered: not waiting
    qtbot.waitUntil(lambda: tray.badge.count == 3)
    assert counts == [3]  # one refresh for the burst
    assert tray.icon.toolTip() == "cmdesk — 3 replies waiting · publishing on time"
    assert tray.icon.icon().cacheKey() != tray.base_icon.cacheKey()
    empty_ctx.settings.set("publishing_paused", True)
    qtbot.waitUntil(lambda: "paused" in tray.icon.toolTip())
    assert tray.icon.toolTip() == "cmdesk — 3 replies waiting · publishing paused"
    mark_read(empty_ctx, ids)
    qtbot.waitUntil(lambda: tray.badge.count == 1)
    assert tray.icon.toolTip() == "cmdesk — 1 reply waiting · publishing paused"
    empty_ctx.channels.remove(other)
    qtbot.waitUntil(lambda: tray.badge.count == 0)
    assert tray.icon.icon().cacheKey() == tray.base_icon.cacheKey()


def red_share(pixmap: QPixmap) -> float:
    """The share of reddish pixels in the bottom-right quarter of ``pixmap``."""
    image = pixmap.toImage()
    w, h = image.width(), image.height()
    red = total = 0
    for x in range(w // 2, w):
        for y in range(h // 2, h):
            c = image.pixelColor(x, y)
            total += 1
            red += c.red() > 180 and c.green() < 120 and c.blue() < 120
    return red / total


def test_badge_is_painted_at_every_size(qtbot: QtBot) -> None:
    icon = badged_icon(plain_icon(), 7)
    assert {s.width() for s in icon.availableSizes()} == set(BADGE_SIZES)
    for size in (16, 22, 32, 64, 128):
        pixmap = icon.pixmap(QSize(size, size))
        assert pixmap.width() == size  # painted there, not scaled from another size
        assert red_share(pixmap) > 0.3
        assert pixmap.toImage().pixelColor(2, 2) == QColor("#2060c0")  # the icon shows around it
    assert badged_icon(plain_icon(), 0).availableSizes() == plain_icon().availableSizes()


def test_high_dpi_asks_for_the_larger_painting(qtbot: QtBot) -> None:
    icon = badged_icon(plain_icon(), 12)
    pixmap = icon.pixmap(QSize(22, 22), 2.0)
    assert pixmap.width() == 44 and pixmap.devicePixelRatio() == 2.0
    assert red_share(pixmap) > 0.3


def test_texts() -> None:
    assert badge_text(5) == "5" and badge_text(99) == "99" and badge_text(100) == "99+"
    assert tray_state_text(False, False, 1) == "cmdesk — 1 reply waiting · publishing on time"
    assert tray_state_text(False, True, 4) == "cmdesk — 4 replies waiting · waiting for the network"
    assert tray_state_text(False, False, 0) == "cmdesk — publishing on time"
