"""The Channels page against the local fake servers: add, test, reconnect, remove.

The keyring is the in-memory one of tests/fakes (selected in tests/conftest.py), reached through
the real ``KeyringCredentialStore``. The browser is a callable the test injects: it records the
addresses cmdesk asks to open, and the test itself follows them with ``requests``.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.adapters.bluesky import BlueskyAdapter
from cmdesk.adapters.registry import default_registry
from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from tests.fakes.bluesky_server import FakeBluesky
from tests.fakes.keyring_backend import MemoryKeyring
from tests.fakes.mastodon_server import DEFAULT_TOKEN, FakeMastodon
from tests.ui.conftest import NOW
from ui.models.channels import ChannelRole, ChannelsModel
from ui.tasks import TaskRunner
from ui.views.channel_dialogs import BlueskyDialog
from ui.views.channel_dialogs_mastodon import MastodonDialog
from ui.views.channels_page import ChannelsPage

WAIT = 10_000


@pytest.fixture
def masto() -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        yield fake


@pytest.fixture
def sky() -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        yield fake


@pytest.fixture
def ctx(tmp_path: Path, sky: FakeBluesky) -> Iterator[AppContext]:
    registry = default_registry(plugins=False)
    registry.register("bluesky", lambda: BlueskyAdapter(plc_url=sky.plc_url))
    context = build_context(
        f"sqlite:///{tmp_path}/channels.sqlite3", clock=FakeClock(NOW), adapters=registry
    )
    context.workspaces.create("Harbor Light Books", "America/New_York")
    yield context
    context.close()


class Browser:
    """Stands in for the desktop browser: remembers what it was asked to open."""

    def __init__(self) -> None:
        self.opened: list[str] = []

    def __call__(self, url: str) -> bool:
        self.opened.append(url)
        return True

    @staticmethod
    def approve(url: str) -> str:
        """What the browser does on the approval page: the server redirects with the code."""
        answer = requests.get(url, allow_redirects=False, timeout=5)
        assert answer.status_code == 302, answer.text
        return str(answer.headers["Location"])


@pytest.fixture
def browser() -> Browser:
    return Browser()


@pytest.fixture
def page(qtbot: QtBot, ctx: AppContext, browser: Browser) -> Iterator[ChannelsPage]:
    runner = TaskRunner()
    widget = ChannelsPage(ctx, runner, open_url=browser)
    qtbot.addWidget(widget)
    widget.set_workspace(ctx.workspaces.list()[0])
    widget.show()
    yield widget
    if widget.dialog is not None:
        widget.dialog.reject()
    assert runner.shutdown(5000)


def secrets_in_keyring() -> list[str]:
    return list(MemoryKeyring.store.values())


def visible_texts(root: Any) -> str:
    """Every text a person can see in ``root``'s line edits and labels."""
    texts = [w.text() for w in root.findChildren(QLineEdit)]
    texts += [w.text() for w in root.findChildren(QLabel)]
    return "\n".join(texts)


def wait_closed(qtbot: QtBot, page: ChannelsPage) -> None:
    qtbot.waitUntil(lambda: page.dialog is None, timeout=WAIT)


def wait_idle(qtbot: QtBot, page: ChannelsPage) -> None:
    qtbot.waitUntil(page.runner.is_idle, timeout=WAIT)


def problem(dialog: Any) -> str:
    return str(dialog.message.text()) if dialog.message.isVisible() else ""


def add_bluesky(qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky) -> None:
    qtbot.mouseClick(page.add_bluesky_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, BlueskyDialog)
    dialog.name_edit.setText("Harbor · Bluesky")
    dialog.handle_edit.setText(sky.handle)
    dialog.password_edit.setText(sky.password)
    dialog.service_edit.setText(sky.entryway_url)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, page)


def begin_mastodon(
    qtbot: QtBot, page: ChannelsPage, server_url: str, *, paste: bool = False
) -> MastodonDialog:
    qtbot.mouseClick(page.add_mastodon_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, MastodonDialog)
    dialog.server_edit.setText(server_url)
    dialog.name_edit.setText("Harbor · Mastodon")
    button = dialog.paste_button if paste else dialog.browser_button
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.flow is not None or problem(dialog) != "", timeout=WAIT)
    return dialog


