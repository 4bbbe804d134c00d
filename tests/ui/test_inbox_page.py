"""The Inbox page: its model, paging, filters, state actions, conversation, reply, sync, unread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import QUrl
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import ChannelDTO, Conversation, ConversationEntry, InboxFilter, WorkspaceDTO
from cmdesk.errors import UserError
from cmdesk.status import InboxState
from tests.ui.conftest import NOW
from tests.ui.inbox_fakes import FakeInbox, make_item, many_items, our_post
from ui.models.inbox import PAGE_SIZE, InboxModel, InboxRole
from ui.tasks import TaskRunner
from ui.views.inbox_filter_bar import NOT_DONE
from ui.views.inbox_page import InboxPage, unread_count


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    r.shutdown()


def _workspace(ctx: AppContext, name: str = "Harbor Light Books") -> WorkspaceDTO:
    return next(w for w in ctx.workspaces.list() if w.name == name)


def _channels(ctx: AppContext, ws: WorkspaceDTO) -> dict[str, ChannelDTO]:
    return {c.network: c for c in ctx.channels.list(ws.id)}


def _page(
    qtbot: QtBot, ctx: AppContext, runner: TaskRunner, ws: WorkspaceDTO, opened: list[QUrl]
) -> InboxPage:
    page = InboxPage(ctx, runner, open_url=opened.append)
    qtbot.addWidget(page)
    page.resize(1200, 800)
    page.set_workspace(ws)
    page.show()
    page.activateWindow()  # shortcuts only reach an active window
    qtbot.waitActive(page)
    return page


@pytest.fixture
def fake(demo_ctx: AppContext) -> FakeInbox:
    """The demo plan with its inbox replaced by 450 items in memory on Harbor's channels."""
    ws = _workspace(demo_ctx)
    # Channels that are not demo ones: the page fetches threads and sends replies only for those.
    for network, url in (
        ("mastodon", "https://mastodon.example"),
        ("bluesky", "https://bsky.social"),
    ):
        demo_ctx.channels.add(ws.id, network, f"Harbor {network}", handle="harbor", base_url=url)
    real = {c.network: c for c in demo_ctx.channels.list(ws.id) if not c.is_demo}
    ids = [c.id for c in real.values()]
    inbox = FakeInbox(many_items(450, ids, NOW, workspace_id=ws.id), demo_ctx.hub)
    inbox.channels = real
    demo_ctx.inbox = inbox  # type: ignore[assignment]
    return inbox


# --- the model ---------------------------------------------------------------------------------


def test_model_passes_qtmodeltester_while_paging(qtmodeltester, fake: FakeInbox) -> None:  # type: ignore[no-untyped-def]
    model = InboxModel()
    model.set_source(fake)
    model.set_context(1, "America/New_York", NOW.date(), ())
    model.set_filter(InboxFilter())
    model.reload()
    qtmodeltester.check(model)
    model.fetchMore()
    qtmodeltester.check(model)


def test_model_reads_one_page_then_the_next_by_keyset(fake: FakeInbox) -> None:
    ws_id = next(iter(fake.items.values())).workspace_id
    model = InboxModel()
    model.set_source(fake)
    model.set_context(ws_id, "UTC", NOW.date(), ())
    model.reload()
    assert model.rowCount() == PAGE_SIZE and model.canFetchMore()
    last = model.row_item(PAGE_SIZE - 1)
    assert last is not None
    model.fetchMore()
    assert fake.list_calls[-1][2] == (last.received_at, last.id)
    model.fetchMore()
    assert model.rowCount() == 450 and not model.canFetchMore()
    ids = [model.row_item(r).id for r in range(450)]  # type: ignore[union-attr]
    assert len(set(ids)) == 450  # ties on received_at neither repeat nor lose a row
    keys = [(model.row_item(r).received_at, model.row_item(r).id) for r in range(450)]  # type: ignore[union-attr]
    assert keys == sorted(keys, reverse=True)


def test_model_cleans_hostile_names_and_formats_times(fake: FakeInbox) -> None:
    item = make_item(9999, 1, NOW - timedelta(days=400), author="Evil\u202e\x07 Name\n" + "x" * 500)
    model = InboxModel()
    model.set_source(FakeInbox([item]))
    model.set_context(1, "Europe/Madrid", NOW.date(), ())
    model.reload()
    author = model.data(model.index(0), InboxRole.AUTHOR)
    assert "\u202e" not in author and "\x07" not in author and "\n" not in author
    assert len(author) <= 80
    assert model.data(model.index(0), InboxRole.LOCAL_TIME).endswith("2025")
    assert model.data(model.index(0), InboxRole.IS_NEW) is True


