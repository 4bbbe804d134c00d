"""The event bridge: change sets from any thread arrive as signals on the GUI thread."""

from __future__ import annotations

import logging
import threading

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from cmdesk.events import ChangeSet, EventHub
from ui.bridge import EventBridge
from ui.views.page import PlanPage


def test_change_from_a_worker_thread_arrives_on_the_gui_thread(qtbot: QtBot) -> None:
    hub = EventHub()
    bridge = EventBridge(hub)
    seen: list[tuple[ChangeSet, bool]] = []
    bridge.changed.connect(lambda cs: seen.append((cs, QThread.currentThread() is bridge.thread())))
    changes = ChangeSet.of(updated=[("post", 3)])
    worker = threading.Thread(target=hub.emit, args=(changes,))
    with qtbot.waitSignal(bridge.changed, timeout=2000):
        worker.start()
    worker.join(timeout=2)
    assert seen == [(changes, True)]


def test_delivery_is_queued_even_on_the_gui_thread(qtbot: QtBot) -> None:
    hub = EventHub()
    bridge = EventBridge(hub)
    seen: list[ChangeSet] = []
    bridge.changed.connect(seen.append)
    with qtbot.waitSignal(bridge.changed, timeout=2000):
        hub.emit(ChangeSet.of(created=[("post", 1)]))
        assert seen == []  # not inside the service call that made the change
    assert len(seen) == 1


def test_closed_bridge_no_longer_listens(qtbot: QtBot) -> None:
    hub = EventHub()
    bridge = EventBridge(hub)
    bridge.close()
    with qtbot.assertNotEmitted(bridge.changed, wait=100):
        hub.emit(ChangeSet.of(created=[("post", 1)]))


def test_destroyed_bridge_unsubscribes(qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    hub = EventHub()
    bridge = EventBridge(hub)
    with qtbot.waitSignal(bridge.destroyed, timeout=2000):
        bridge.deleteLater()
    with caplog.at_level(logging.ERROR, logger="cmdesk.events"):
        hub.emit(ChangeSet.of(created=[("post", 1)]))
    # A listener still pointing at the deleted object would raise, and the hub would log it.
    assert not caplog.records


def test_a_page_skips_change_sets_its_last_reload_already_read(qtbot: QtBot) -> None:
    class CountingPage(PlanPage):
        reloads = 0

        def reload(self) -> None:
            self.reloads += 1

    hub = EventHub()
    bridge = EventBridge(hub)
    page = CountingPage()
    qtbot.addWidget(page)
    page.bridge = bridge
    bridge.changed.connect(page.on_changes)
    page.show()
    qtbot.waitUntil(lambda: page.reloads == 1)
    change = ChangeSet.of(updated=[("post", 1)])
    hub.emit(change)  # made before the next reload ...
    page.refresh()  # ... which therefore reads it (as after a drop)
    assert page.reloads == 2
    qtbot.wait(20)  # its delivery costs nothing more
    assert page.reloads == 2
    hub.emit(change)  # made after: must be shown
    qtbot.waitUntil(lambda: page.reloads == 3)
    assert bridge.emitted == bridge.delivering == 2
    bridge.close()