def add_mastodon_by_loopback(
    qtbot: QtBot, page: ChannelsPage, masto: FakeMastodon, browser: Browser
) -> None:
    dialog = begin_mastodon(qtbot, page, masto.url)
    assert dialog.flow is not None
    landing = browser.approve(browser.opened[-1])
    assert landing.startswith(dialog.flow.redirect_uri)
    assert "You can close this tab" in requests.get(landing, timeout=5).text
    wait_closed(qtbot, page)


def only_channel(page: ChannelsPage) -> Any:
    assert page.model.rowCount() == 1
    return page.model.index(0, 0).data(ChannelRole.CHANNEL)


# --- the model ------------------------------------------------------------------------------


def test_the_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, ctx: AppContext
) -> None:
    ws = ctx.workspaces.list()[0].id
    ctx.channels.add(ws, "demo", "Demo one", handle="@one@example.org", is_demo=True)
    ok = ctx.channels.add(ws, "mastodon", "Masto", base_url="https://example.org").subject
    assert ok is not None
    ctx.channels.set_health(ok, "needs_reauth", "The access token is invalid.")
    model = ChannelsModel()
    model.set_channels(ctx.channels.list())
    assert model.rowCount() >= 2
    qtmodeltester.check(model)
    first = model.index(0, 0)
    assert first.data(ChannelRole.CHANNEL_ID) == model.channel(0).id  # type: ignore[union-attr]
    assert not first.data(Qt.ItemDataRole.DecorationRole).isNull()
    health = model.index(model.row_of(ok) or 0, 4).data()
    assert health == "Needs sign-in: The access token is invalid."
    model.set_channels([])
    qtmodeltester.check(model)


def test_an_empty_workspace_says_how_to_start(page: ChannelsPage) -> None:
    assert page.stack.currentWidget() is page.empty
    assert "Add a Mastodon or Bluesky account" in page.empty.text()
    assert not page.test_button.isEnabled() and not page.remove_button.isEnabled()


# --- Bluesky --------------------------------------------------------------------------------


def test_add_bluesky_with_an_app_password(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, sky: FakeBluesky
) -> None:
    qtbot.mouseClick(page.add_bluesky_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, BlueskyDialog)
    assert dialog.password_edit.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.service_edit.text() == "https://bsky.social"
    assert "app-passwords" in dialog.findChild(QLabel, "appPasswordHelp").text()
    dialog.name_edit.setText("Harbor · Bluesky")
    dialog.handle_edit.setText(sky.handle)
    dialog.service_edit.setText(sky.entryway_url)
    dialog.password_edit.setText("wrong-pass-0000")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: problem(dialog) != "", timeout=WAIT)
    # Refused: the dialog stays open with what was typed, except the password.
    assert page.dialog is dialog and dialog.isVisible()
    assert dialog.handle_edit.text() == sky.handle
    assert dialog.name_edit.text() == "Harbor · Bluesky"
    assert dialog.password_edit.text() == ""
    assert ctx.channels.list() == [] and secrets_in_keyring() == []
    dialog.password_edit.setText(sky.password)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, page)
    channel = only_channel(page)
    assert (channel.network, channel.name, channel.handle) == (
        "bluesky",
        "Harbor · Bluesky",
        sky.handle,
    )
    assert channel.has_credential and channel.health == "ok"
    assert any(sky.password in s for s in secrets_in_keyring())
    assert sky.password not in visible_texts(page)  # never shown again
    assert "is connected" in page.status.text()


def test_bluesky_needs_a_handle_before_any_network_call(
    qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky
) -> None:
    qtbot.mouseClick(page.add_bluesky_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, BlueskyDialog)
    dialog.password_edit.setText(sky.password)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: problem(dialog) != "", timeout=WAIT)
    assert "handle" in problem(dialog)
    assert sky.requests == []


