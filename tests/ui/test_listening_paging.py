"""The Listening tab pages its posts (keyset, later pages on the task runner) past 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from tests.ui.listening_rows import add_posts
from ui.tasks import TaskRunner
from ui.views.listening_model import PAGE, ListeningModel
from ui.views.listening_page import ListeningPanel


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


def _search(ctx: AppContext, count: int) -> tuple[int, int]:
    ws = next(w for w in ctx.workspaces.list() if w.name == "Harbor Light Books")
    cid = next(c.id for c in ctx.channels.list(ws.id) if c.network == "mastodon")
    sid = ctx.listening.add(ws.id, cid, "query", "books")
    add_posts(ctx, sid, count)
    return ws.id, sid


def test_scrolling_reads_every_post_a_page_at_a_time_off_the_gui_thread(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    wid, _sid = _search(demo_ctx, 2 * PAGE + 150)  # 550: more than the old 500 cap
    ws = next(w for w in demo_ctx.workspaces.list() if w.id == wid)
    panel = ListeningPanel(demo_ctx, runner)
    qtbot.addWidget(panel)
    panel.resize(1200, 700)
    panel.set_workspace(ws)
    panel.show()
    model = panel.model
    assert model.rowCount() == PAGE and model.canFetchMore()
    assert panel.more_button.isVisible() and panel.shown.text() == f"The newest {PAGE} posts"
    panel.more_button.click()  # the button (keyboard users); scrolling does the same
    assert model.fetching and not panel.more_button.isEnabled()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE)
    panel.results.scrollToBottom()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE + 150)
    assert not model.canFetchMore() and not panel.more_button.isVisible()
    assert panel.shown.text() == "550 posts"
    texts = [model.post(r).text for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(set(texts)) == len(texts) == 550  # no duplicates, none missing
    assert texts[0] == "Books post 549" and texts[-1] == "Books post 0"


def test_a_reload_while_a_page_is_on_its_way_drops_the_stale_page(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner, qtmodeltester
) -> None:  # type: ignore[no-untyped-def]
    wid, sid = _search(demo_ctx, PAGE + 10)
    model = ListeningModel()

    def read(limit: int, before: object) -> list:  # type: ignore[type-arg]
        return demo_ctx.listening.list_results(wid, sid, limit=limit, before=before)  # type: ignore[arg-type]

    model.load(read, "UTC", runner)
    qtmodeltester.check(model)
    model.fetchMore()
    model.load(read, "UTC", runner)  # the person chose another search meanwhile
    qtbot.wait(300)
    assert model.rowCount() == PAGE and model.canFetchMore()
    model.fetchMore()
    qtbot.waitUntil(lambda: model.rowCount() == PAGE + 10)
    qtmodeltester.check(model)
