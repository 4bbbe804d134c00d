"""The List page: a filterable, sortable table with actions on a selection, each one undo step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from PySide6.QtCore import QDate, QModelIndex, QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostFilter, PostSummary
from cmdesk.planning.recurrence import RecurrenceInput
from cmdesk.status import PostStatus
from cmdesk.timeutil import utc_to_local
from ui.actions import PlanActions
from ui.bridge import EventBridge
from ui.models.mime import decode_posts
from ui.models.post_table import PostColumn, PostTableRole
from ui.views import list_page, post_menu
from ui.views.list_page import ListPage


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal error dialog would hang an offscreen test: fail with the error instead."""

    def fail(_parent: object, exc: BaseException) -> None:
        raise AssertionError(f"unexpected error dialog: {exc}")

    monkeypatch.setattr(list_page, "show_error", fail)
    monkeypatch.setattr(post_menu, "show_error", fail)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext) -> Iterator[ListPage]:
    page = ListPage(demo_ctx, PlanActions(demo_ctx))
    bridge = EventBridge(demo_ctx.hub, page)
    bridge.changed.connect(page.on_changes)
    qtbot.addWidget(page)
    page.resize(1300, 700)
    page.set_workspace(demo_ctx.workspaces.list()[0])
    page.show()
    qtbot.waitExposed(page)
    yield page
    bridge.close()


def _rows(page: ListPage) -> list[int]:
    proxy = page.proxy
    return [proxy.index(r, 0).data(PostTableRole.POST_ID) for r in range(proxy.rowCount())]


def _statuses(page: ListPage) -> set[PostStatus]:
    return {page.ctx.plan.get_post(pid).status for pid in _rows(page)}


def _choose(combo: object, value: object) -> None:
    i = combo.findData(value)  # type: ignore[attr-defined]
    assert i >= 0
    combo.setCurrentIndex(i)  # type: ignore[attr-defined]


def _select(page: ListPage, ids: list[int]) -> None:
    page.select_ids(ids)
    assert sorted(page.selected_ids()) == sorted(ids)


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, page: ListPage) -> None:
    qtmodeltester.check(page.model)
    qtmodeltester.check(page.proxy)
    total = sum(page.ctx.plan.count_by_status(page.workspace.id).values())  # type: ignore[union-attr]
    assert page.proxy.rowCount() == total
    assert page.count_label.text() == f"{total} posts"


def test_rows_drag_as_posts(page: ListPage) -> None:
    ids = _rows(page)[:2]
    indexes = [page.model.index(page.model.row_of(i) or 0, 0) for i in ids]
    dragged = decode_posts(page.model.mimeData(indexes))
    assert dragged is not None and dragged.post_ids == tuple(ids)


def test_status_filter_goes_to_the_service(page: ListPage) -> None:
    _choose(page.filter_bar.status, PostStatus.SCHEDULED)
    assert _statuses(page) == {PostStatus.SCHEDULED}
    assert page.proxy.rowCount() == 19
    assert page.count_label.text() == "19 posts match the filter"


def test_text_channel_campaign_and_tag_filters(qtbot: QtBot, page: ListPage) -> None:
    ws = page.workspace
    assert ws is not None
    bar = page.filter_bar
    bar.search.setText("Gift")
    qtbot.waitUntil(
        lambda: all("gift" in page.ctx.plan.get_post(p).title.lower() for p in _rows(page))
    )
    assert _rows(page)
    bar.search.clear()
    bar.search.returnPressed.emit()
    bluesky = next(c for c in page.ctx.channels.list(ws.id) if c.network == "bluesky")
    _choose(bar.channel, bluesky.id)
    assert _rows(page)
    assert all(bluesky.id in page.ctx.plan.get_post(p).channel_ids for p in _rows(page))
    _choose(bar.channel, None)
    campaign = page.ctx.plan.list_campaigns(ws.id)[0]
    _choose(bar.campaign, campaign.id)
    assert _rows(page)
    assert {page.ctx.plan.get_post(p).campaign_id for p in _rows(page)} == {campaign.id}
    _choose(bar.campaign, None)
    tag = next(t for t in page.ctx.plan.list_tags(ws.id) if t.kind == "tag")
    _choose(bar.tag, tag.id)
    expected = page.ctx.plan.list_posts(ws.id, PostFilter(tag_ids=frozenset({tag.id})))
    assert sorted(_rows(page)) == sorted(p.id for p in expected)


