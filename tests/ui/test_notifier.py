"""One notifier: the tray when there is one, else the in-window banner; both observable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from ui.notifier import Notification, NotificationKind, Notifier, Surface
from ui.views.banner import Banner


@pytest.fixture
def tray(qtbot: QtBot) -> Iterator[QSystemTrayIcon]:
    pixmap = QPixmap(16, 16)
    pixmap.fill(Qt.GlobalColor.blue)
    icon = QSystemTrayIcon(QIcon(pixmap))
    yield icon
    icon.hide()
    icon.deleteLater()


@pytest.fixture
def banner(qtbot: QtBot) -> Banner:
    widget = Banner()
    qtbot.addWidget(widget)
    widget.resize(700, 60)
    return widget


def test_without_a_tray_a_banner_is_requested(qtbot: QtBot, tray: QSystemTrayIcon) -> None:
    notifier = Notifier(tray_check=lambda: False)
    tray.show()
    notifier.set_tray(tray)  # an icon exists, but the desktop has no tray to show it in
    banners: list[Notification] = []
    notifier.banner_requested.connect(banners.append)
    with qtbot.waitSignal(notifier.notified) as seen:
        note = notifier.notify("A post failed", "Reconnect the channel.", "error", post_id=7)
    assert seen.args == [note]
    assert banners == [note]
    assert note.shown_in is Surface.BANNER
    assert note.kind is NotificationKind.ERROR and note.post_id == 7
    assert notifier.history == [note]


def test_with_a_tray_the_balloon_is_used(
    qtbot: QtBot, tray: QSystemTrayIcon, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QSystemTrayIcon, "showMessage", lambda self, t, m, *_: shown.append((t, m)))
    notifier = Notifier(tray_check=lambda: True)
    banners: list[Notification] = []
    notifier.banner_requested.connect(banners.append)
    assert notifier.notify("No tray set", "so a banner").shown_in is Surface.BANNER
    notifier.set_tray(tray)
    assert notifier.notify("Hidden icon", "still a banner").shown_in is Surface.BANNER
    tray.show()
    note = notifier.notify("Published", "All posts went out.", post_id=3)
    assert note.shown_in is Surface.TRAY
    assert shown == [("Published", "All posts went out.")]
    assert [b.title for b in banners] == ["No tray set", "Hidden icon"]
    # Clicking the balloon reports the notification it showed.
    with qtbot.waitSignal(notifier.activated) as clicked:
        tray.messageClicked.emit()
    assert clicked.args == [note]


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        Notifier(tray_check=lambda: False).notify("t", "m", "shout")


def test_banner_shows_newest_and_dismisses_one_by_one(qtbot: QtBot, banner: Banner) -> None:
    notifier = Notifier(tray_check=lambda: False)
    banner.attach(notifier)
    first = notifier.notify("First", "one", NotificationKind.WARNING, post_id=1)
    second = notifier.notify("Second <b>not bold</b>", "two", NotificationKind.ERROR)
    banner.show()
    assert banner.isVisible()
    assert banner.current == second
    assert banner.title_label.text() == "Second <b>not bold</b>"
    assert banner.title_label.textFormat() == Qt.TextFormat.PlainText
    assert banner.more_label.text() == "1 more"
    assert banner.property("kind") == "error"
    assert banner.open_button.isHidden()  # nothing to open for the second
    with qtbot.waitSignal(banner.dismissed) as gone:
        banner.close_button.click()
    assert gone.args == [second]
    assert banner.current == first and banner.more_label.isHidden()
    assert not banner.open_button.isHidden()
    with qtbot.waitSignal(notifier.activated) as opened:
        banner.open_button.click()
    assert opened.args == [first]
    assert banner.current is None and banner.isHidden()


def test_banner_escape_and_dismiss_all(qtbot: QtBot, banner: Banner) -> None:
    for i in range(3):
        banner.show_notification(Notification(f"n{i}", "m"))
    banner.show()
    banner.setFocus()
    qtbot.keyClick(banner, Qt.Key.Key_Escape)
    assert [n.title for n in banner.pending] == ["n0", "n1"]
    assert banner.dismiss_all_button.isVisibleTo(banner)
    banner.dismiss_all_button.click()
    assert banner.pending == () and banner.isHidden()
    assert banner.accessibleName() == "Notification"