# --- Mastodon -------------------------------------------------------------------------------


def test_add_mastodon_through_the_loopback_redirect(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, masto: FakeMastodon, browser: Browser
) -> None:
    add_mastodon_by_loopback(qtbot, page, masto, browser)
    channel = only_channel(page)
    assert channel.network == "mastodon" and channel.name == "Harbor · Mastodon"
    assert channel.handle == f"@alice@{masto.host}" and channel.base_url == masto.url
    secret = next(s for s in secrets_in_keyring() if "access_token" in s)
    assert "client_secret" in secret
    assert browser.opened[0].startswith(masto.url + "/oauth/authorize")
    assert "is connected" in page.status.text()


def test_add_mastodon_by_pasting_the_code(
    qtbot: QtBot, page: ChannelsPage, masto: FakeMastodon, browser: Browser
) -> None:
    dialog = begin_mastodon(qtbot, page, masto.url, paste=True)
    assert dialog.flow is not None and dialog.waiting_panel.isVisible()
    assert browser.opened == [dialog.flow.oob_url]
    shown = requests.get(browser.opened[0], timeout=5)
    code = shown.text.split('value="')[1].split('"')[0]
    dialog.code_edit.setText("not a code!")
    qtbot.mouseClick(dialog.use_code_button, Qt.MouseButton.LeftButton)
    assert "does not look like a sign-in code" in problem(dialog)
    assert page.dialog is dialog
    dialog.code_edit.setText(code)
    qtbot.mouseClick(dialog.use_code_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, page)
    assert only_channel(page).handle == f"@alice@{masto.host}"


@pytest.mark.parametrize("kind", ["unreachable", "not mastodon"])
def test_a_wrong_server_is_explained_in_the_dialog(
    qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky, kind: str
) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    url = f"http://127.0.0.1:{closed_port}" if kind == "unreachable" else sky.url
    dialog = begin_mastodon(qtbot, page, url)
    assert dialog.flow is None and problem(dialog)
    assert page.dialog is dialog and dialog.server_edit.text() == url
    assert dialog.browser_button.isEnabled()


def test_cancel_stops_the_loopback_listener(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, masto: FakeMastodon
) -> None:
    dialog = begin_mastodon(qtbot, page, masto.url)
    assert dialog.flow is not None
    redirect = dialog.flow.redirect_uri
    port = int(redirect.split(":")[2].split("/")[0])
    assert requests.get(redirect, timeout=5).status_code == 400  # listening (no state: refused)
    qtbot.mouseClick(
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel), Qt.MouseButton.LeftButton
    )
    wait_closed(qtbot, page)
    wait_idle(qtbot, page)
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
    assert ctx.channels.list() == []


# --- test, reconnect, remove ----------------------------------------------------------------


def test_test_connection_ok_then_revoked_then_reconnect(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, masto: FakeMastodon, browser: Browser
) -> None:
    add_mastodon_by_loopback(qtbot, page, masto, browser)
    page.select_channel(only_channel(page).id)
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    assert "works" in page.status.text() and f"@alice@{masto.host}" in page.status.text()
    # The person revokes cmdesk's access on the server.
    old_token = next(t for t in list(masto.tokens) if t != DEFAULT_TOKEN)
    del masto.tokens[old_token]
    qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
    wait_idle(qtbot, page)
    channel = only_channel(page)
    assert channel.health == "needs_reauth"
    assert page.status.text().startswith("Harbor · Mastodon: ")
    assert "Needs sign-in" in page.model.index(0, 4).data()
    # Reconnect: the same browser flow, on the channel's server.
    page.select_channel(channel.id)
    qtbot.mouseClick(page.reconnect_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, MastodonDialog)
    assert dialog.server_edit.isReadOnly() and dialog.server_edit.text() == masto.url
    qtbot.mouseClick(dialog.browser_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.flow is not None, timeout=WAIT)
    requests.get(browser.approve(browser.opened[-1]), timeout=5)
    wait_closed(qtbot, page)
    channel = only_channel(page)
    assert channel.health == "ok"
    assert not any(old_token in s for s in secrets_in_keyring())
    assert "signed in again" in page.status.text()