def test_date_range_is_in_the_workspace_zone(page: ListPage) -> None:
    ws = page.workspace
    assert ws is not None
    page.filter_bar.date_from.setDate(QDate(2026, 3, 21))
    page.filter_bar.date_to.setDate(QDate(2026, 3, 22))
    days = {
        utc_to_local(page.ctx.plan.get_post(p).scheduled_at, ws.timezone).date()  # type: ignore[arg-type]
        for p in _rows(page)
    }
    assert days and days <= {date(2026, 3, 21), date(2026, 3, 22)}


def test_an_impossible_date_range_says_so_and_keeps_the_rows(page: ListPage) -> None:
    page.filter_bar.date_from.setDate(QDate(2026, 3, 21))
    before = _rows(page)
    page.filter_bar.date_to.setDate(QDate(2026, 3, 1))
    assert page.filter_bar.message.text() == "The end date is before the start date."
    assert _rows(page) == before
    page.filter_bar.clear()
    assert page.filter_bar.message.text() == ""


def test_filters_are_remembered_per_workspace(page: ListPage, demo_ctx: AppContext) -> None:
    first, second = demo_ctx.workspaces.list()
    _choose(page.filter_bar.status, PostStatus.APPROVED)
    page.set_workspace(second)
    assert page.filter_bar.status.currentData() is None
    assert len(_statuses(page)) > 1
    page.set_workspace(first)
    assert page.filter_bar.status.currentData() == PostStatus.APPROVED
    assert _statuses(page) == {PostStatus.APPROVED}


