"""The ideas bin in the window: its model, the Ideas page, the Feeds panel, calendar drops.

An idea dropped on the calendar becomes a draft on that day or at that slot, undoably.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtTest import QTest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.planning.ideas_dto import IdeaFilter, IdeaState
from tests.core.test_feeds import ATOM, HTML_PAGE, RSS2
from tests.fakes.feed_server import Answer, FeedServer, running
from tests.ui.calendar_dnd import local_time, mouse_drag, workspace
from ui import feedback
from ui.actions import PlanActions
from ui.models.ideas import IdeaRole, IdeasModel
from ui.models.mime import decode_ideas, decode_posts, encode_ideas
from ui.tasks import TaskRunner
from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.idea_dialog import IdeaDialog
from ui.views.ideas_page import IdeasPage

MADRID = "Europe/Madrid"
ANY = IdeaFilter(states=frozenset())


@pytest.fixture(autouse=True)
def _empty_demo_bin(monkeypatch: pytest.MonkeyPatch) -> None:
    # These tests count the ideas they add: the demo's own ideas stay out of the bin.
    monkeypatch.setattr("cmdesk.planning.demo_planning.DEMO_IDEAS", {})


@pytest.fixture
def ws(demo_ctx: AppContext) -> WorkspaceDTO:
    return workspace(demo_ctx, MADRID)


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    tasks = TaskRunner()
    yield tasks
    tasks.shutdown()


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with running() as srv:
        yield srv


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO, runner: TaskRunner) -> IdeasPage:
    opened: list[QUrl] = []
    widget = IdeasPage(demo_ctx, PlanActions(demo_ctx), runner, open_url=opened.append)
    widget.opened = opened  # type: ignore[attr-defined]
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def add_ideas(ctx: AppContext, ws: WorkspaceDTO, *titles: str) -> list[int]:
    return [
        ctx.ideas.add(ws.id, t, f"About {t}", f"https://example.com/{n}")
        for n, t in enumerate(titles)
    ]


# --- the model ---------------------------------------------------------------------------------


def test_the_model_passes_the_model_tester(
    qtmodeltester: ModelTester, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    ids = add_ideas(demo_ctx, ws, "Rye", "Croissant")
    model = IdeasModel()
    qtmodeltester.check(model)
    model.set_ideas(ws.id, demo_ctx.ideas.list_ideas(ws.id).items, timezone=ws.timezone)
    qtmodeltester.check(model)
    first = model.index(0)
    assert model.data(first, IdeaRole.IDEA_ID) == ids[1]
    assert model.data(first, IdeaRole.SOURCE) == "Typed in"
    assert model.data(first, IdeaRole.LINK) == "https://example.com/1"
    assert "Drag it onto the calendar" in model.data(first, Qt.ItemDataRole.ToolTipRole)
    assert model.flags(first) & Qt.ItemFlag.ItemIsDragEnabled
    dragged = decode_ideas(model.mimeData([first, model.index(1)]))
    assert dragged is not None and dragged.idea_ids == (ids[1], ids[0])
    assert decode_posts(model.mimeData([first])) is None  # not a post drag


def test_idea_mime_refuses_what_is_not_a_drag_of_ideas() -> None:
    assert decode_ideas(None) is None
    broken = QMimeData()
    broken.setData("application/x-cmdesk-idea", b"{not json")
    assert decode_ideas(broken) is None
    empty = encode_ideas(1, [])
    assert decode_ideas(empty) is None
    good = decode_ideas(encode_ideas(3, [5, 5, 6]))
    assert good is not None and good.workspace_id == 3 and good.idea_ids == (5, 6)


# --- the page -----------------------------------------------------------------------------------


def test_page_lists_new_ideas_newest_first_and_filters(
    page: IdeasPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    ids = add_ideas(demo_ctx, ws, "Rye bread", "Croissant day")
    page.refresh()
    assert [i.id for i in page.model.ideas()] == [ids[1], ids[0]]
    assert page.count_label.text() == "2 ideas"
    page.search_edit.setText("rye")
    assert [i.title for i in page.model.ideas()] == ["Rye bread"]
    page.search_edit.clear()
    page.source_combo.setCurrentIndex(page.source_combo.findData(0))  # typed in
    assert page.model.rowCount() == 2


def test_new_idea_dialog_keeps_the_text_after_a_refusal(
    page: IdeasPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    seen: list[str] = []

    def fill(dialog: IdeaDialog) -> bool:
        dialog.title_edit.setText("Sourdough class")
        dialog.link_edit.setText("javascript:alert(1)")
        assert not dialog.try_save()
        seen.append(dialog.problem.text())
        assert dialog.link_edit.text() == "javascript:alert(1)"  # nothing lost
        dialog.link_edit.setText("https://example.com/class")
        return dialog.try_save()

    page.run_dialog = fill
    QTest.keyClick(
        page.ideas_list,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert seen and "http" in seen[0]
    assert [i.title for i in page.model.ideas()] == ["Sourdough class"]
    assert page.selected_ideas()[0].link == "https://example.com/class"


def test_delete_discards_and_undo_restores(
    page: IdeasPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    ids = add_ideas(demo_ctx, ws, "Rye bread", "Croissant day")
    page.refresh()
    page.select_idea(ids[1])
    page.ideas_list.setFocus()
    QTest.keyClick(page.ideas_list, Qt.Key.Key_Delete)
    assert demo_ctx.ideas.get_idea(ids[1]).state is IdeaState.DISCARDED
    assert [i.id for i in page.model.ideas()] == [ids[0]]
    page.plan_actions.undo_stack.undo()
    assert demo_ctx.ideas.get_idea(ids[1]).state is IdeaState.NEW
    page.state_combo.setCurrentIndex(2)  # Discarded
    assert page.model.rowCount() == 0


def test_make_draft_opens_the_composer_and_undo_takes_it_back(
    page: IdeasPage, qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    (iid,) = add_ideas(demo_ctx, ws, "Rye bread")
    page.refresh()
    page.select_idea(iid)
    with qtbot.waitSignal(page.edit_requested) as opened:
        QTest.keyClick(page.ideas_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    post = demo_ctx.plan.get_post(opened.args[0])
    assert post.title == "Rye bread" and post.text.endswith("https://example.com/0")
    assert demo_ctx.ideas.get_idea(iid).state is IdeaState.USED
    assert page.model.rowCount() == 0  # used ideas leave the "New" list
    page.plan_actions.undo_stack.undo()
    assert demo_ctx.ideas.get_idea(iid).state is IdeaState.NEW
    assert post.id not in [p.id for p in demo_ctx.plan.list_unscheduled(ws.id)]
    page.plan_actions.undo_stack.redo()
    assert demo_ctx.ideas.get_idea(iid).post_id == post.id
    assert demo_ctx.plan.get_post(post.id).title == "Rye bread"


def test_links_open_only_when_clicked_and_only_to_the_web(
    page: IdeasPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    (iid,) = add_ideas(demo_ctx, ws, "Rye bread")
    page.refresh()
    page.select_idea(iid)
    opened: list[QUrl] = page.opened  # type: ignore[attr-defined]
    assert "https://example.com/0" in page.detail.toHtml() and opened == []
    assert page.detail.refused == []  # nothing was fetched to show it
    page.detail.anchorClicked.emit(QUrl("javascript:alert(1)"))
    assert opened == []
    page.detail.anchorClicked.emit(QUrl("https://example.com/0"))
    assert opened == [QUrl("https://example.com/0")]


def test_widgets_have_accessible_names(page: IdeasPage) -> None:
    for widget in (
        page.ideas_list,
        page.new_button,
        page.draft_button,
        page.discard_button,
        page.search_edit,
        page.state_combo,
        page.source_combo,
        page.feeds_panel.url_edit,
        page.feeds_panel.list,
        page.feeds_panel.refresh_button,
    ):
        assert widget.accessibleName(), widget


# --- the feeds panel -----------------------------------------------------------------------------


def test_add_feed_reads_it_on_the_runner(
    page: IdeasPage,
    qtbot: QtBot,
    demo_ctx: AppContext,
    ws: WorkspaceDTO,
    server: FeedServer,
    runner: TaskRunner,
) -> None:
    server.put("/rss", Answer(RSS2))
    panel = page.feeds_panel
    panel.url_edit.setText(server.url("/rss"))
    with qtbot.waitSignal(panel.refreshed, timeout=10_000) as done:
        QTest.keyClick(panel.url_edit, Qt.Key.Key_Return)
    assert done.args[0][0].new_ideas == 2
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)  # the change sets reach the page
    assert panel.list.count() == 1 and "Bakery news" in panel.list.item(0).text()
    assert page.source_combo.findText("Bakery news") >= 0


def test_feed_errors_show_and_a_web_page_offers_its_feed(
    page: IdeasPage,
    qtbot: QtBot,
    demo_ctx: AppContext,
    ws: WorkspaceDTO,
    server: FeedServer,
    runner: TaskRunner,
) -> None:
    server.put("/page", Answer(HTML_PAGE, "text/html"))
    server.put("/feed.xml", Answer(ATOM))
    panel = page.feeds_panel
    asked: list[str] = []

    def yes(_parent: object, _title: str, text: str) -> bool:
        asked.append(text)
        return True

    panel.confirm = yes
    panel.url_edit.setText(server.url("/page"))
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.add_button.click()
    qtbot.waitUntil(
        lambda: len(demo_ctx.ideas.list_feeds(ws.id)) == 1 and page.model.rowCount() == 1,
        timeout=10_000,
    )
    qtbot.waitUntil(runner.is_idle, timeout=10_000)  # the suggested feed's read is over
    assert asked and server.url("/feed.xml") in asked[0]
    assert demo_ctx.ideas.list_feeds(ws.id)[0].url == server.url("/feed.xml")
    server.put("/feed.xml", Answer(b"x", "text/plain", 503))
    panel.select_feed(demo_ctx.ideas.list_feeds(ws.id)[0].id)
    with qtbot.waitSignal(panel.refreshed, timeout=10_000):
        panel.refresh_button.click()
    assert "503" in panel.error_label.text() and panel.error_label.isVisibleTo(panel)
    assert panel.list.item(0).text().startswith("⚠")


def test_bad_feed_address_is_refused_and_kept(
    page: IdeasPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr("ui.views.ideas_feeds.show_error", lambda _w, exc: shown.append(str(exc)))
    page.feeds_panel.url_edit.setText("ftp://example.com/feed")
    page.feeds_panel.add_button.click()
    assert shown and "http" in shown[0]
    assert page.feeds_panel.url_edit.text() == "ftp://example.com/feed"


def test_pause_and_remove_a_feed(page: IdeasPage, demo_ctx: AppContext, ws: WorkspaceDTO) -> None:
    fid = demo_ctx.ideas.subscribe(ws.id, "https://example.com/rss")
    panel = page.feeds_panel
    panel.reload()
    panel.select_feed(fid)
    panel.pause_button.click()
    assert not demo_ctx.ideas.get_feed(fid).is_active
    assert "(paused)" in panel.list.item(0).text() and panel.pause_button.text() == "Res&ume"
    panel.confirm = lambda *_: False
    panel.remove_button.click()
    assert demo_ctx.ideas.list_feeds(ws.id)  # not confirmed: kept
    panel.confirm = lambda *_: True
    panel.remove_button.click()
    assert demo_ctx.ideas.list_feeds(ws.id) == []


# --- ideas dropped on the calendar ------------------------------------------------------------------


@pytest.fixture
def calendar(qtbot: QtBot, demo_ctx: AppContext, ws: WorkspaceDTO) -> CalendarPage:
    widget = CalendarPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.set_workspace(ws)
    widget.show()
    qtbot.waitExposed(widget)
    feedback.last_refusal.clear()
    return widget


def _side_drag(
    calendar: CalendarPage,
    monkeypatch: pytest.MonkeyPatch,
    idea_id: int,
    target: QPoint,
    grid: object,
) -> Qt.DropAction:
    side = calendar.ideas_side
    calendar.side_list.tabs.setCurrentWidget(side)  # type: ignore[union-attr]
    row = side.model.row_of(idea_id)
    start = side.list.visualRect(side.model.index(row)).center()
    result = mouse_drag(monkeypatch, side.list.viewport(), start, grid.viewport(), target)  # type: ignore[attr-defined]
    assert result.started
    return result.action


def _day_point(calendar: CalendarPage, day: date) -> QPoint:
    rect = calendar.month_grid.visualRect(calendar.month_model.index_for_date(day))
    return QPoint(rect.center().x(), rect.bottom() - 4)


def test_an_idea_dropped_on_a_month_day_becomes_a_draft_that_day(
    calendar: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    (iid,) = add_ideas(demo_ctx, ws, "Rye bread")
    calendar.refresh()
    assert calendar.ideas_side.model.ideas()[0].id == iid
    day = date(2026, 3, 30)  # the day after Madrid's spring change
    action = _side_drag(calendar, monkeypatch, iid, _day_point(calendar, day), calendar.month_grid)
    assert action != Qt.DropAction.IgnoreAction
    idea = demo_ctx.ideas.get_idea(iid)
    assert idea.state is IdeaState.USED and idea.post_id is not None
    wall = time.fromisoformat(ws.default_post_time)
    assert local_time(demo_ctx, ws, idea.post_id) == datetime.combine(day, wall)
    assert idea.post_id in [p.id for p in calendar.month_model.posts_on(day)]
    assert iid not in [i.id for i in calendar.ideas_side.model.ideas()]
    calendar._actions.undo_stack.undo()
    assert demo_ctx.ideas.get_idea(iid).state is IdeaState.NEW


def test_an_idea_dropped_on_a_week_slot_takes_its_time(
    calendar: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    (iid,) = add_ideas(demo_ctx, ws, "Rye bread")
    calendar.set_mode(CalendarMode.WEEK)
    calendar.refresh()
    grid = calendar.week_grid
    day = next(d for d in calendar.time_model.period.days() if d > date(2026, 3, 20))
    index = grid.model().index((14 * 60 + 15) // 15, grid.column_of_day(day))
    grid.scrollTo(index)
    action = _side_drag(calendar, monkeypatch, iid, grid.visualRect(index).center(), grid)
    assert action != Qt.DropAction.IgnoreAction
    post_id = demo_ctx.ideas.get_idea(iid).post_id
    assert post_id is not None
    assert local_time(demo_ctx, ws, post_id) == datetime.combine(day, time(14, 15))


def test_an_idea_dropped_in_the_past_is_refused_and_stays_new(
    calendar: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO, monkeypatch: pytest.MonkeyPatch
) -> None:
    (iid,) = add_ideas(demo_ctx, ws, "Rye bread")
    calendar.refresh()
    action = _side_drag(
        calendar, monkeypatch, iid, _day_point(calendar, date(2026, 3, 10)), calendar.month_grid
    )
    assert action == Qt.DropAction.IgnoreAction
    assert "already passed" in feedback.last_refusal[0]
    assert demo_ctx.ideas.get_idea(iid).state is IdeaState.NEW
    assert calendar._actions.undo_stack.count() == 0


def test_an_idea_of_another_workspace_is_refused(
    calendar: CalendarPage, demo_ctx: AppContext, ws: WorkspaceDTO
) -> None:
    other = next(w for w in demo_ctx.workspaces.list() if w.id != ws.id)
    iid = demo_ctx.ideas.add(other.id, "Elsewhere")
    mime = encode_ideas(other.id, [iid])
    cell = calendar.month_model.index_for_date(date(2026, 3, 30))
    assert not calendar.month_model.canDropMimeData(mime, Qt.DropAction.CopyAction, -1, -1, cell)
    assert demo_ctx.ideas.get_idea(iid).state is IdeaState.NEW


def test_feed_settings_box_saves_the_interval(qtbot: QtBot, demo_ctx: AppContext) -> None:
    from ui.views.settings_ideas import FeedSettingsBox

    box = FeedSettingsBox(demo_ctx)
    qtbot.addWidget(box)
    assert box.spin.value() == 60 and box.spin.accessibleName()
    box.spin.setValue(15)
    box.spin.editingFinished.emit()
    assert demo_ctx.settings.get("feed_refresh_minutes") == 15
    box.spin.setValue(1)  # below the minimum: the field keeps it in range
    assert box.spin.value() == 5
    demo_ctx.settings.set("feed_refresh_minutes", 90)
    box.reload()
    assert box.spin.value() == 90
