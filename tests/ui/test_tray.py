"""The tray: close-to-tray (said once), open, pause or resume publishing, quit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from ui.notifier import Notification, Notifier, Surface
from ui.tray import HINT_TITLE, TrayIcon, close_to_tray_decision, tray_state_text


@pytest.fixture
def quits(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Quitting is recorded instead of ending the test's application."""
    seen: list[bool] = []
    monkeypatch.setattr(QCoreApplication, "quit", staticmethod(lambda: seen.append(True)))
    yield seen
    QGuiApplication.setQuitOnLastWindowClosed(True)


@pytest.fixture
def notes(qtbot: QtBot) -> tuple[Notifier, list[Notification]]:
    notifier = Notifier(tray_check=lambda: True)
    seen: list[Notification] = []
    notifier.notified.connect(seen.append)
    return notifier, seen


@pytest.fixture
def tray(
    qtbot: QtBot, demo_ctx: AppContext, notes: tuple[Notifier, list[Notification]]
) -> Iterator[TrayIcon]:
    icon = TrayIcon(demo_ctx, notes[0], tray_check=lambda: True)
    yield icon
    icon.icon.hide()
    icon.deleteLater()


@pytest.fixture
def window(qtbot: QtBot, tray: TrayIcon) -> QWidget:
    widget = QWidget()
    widget.setWindowTitle("cmdesk")
    qtbot.addWidget(widget)
    tray.watch(widget)
    widget.show()
    return widget


def test_close_to_tray_needs_the_setting_and_a_tray(demo_ctx: AppContext) -> None:
    assert close_to_tray_decision(demo_ctx, tray_check=lambda: True)
    assert not close_to_tray_decision(demo_ctx, tray_check=lambda: False)
    demo_ctx.settings.set("close_to_tray", False)
    assert not close_to_tray_decision(demo_ctx, tray_check=lambda: True)


def test_tray_shows_only_where_there_is_a_tray(
    qtbot: QtBot, demo_ctx: AppContext, notes: tuple[Notifier, list[Notification]]
) -> None:
    absent = TrayIcon(demo_ctx, notes[0], tray_check=lambda: False)
    assert absent.show() is False and not absent.is_shown()
    assert not notes[0].uses_tray()
    absent.deleteLater()


def test_menu_has_open_pause_and_quit(tray: TrayIcon) -> None:
    texts = [a.text() for a in tray.menu.actions() if not a.isSeparator()]
    assert texts == ["&Open cmdesk", "&Pause publishing", "&Quit cmdesk"]
    assert tray.pause_action.isCheckable() and not tray.pause_action.isChecked()
    # The demo's inbox items are counted before it ("cmdesk — 9 replies waiting · ...").
    assert tray.icon.toolTip().endswith(" publishing on time")


def test_pause_from_the_menu_sets_the_engine_setting(
    qtbot: QtBot, tray: TrayIcon, demo_ctx: AppContext
) -> None:
    with qtbot.waitSignal(tray.paused_changed) as paused:
        tray.pause_action.trigger()
    assert paused.args == [True]
    assert demo_ctx.settings.get("publishing_paused") is True
    assert tray.icon.toolTip().endswith(" publishing paused")
    tray.pause_action.trigger()
    assert demo_ctx.settings.get("publishing_paused") is False


def test_pause_from_elsewhere_shows_in_the_menu(
    qtbot: QtBot, tray: TrayIcon, demo_ctx: AppContext
) -> None:
    demo_ctx.settings.set("publishing_paused", True)  # e.g. the command line or Settings page
    qtbot.waitUntil(tray.pause_action.isChecked)
    assert "paused" in tray.icon.toolTip()


def test_state_text() -> None:
    assert tray_state_text(True, True) == "cmdesk — publishing paused"
    assert tray_state_text(False, True) == "cmdesk — waiting for the network"


def test_closing_hides_to_the_tray_and_says_so_once(
    qtbot: QtBot,
    tray: TrayIcon,
    window: QWidget,
    demo_ctx: AppContext,
    notes: tuple[Notifier, list[Notification]],
    quits: list[bool],
) -> None:
    assert tray.show()
    assert notes[0].uses_tray()
    assert tray.hide_to_tray()
    assert window.isHidden()
    assert [n.title for n in notes[1]] == [HINT_TITLE]
    assert notes[1][0].shown_in is Surface.TRAY
    assert demo_ctx.settings.get("tray_hint_shown") is True
    tray.open_window()
    assert window.isVisible()
    assert tray.hide_to_tray()
    assert len(notes[1]) == 1  # said once only
    assert quits == []


def test_without_the_setting_closing_does_not_hide(
    tray: TrayIcon, window: QWidget, demo_ctx: AppContext, quits: list[bool]
) -> None:
    tray.show()
    demo_ctx.settings.set("close_to_tray", False)
    assert not tray.hide_to_tray()
    assert window.isVisible()


def test_a_close_asked_by_the_program_quits(
    qtbot: QtBot, tray: TrayIcon, window: QWidget, quits: list[bool]
) -> None:
    tray.show()
    window.close()  # not from the window manager: the Quit shortcut, for instance
    assert window.isHidden()
    qtbot.waitUntil(lambda: quits == [True])


def test_quit_closes_the_window_and_ends_the_app(
    qtbot: QtBot, tray: TrayIcon, window: QWidget, quits: list[bool]
) -> None:
    tray.show()
    with qtbot.waitSignal(tray.quit_requested):
        tray.quit_action.trigger()
    assert window.isHidden() and not tray.is_shown()
    assert quits == [True]