def test_sorting_by_title_and_by_time(page: ListPage) -> None:
    page.table.sortByColumn(PostColumn.TITLE, Qt.SortOrder.AscendingOrder)
    titles = [page.proxy.index(r, PostColumn.TITLE).data() for r in range(page.proxy.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    page.table.sortByColumn(PostColumn.WHEN, Qt.SortOrder.DescendingOrder)
    summaries = [
        page.proxy.index(r, 0).data(PostTableRole.SUMMARY) for r in range(page.proxy.rowCount())
    ]
    untimed = [s for s in summaries if s.scheduled_at is None]
    assert untimed and summaries[: len(untimed)] == untimed  # no time sorts after every time
    times = [s.scheduled_at for s in summaries[len(untimed) :]]
    assert times == sorted(times, reverse=True)  # type: ignore[type-var]
    page.table.sortByColumn(PostColumn.STATUS, Qt.SortOrder.AscendingOrder)
    order = list(PostStatus)
    statuses = [
        s.status
        for s in (
            page.proxy.index(r, 0).data(PostTableRole.SUMMARY) for r in range(page.proxy.rowCount())
        )
    ]
    assert statuses == sorted(statuses, key=order.index)


def test_change_status_of_a_selection_is_one_undo_step(qtbot: QtBot, page: ListPage) -> None:
    _choose(page.filter_bar.status, PostStatus.APPROVED)
    ids = _rows(page)[:3]
    _select(page, ids)
    menu = page.status_button.menu()
    labels = [a.text() for a in menu.actions()]
    assert labels == ["Draft", "In review", "Scheduled", "Archived"]
    next(a for a in menu.actions() if a.text() == "In review").trigger()
    assert {page.ctx.plan.get_post(p).status for p in ids} == {PostStatus.IN_REVIEW}
    stack = page.plan_actions.undo_stack
    assert stack.count() == 1
    stack.undo()
    assert {page.ctx.plan.get_post(p).status for p in ids} == {PostStatus.APPROVED}


def test_archive_a_selection_in_one_step(qtbot: QtBot, page: ListPage) -> None:
    _choose(page.filter_bar.status, PostStatus.PUBLISHED)
    ids = _rows(page)[:4]
    _select(page, ids)
    assert page.archive_button.isEnabled()
    page.archive_button.click()
    assert {page.ctx.plan.get_post(p).status for p in ids} == {PostStatus.ARCHIVED}
    # The list follows the filter: archived posts left the "published" list.
    qtbot.waitUntil(lambda: not set(ids) & set(_rows(page)))
    page.plan_actions.undo_stack.undo()
    assert {page.ctx.plan.get_post(p).status for p in ids} == {PostStatus.PUBLISHED}


def test_archive_is_offered_only_when_every_selected_post_allows_it(page: ListPage) -> None:
    _choose(page.filter_bar.status, PostStatus.SCHEDULED)
    _select(page, _rows(page)[:2])
    assert not page.archive_button.isEnabled()  # a scheduled post is unscheduled first
    assert page.delete_button.isEnabled()
    assert page.delete_button.text() == "Delete 2"


def test_delete_key_deletes_the_selection(qtbot: QtBot, page: ListPage) -> None:
    ids = _rows(page)[:2]
    _select(page, ids)
    page.table.setFocus()
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: not set(ids) & set(_rows(page)))
    assert page.plan_actions.undo_stack.count() == 1


def test_enter_and_double_click_open_the_composer(qtbot: QtBot, page: ListPage) -> None:
    pid = _rows(page)[5]
    _select(page, [pid])
    page.table.setFocus()
    with qtbot.waitSignal(page.edit_requested) as blocker:
        QTest.keyClick(page.table, Qt.Key.Key_Return)
    assert blocker.args == [pid]
    row = page.proxy.mapFromSource(page.model.index(page.model.row_of(pid) or 0, 0))
    page.table.scrollTo(row)
    center = page.table.visualRect(row).center()
    QTest.mousePress(page.table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    with qtbot.waitSignal(page.edit_requested) as blocker:
        QTest.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert blocker.args == [pid]


def test_selection_survives_a_reload(page: ListPage) -> None:
    ids = _rows(page)[2:4]
    _select(page, ids)
    page.refresh()
    assert sorted(page.selected_ids()) == sorted(ids)


def test_no_workspace_shows_nothing(page: ListPage) -> None:
    page.set_workspace(None)
    assert page.proxy.rowCount() == 0
    assert page.proxy.index(0, 0) == QModelIndex()


def test_a_workspace_opens_at_today(qtbot: QtBot, page: ListPage) -> None:
    now = page.ctx.clock.now()

    def top() -> PostSummary:
        index = page.table.indexAt(page.table.viewport().rect().topLeft() + QPoint(2, 2))
        return index.data(PostTableRole.SUMMARY)  # type: ignore[no-any-return]

    qtbot.waitUntil(lambda: (top().scheduled_at or now) >= now)
    assert top().scheduled_at is not None
    earlier = [p for p in page.model.posts() if p.scheduled_at and p.scheduled_at < now]
    assert earlier  # there was something to scroll past


def test_context_menu_acts_on_the_selection(qtbot: QtBot, page: ListPage) -> None:
    _choose(page.filter_bar.status, PostStatus.APPROVED)
    ids = _rows(page)[:2]
    _select(page, ids)
    row = page.proxy.mapFromSource(page.model.index(page.model.row_of(ids[1]) or 0, 0))
    page._menu(page.table.visualRect(row).center())
    menu = next(m for m in page.findChildren(QMenu) if m.isVisible())
    texts = [a.text() for a in menu.actions() if a.text()]
    assert "Delete 2 posts" in texts and "Edit…" not in texts
    menu.close()
    assert "America/New_York" in page.model.headerData(
        PostColumn.WHEN, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole
    )


def test_a_filter_on_a_removed_channel_falls_back_to_any(page: ListPage) -> None:
    ws = page.workspace
    assert ws is not None
    channel = page.ctx.channels.list(ws.id)[0]
    _choose(page.filter_bar.channel, channel.id)
    narrowed = page.proxy.rowCount()
    page.ctx.channels.remove(channel.id)
    page.refresh()
    assert page.filter_bar.channel.currentData() is None
    assert page.current_filter().channel_ids == frozenset()
    assert page.proxy.rowCount() >= narrowed


def test_repeating_posts_carry_their_mark_and_rule(page: ListPage, demo_ctx: AppContext) -> None:
    ws = page.workspace
    assert ws is not None
    scheduled = [p for p in demo_ctx.plan.list_posts(ws.id) if p.status == PostStatus.SCHEDULED]
    demo_ctx.series.make_recurring(scheduled[-1].id, RecurrenceInput(frequency="weekly", count=2))
    page.reload()
    model = page.model
    marked = [r for r in range(model.rowCount()) if model.index(r, 0).data().startswith("↻ ")]
    assert len(marked) == 2  # the post and its next occurrence
    tip = model.index(marked[0], 0).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.splitlines()[-1].startswith("↻ Every")
    # Sorting by title ignores the mark.
    key = model.index(marked[0], 0).data(PostTableRole.SORT)
    assert not key.startswith("↻")