def test_reconnect_bluesky_with_a_new_app_password(
    qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky
) -> None:
    add_bluesky(qtbot, page, sky)
    channel = only_channel(page)
    page.select_channel(channel.id)
    qtbot.mouseClick(page.reconnect_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, BlueskyDialog)
    assert dialog.handle_edit.text() == sky.handle and dialog.password_edit.text() == ""
    sky.password = "new-pass-5678"
    dialog.password_edit.setText("new-pass-5678")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    wait_closed(qtbot, page)
    assert any("new-pass-5678" in s for s in secrets_in_keyring())
    assert only_channel(page).health == "ok"


def answer_remove(qtbot: QtBot, page: ChannelsPage, *, remove: bool) -> None:
    qtbot.waitUntil(lambda: page.remove_box is not None, timeout=WAIT)
    box = page.remove_box
    assert box is not None
    assert "cancelled" in box.informativeText() and "keyring" in box.informativeText()
    if remove:
        button = next(
            b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
        )
    else:
        button = box.button(QMessageBox.StandardButton.Cancel)
    button.click()


def test_remove_asks_then_deletes_the_secret(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, sky: FakeBluesky
) -> None:
    add_bluesky(qtbot, page, sky)
    page.select_channel(only_channel(page).id)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    answer_remove(qtbot, page, remove=False)
    assert page.model.rowCount() == 1 and secrets_in_keyring()
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Delete)
    answer_remove(qtbot, page, remove=True)
    wait_idle(qtbot, page)
    assert page.model.rowCount() == 0 and page.stack.currentWidget() is page.empty
    assert secrets_in_keyring() == []
    assert ctx.channels.list() == []
    assert "Removed Harbor · Bluesky" in page.status.text()


def test_the_gui_stays_responsive_while_signing_in(
    qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky
) -> None:
    sky.slow_seconds = 0.6
    sky.fail_next(1, "slow", only="com.atproto.server.createSession")
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    add_bluesky(qtbot, page, sky)
    timer.stop()
    assert len(ticks) > 10  # the event loop kept turning during a slow sign-in
    assert only_channel(page).health == "ok"


def test_messages_of_wrong_servers_say_what_happened(
    qtbot: QtBot, page: ChannelsPage, sky: FakeBluesky
) -> None:
    dialog = begin_mastodon(qtbot, page, sky.url)
    assert "Mastodon" in problem(dialog)
    dialog.server_edit.setText("")
    qtbot.mouseClick(dialog.browser_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Type the address" in problem(dialog), timeout=WAIT)


def test_cancel_while_contacting_the_server_releases_the_listener(
    qtbot: QtBot, page: ChannelsPage, masto: FakeMastodon
) -> None:
    def listeners() -> int:
        return sum(1 for t in threading.enumerate() if "serve_forever" in t.name)

    before = listeners()  # the fake servers' own
    masto.slow_seconds = 0.5
    masto.fail_next(1, "slow", method="POST", path="/api/v1/apps")  # listener already bound
    qtbot.mouseClick(page.add_mastodon_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, MastodonDialog)
    dialog.server_edit.setText(masto.url)
    qtbot.mouseClick(dialog.browser_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: listeners() > before, timeout=WAIT)
    dialog.reject()
    wait_idle(qtbot, page)
    qtbot.waitUntil(lambda: listeners() == before, timeout=WAIT)
    assert page.dialog is None


def test_health_follows_changes_from_elsewhere(
    qtbot: QtBot, page: ChannelsPage, ctx: AppContext, sky: FakeBluesky
) -> None:
    add_bluesky(qtbot, page, sky)
    channel = only_channel(page)
    changes = ctx.channels.set_health(channel.id, "disabled", "Turned off by the admin.")
    page.on_changes(changes)  # what the main window forwards from the event bridge
    assert page.model.index(0, 4).data() == "Disabled: Turned off by the admin."
    assert "Nothing is published" in page.model.index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
