"""The Listening tab: saved searches added and removed, their posts shown safely, Sync now."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from tests.fakes.mastodon_listening import FakeListeningMastodon
from tests.fakes.mastodon_server import DEFAULT_TOKEN
from ui.tasks import TaskRunner
from ui.views.inbox_page import InboxPage, unread_count
from ui.views.listening_model import ListeningModel, ListeningRole


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


@pytest.fixture
def masto() -> Iterator[FakeListeningMastodon]:
    with FakeListeningMastodon() as fake:
        yield fake


def _setup(ctx: AppContext, masto: FakeListeningMastodon) -> tuple[WorkspaceDTO, int]:
    ws = next(w for w in ctx.workspaces.list() if w.name == "Harbor Light Books")
    cid = ctx.channels.add(
        ws.id,
        "mastodon",
        "Harbor real",
        handle=f"@alice@{masto.host}",
        base_url=masto.url,
        credentials={"access_token": DEFAULT_TOKEN},
    ).subject
    assert cid is not None
    return ws, cid


def _page(
    qtbot: QtBot, ctx: AppContext, runner: TaskRunner, ws: WorkspaceDTO, opened: list[QUrl]
) -> InboxPage:
    page = InboxPage(ctx, runner, open_url=opened.append)
    qtbot.addWidget(page)
    page.resize(1300, 800)
    page.set_workspace(ws)
    page.show()
    return page


def test_add_sync_show_open_and_remove(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner, masto: FakeListeningMastodon
) -> None:
    ws, cid = _setup(demo_ctx, masto)
    unread_before = unread_count(demo_ctx, ws.id)
    opened: list[QUrl] = []
    page = _page(qtbot, demo_ctx, runner, ws, opened)
    panel = page.listening
    page.tabs.setCurrentWidget(panel)
    assert not page.sync.isVisible()  # the inbox's Sync now is not the Listening tab's
    panel.channel.setCurrentIndex(panel.channel.findData(cid))
    panel.kind.setCurrentIndex(panel.kind.findData("hashtag"))
    panel.text.setText("two words")
    panel.add_button.click()
    assert "one word" in panel.sync_message.text() and panel.text.text() == "two words"
    panel.text.setText("#Books")
    panel.add_button.click()
    assert panel.text.text() == "" and panel.searches.count() == 2
    assert panel.current_search_id() is not None
    status = masto.post_public("reader", "x", tags=("books",))
    status["content"] = (
        '<p>Loving <a href="https://example.org/b">this</a><img src="https://evil/x.png">'
        "<script>alert(1)</script></p>"
    )
    panel.sync_button.click()
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=10_000)
    assert panel.sync_message.text() == "1 new"
    html = panel.viewer.toHtml()
    assert "Loving" in html and "alert(1)" not in html and "evil" not in html
    assert opened == []  # nothing opens on its own
    panel.viewer.anchorClicked.emit(QUrl("javascript:alert(1)"))
    panel.viewer.anchorClicked.emit(QUrl("https://example.org/b"))
    panel.open_button.click()
    assert [u.toString() for u in opened] == ["https://example.org/b", status["url"]]
    # Listened posts are not inbox items: the badge and the inbox list are unchanged.
    assert unread_count(demo_ctx, ws.id) == unread_before
    assert all(i.kind != "listening" for i in demo_ctx.inbox.list_items(ws.id, limit=500))
    panel.remove_button.click()
    assert panel.searches.count() == 1 and panel.model.rowCount() == 0


def test_notification_click_returns_to_the_inbox_tab(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = next(w for w in demo_ctx.workspaces.list() if w.name == "Harbor Light Books")
    page = _page(qtbot, demo_ctx, runner, ws, [])
    page.tabs.setCurrentWidget(page.listening)
    first = demo_ctx.inbox.list_items(ws.id)[0]
    page.show_items([first.id])
    assert page.tabs.currentIndex() == 0 and page.current_item() is not None


def test_the_model_passes_the_model_tester(
    qtbot: QtBot, demo_ctx: AppContext, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    ws = next(w for w in demo_ctx.workspaces.list() if w.name == "Harbor Light Books")
    cid = next(c.id for c in demo_ctx.channels.list(ws.id) if c.network == "mastodon")
    sid = demo_ctx.listening.add(ws.id, cid, "query", "books")
    from tests.ui.listening_rows import add_posts

    add_posts(demo_ctx, sid, 5)
    model = ListeningModel()
    model.set_posts(demo_ctx.listening.list_results(ws.id), ws.timezone)
    qtmodeltester.check(model)
    index = model.index(0)
    assert model.data(index, ListeningRole.POST_ID) == model.post(0).id  # type: ignore[union-attr]
    assert "Reader 4" in model.data(index)