def test_further_pages_are_read_on_the_runner_and_a_reload_drops_a_late_one(
    qtbot: QtBot, fake: FakeInbox, runner: TaskRunner
) -> None:
    ws_id = next(iter(fake.items.values())).workspace_id
    model = InboxModel()
    model.set_source(fake)
    model.set_runner(runner)
    model.set_context(ws_id, "UTC", NOW.date(), ())
    model.reload()
    fake.list_gate = threading.Event()
    model.fetchMore()
    assert model.fetching and model.rowCount() == PAGE_SIZE  # the GUI thread did not wait
    model.fetchMore()  # asked again while on its way: no second read
    qtbot.waitUntil(lambda: len(fake.list_calls) == 2)
    qtbot.wait(50)
    assert len(fake.list_calls) == 2
    fake.list_gate.set()
    qtbot.waitUntil(lambda: model.rowCount() == 2 * PAGE_SIZE)
    assert not model.fetching
    fake.list_gate = threading.Event()
    model.fetchMore()
    model.reload(keep=model.rowCount())  # a refresh meanwhile
    fake.list_gate.set()
    qtbot.waitUntil(runner.is_idle)
    assert (
        model.rowCount() == 2 * PAGE_SIZE
    )  # the reload kept what was shown; the late page is dropped
    rows = [model.row_item(r).id for r in range(model.rowCount())]  # type: ignore[union-attr]
    assert len(set(rows)) == len(rows)


# --- opening, paging and filters --------------------------------------------------------------


def test_page_opens_with_one_page_and_loads_more_when_scrolled(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    assert page.model.rowCount() == PAGE_SIZE and page.model.canFetchMore()
    assert len(fake.list_calls) == 1 and fake.list_calls[0][1] == PAGE_SIZE
    assert fake.list_calls[0][0].states == NOT_DONE
    page.list.scrollToBottom()
    open_items = sum(1 for i in fake.items.values() if i.state in NOT_DONE)
    qtbot.waitUntil(lambda: page.model.rowCount() == open_items)
    page.filter_bar.state.setCurrentIndex(page.filter_bar.state.findData("any"))
    assert page.model.rowCount() == PAGE_SIZE  # a new filter starts from the newest again


def test_filters_narrow_what_the_service_reads(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    bar = page.filter_bar
    kinds = lambda: {page.model.row_item(r).kind for r in range(page.model.rowCount())}  # type: ignore[union-attr]  # noqa: E731
    assert page.model.rowCount() == 9  # the demo's ten Harbor items, one of them done
    bar.kind.setCurrentIndex(bar.kind.findData("dm"))
    assert kinds() == {"dm"}
    bar.kind.setCurrentIndex(0)
    bar.state.setCurrentIndex(bar.state.findData("done"))
    assert [page.model.row_item(0).author_name] == ["Quinn"]  # type: ignore[union-attr]
    bar.state.setCurrentIndex(bar.state.findData("any"))
    bar.channel.setCurrentIndex(bar.channel.findData(_channels(demo_ctx, ws)["bluesky"].id))
    assert {page.model.row_item(r).network for r in range(page.model.rowCount())} == {"bluesky"}  # type: ignore[union-attr]
    bar.channel.setCurrentIndex(0)
    bar.search.setText("wheelchair")
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_item(0).author_name == "Ana Reyes"  # type: ignore[union-attr]
    bar.search.setText("no such words anywhere")
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.empty_label)
    assert "Nothing matches" in page.empty_label.text()


def test_new_items_arriving_above_do_not_move_the_list_under_the_reader(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    page.list.scrollTo(page.model.index(60), page.list.ScrollHint.PositionAtTop)
    page.list.setCurrentIndex(page.model.index(62))
    top_before = page.list.indexAt(page.list.viewport().rect().topLeft()).row()
    current = page.current_item()
    channel = fake.channels["mastodon"]
    for n in range(5):  # a poll brings five newer items
        new = make_item(
            50_000 + n,
            channel.id,
            NOW + timedelta(minutes=n + 1),
            workspace_id=current.workspace_id,
        )  # type: ignore[union-attr]
        fake.items[new.id] = new
    page.refresh()
    top_after = page.list.indexAt(page.list.viewport().rect().topLeft()).row()
    assert top_after == top_before + 5
    assert page.current_item() == current


# --- states -----------------------------------------------------------------------------------


def _select_rows(page: InboxPage, rows: list[int]) -> None:
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag
    page.list.setCurrentIndex(page.model.index(rows[0]))
    for r in rows[1:]:
        page.list.selectionModel().select(page.model.index(r), flags.Select)


def test_keys_mark_many_items_done_undone_unread_and_read(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    from PySide6.QtCore import Qt

    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    page.MARK_READ_MS = 60_000
    first, second = page.model.row_item(0), page.model.row_item(1)
    assert first is not None and second is not None
    _select_rows(page, [0, 1])
    page.list.setFocus()
    qtbot.waitUntil(page.list.hasFocus)
    qtbot.keyClick(page.list, Qt.Key.Key_E)
    states = {i.id: i.state for i in demo_ctx.inbox.list_items(ws.id)}
    assert states[first.id] == states[second.id] == InboxState.DONE
    assert page.model.row_of(first.id) is None  # "Not done" no longer lists them
    assert page.current_item() is not None  # the next item became the current one
    page.filter_bar.state.setCurrentIndex(page.filter_bar.state.findData("done"))
    rows = [page.model.row_of(first.id), page.model.row_of(second.id)]
    _select_rows(page, [r for r in rows if r is not None])
    qtbot.keyClick(page.list, Qt.Key.Key_E, Qt.KeyboardModifier.ShiftModifier)
    assert demo_ctx.inbox.get_item(first.id).state == InboxState.READ
    page.filter_bar.state.setCurrentIndex(page.filter_bar.state.findData("any"))
    assert page.select_item(first.id)
    qtbot.keyClick(page.list, Qt.Key.Key_U)
    assert demo_ctx.inbox.get_item(first.id).state == InboxState.NEW
    qtbot.keyClick(page.list, Qt.Key.Key_I, Qt.KeyboardModifier.ShiftModifier)
    assert demo_ctx.inbox.get_item(first.id).state == InboxState.READ


def test_typing_e_in_the_reply_box_marks_nothing(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    page.list.setCurrentIndex(page.model.index(0))
    item = page.current_item()
    assert item is not None
    page.reply_box.editor.setFocus()
    qtbot.waitUntil(page.reply_box.editor.hasFocus)
    qtbot.keyClicks(page.reply_box.editor, "e")
    assert page.reply_box.text == "e"
    assert demo_ctx.inbox.get_item(item.id).state != InboxState.DONE


def test_an_item_selected_for_a_moment_is_marked_read(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    page.MARK_READ_MS = 300
    new = [page.model.row_item(r) for r in range(page.model.rowCount())]
    new = [i for i in new if i is not None and i.state == InboxState.NEW]
    passed, kept = new[0], new[1]
    page.select_item(passed.id)
    page.select_item(kept.id)  # moved on at once: the first stays new
    qtbot.waitUntil(lambda: demo_ctx.inbox.get_item(kept.id).state == InboxState.READ)
    assert demo_ctx.inbox.get_item(passed.id).state == InboxState.NEW
    assert page.current_item() is not None and page.current_item().id == kept.id  # type: ignore[union-attr]


def test_unread_count_for_the_badge_and_the_signal(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    assert unread_count(demo_ctx, ws.id) == 5  # the demo's new Harbor items
    page = InboxPage(demo_ctx, runner)
    qtbot.addWidget(page)
    seen: list[int] = []
    page.unread_changed.connect(seen.append)
    page.set_workspace(ws)
    page.show()
    qtbot.waitUntil(lambda: seen == [5])
    _select_rows(page, [0, 1])
    page.mark(InboxState.READ)
    assert seen[-1] == 3 == unread_count(demo_ctx, ws.id)
    assert page.unread_label.text() == "3 new"


# --- conversation -----------------------------------------------------------------------------


def test_conversation_loads_off_the_gui_thread_and_says_when_it_cannot(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    fake.gate = threading.Event()
    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    page.list.setCurrentIndex(page.model.index(0))
    item = page.current_item()
    assert item is not None
    assert page.conversation.state == "loading"
    assert item.text in page.conversation.browser.toPlainText()  # readable while it loads
    fake.gate.set()
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    assert "Our brand" in page.conversation.browser.toPlainText()
    fake.gate = None
    fake.fail_next.append(UserError("The server did not answer. Check the connection."))
    page.list.setCurrentIndex(page.model.index(1))
    qtbot.waitUntil(lambda: page.conversation.state == "error")
    assert "did not answer" in page.conversation.status.text()
    assert page.conversation.retry_button.isVisible()
    assert page.current_item().text in page.conversation.browser.toPlainText()  # type: ignore[union-attr]
    page.conversation.retry_button.click()
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    assert not page.conversation.retry_button.isVisible()


HOSTILE = (
    '<p>Hi <script>alert("x")</script><img src="http://127.0.0.1:{port}/pixel.png" '
    'onerror="alert(1)" alt="cat"><a href="javascript:alert(2)" onclick="alert(3)">win</a> '
    '<a href=" JaVa&#x09;ScRiPt:alert(4)">tab</a> <a href="data:text/html,x">data</a> '
    '<iframe src="http://127.0.0.1:{port}/frame"></iframe><style>p {{ background: '
    'url(http://127.0.0.1:{port}/bg.png) }}</style><object data="http://127.0.0.1:{port}/o">'
    '</object><a href="https://example.org/ok">fine</a></p>'
)


class _Counter:
    """A local HTTP server that counts requests (nothing may ever reach it)."""

    def __init__(self) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        hits = self.hits = [0]

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits[0] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


@pytest.fixture
def counter() -> Iterator[_Counter]:
    c = _Counter()
    yield c
    c.stop()


def test_hostile_html_is_shown_harmless_and_nothing_is_fetched(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner, counter: _Counter
) -> None:
    ws = _workspace(demo_ctx)
    hostile = HOSTILE.format(port=counter.port)
    channel = fake.channels["mastodon"]
    item = make_item(
        10_000, channel.id, NOW, text="Hi win tab data fine", safe_html=hostile, workspace_id=ws.id
    )
    fake.items = {item.id: item}
    entry = ConversationEntry("x", "evil@bad.example", "<b>Evil</b>", "t", hostile, NOW, False)
    fake.conversations[item.id] = Conversation(item, our_post(3, "<i>Our</i> post"), (entry,))
    opened: list[QUrl] = []
    page = _page(qtbot, demo_ctx, runner, ws, opened)
    page.select_item(item.id)
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    qtbot.wait(200)  # time for any (wrong) fetch to happen
    shown = page.conversation.browser.toHtml().lower()
    for bad in ("script", "alert", "onerror", "onclick", "javascript", "data:", "iframe", "<img"):
        assert bad not in shown, bad
    assert f"127.0.0.1:{counter.port}" not in shown
    assert 'href="https://example.org/ok"' in shown
    text = page.conversation.browser.toPlainText()
    assert "[image: cat]" in text and "<b>Evil</b>" in text and "<i>Our</i> post" in text
    assert counter.hits == [0] and opened == []
    # Even markup that slipped past every sanitiser loads nothing: the browser refuses.
    page.conversation.browser.setHtml(f'<img src="http://127.0.0.1:{counter.port}/direct.png">')
    page.conversation.browser.grab()
    qtbot.wait(200)
    assert counter.hits == [0]
    assert any("direct.png" in url for url in page.conversation.browser.refused)


def test_links_open_in_the_browser_only_when_clicked(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    opened: list[QUrl] = []
    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), opened)
    page.list.setCurrentIndex(page.model.index(0))
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    assert opened == []
    browser = page.conversation.browser
    browser.anchorClicked.emit(QUrl("javascript:alert(1)"))
    browser.anchorClicked.emit(QUrl("file:///etc/passwd"))
    assert opened == []
    browser.anchorClicked.emit(QUrl("https://example.org/a"))
    assert [u.toString() for u in opened] == ["https://example.org/a"]
    with qtbot.waitSignal(page.edit_requested) as asked:
        browser.anchorClicked.emit(QUrl("cmdesk-post:42"))
    assert asked.args == [42]
    assert browser.source().isEmpty()  # nothing was navigated to


def test_bluesky_text_is_escaped_and_its_links_are_links(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    channel = fake.channels["bluesky"]
    text = "<b>not bold</b> & see https://example.org/x?a=1&b=2 ok"
    item = make_item(
        20_000,
        channel.id,
        NOW,
        network="bluesky",
        text=text,
        safe_html="<script>x</script>",
        workspace_id=ws.id,
    )
    fake.items = {item.id: item}
    page = _page(qtbot, demo_ctx, runner, ws, [])
    page.select_item(item.id)
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    shown = page.conversation.browser.toHtml()
    assert text in page.conversation.browser.toPlainText()
    assert 'href="https://example.org/x?a=1&amp;b=2"' in shown
    assert "<b>not bold" not in shown


# --- reply ------------------------------------------------------------------------------------


def test_reply_counts_like_the_network_and_sends_once(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    from PySide6.QtCore import Qt

    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    item = next(
        i for i in page.model.items(range(page.model.rowCount())) if i.network == "mastodon"
    )
    page.select_item(item.id)
    box = page.reply_box
    box.editor.setPlainText("Thanks! " + "https://example.org/" + "a" * 100)
    # A link counts as 23 on Mastodon, and so does the author's handle the reply starts with.
    handle = len(item.author_handle) + 1
    assert box.counter.text() == f"{31 + handle} / 500"
    box.editor.setPlainText("x" * (501 - handle))
    assert box.counter.text() == "501 / 500" and not box.send_button.isEnabled()
    box.editor.setPlainText("We'll hold a seat for you.")
    box.editor.setFocus()
    qtbot.waitUntil(box.editor.hasFocus)
    qtbot.keyClick(box.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: box.message.text() == "Reply sent.")
    assert fake.replies == [(item.id, "We'll hold a seat for you.")]
    assert box.text == ""


def test_a_failed_reply_keeps_the_text_and_says_why(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    page.list.setCurrentIndex(page.model.index(0))
    first = page.current_item()
    box = page.reply_box
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    fake.fail_next.append(UserError("Reconnect the channel: its sign-in was revoked."))
    box.editor.setPlainText("A long, careful answer")
    box.send_button.click()
    qtbot.waitUntil(lambda: "Not sent" in box.message.text())
    assert "Reconnect the channel" in box.message.text()
    assert box.text == "A long, careful answer" and fake.replies == []
    page.list.setCurrentIndex(page.model.index(1))
    assert box.text == ""
    page.select_item(first.id)  # type: ignore[union-attr]
    assert box.text == "A long, careful answer"  # kept while moving around the inbox


# --- sync -------------------------------------------------------------------------------------


def test_sync_now_runs_on_the_runner_and_reports(
    qtbot: QtBot, demo_ctx: AppContext, fake: FakeInbox, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    mastodon = fake.channels["mastodon"]
    fake.sync_result = {mastodon.id: 3, 999_999: 4}  # another workspace's channel is not counted
    page.sync_button.click()
    assert not page.sync_button.isEnabled()
    qtbot.waitUntil(lambda: page.sync_message.text() == "3 new")
    assert fake.sync_calls == [None] and page.sync_button.isEnabled()
    fake.fail_next.append(UserError("No network: the inbox will sync when it is back."))
    page.sync_button.click()
    qtbot.waitUntil(lambda: "No network" in page.sync_message.text())


def test_without_a_workspace_the_page_says_what_to_do(
    qtbot: QtBot, empty_ctx: AppContext, runner: TaskRunner
) -> None:
    page = InboxPage(empty_ctx, runner)
    qtbot.addWidget(page)
    page.set_workspace(None)
    page.show()
    assert page.stack.currentWidget() is page.empty_label
    assert "workspace" in page.empty_label.text()


def test_demo_channels_show_our_post_and_answer_without_any_network(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    ana = next(i for i in demo_ctx.inbox.list_items(ws.id) if i.author_name == "Ana Reyes")
    page.select_item(ana.id)
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    text = page.conversation.browser.toPlainText()
    assert "In answer to our post" in text and ana.text in text
    page.reply_box.editor.setPlainText("Yes, step-free.")
    page.reply_box.send_button.click()
    qtbot.waitUntil(lambda: page.reply_box.message.text() == "Reply sent.")
    assert demo_ctx.inbox.get_item(ana.id).state == InboxState.REPLIED


def test_show_items_opens_the_inbox_at_them_clearing_filters_that_hide_them(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    ws = _workspace(demo_ctx)
    page = _page(qtbot, demo_ctx, runner, ws, [])
    new = [i.id for i in demo_ctx.inbox.list_items(ws.id) if i.state == InboxState.NEW][:2]
    page.filter_bar.state.setCurrentIndex(page.filter_bar.state.findData("done"))
    page.filter_bar.search.setText("Quinn")
    page.show_items([*new, 999_999])
    assert page.filter_bar.current() == InboxFilter(states=NOT_DONE)
    assert {i.id for i in page.selected_items()} == set(new)
    assert page.current_item() is not None and page.current_item().id == new[0]  # type: ignore[union-attr]


def test_every_control_has_a_name_a_screen_reader_can_say(
    qtbot: QtBot, demo_ctx: AppContext, runner: TaskRunner
) -> None:
    from tests.ui.test_accessibility import _name, _visible_controls

    page = _page(qtbot, demo_ctx, runner, _workspace(demo_ctx), [])
    page.list.setCurrentIndex(page.model.index(0))
    qtbot.waitUntil(lambda: page.conversation.state == "loaded")
    controls = _visible_controls(page)
    assert len(controls) >= 10
    assert [type(w).__name__ for w in controls if not _name(w, page)] == []


def test_the_open_benchmark_runs_on_small_data(qtbot: QtBot) -> None:
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_inbox_open import bench_open

    result = bench_open(items=900, runs=2, scroll_rows=400)
    assert result["items"] == 900 and result["open_median_ms"] > 0
    assert result["scroll"]["rows_loaded"] >= 400
