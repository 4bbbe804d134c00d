"""The Campaigns page, its models, the calendar's campaign bands and the label filters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QToolTip, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import CampaignBand, CampaignInput, CampaignStats
from cmdesk.dto import CampaignDTO, PostFilter, PostInput
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time
from ui.actions import PlanActions
from ui.models.campaigns import CampaignListModel, CampaignRole, LabelListModel, date_range, phase
from ui.models.post_table import PostTableRole
from ui.views import campaigns_page, labels_panel
from ui.views.board_page import BoardPage
from ui.views.calendar_filters import show_campaign
from ui.views.calendar_page import CalendarMode, CalendarPage
from ui.views.campaign_bands import BandHeader, assign_lanes, band_tooltip
from ui.views.campaigns_page import CampaignsPage
from ui.views.composer import ComposerDialog, SaveKind
from ui.views.labels_panel import Asker
from ui.views.list_page import ListPage
from ui.views.post_menu import build_post_menu


class Answers(Asker):
    """Answers the panel's questions from a script instead of dialogs."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []
        self.colors: list[str | None] = []
        self.choices: list[int | None] = []
        self.confirms: list[bool] = []
        self.asked: list[str] = []

    def text(self, title: str, label: str, default: str = "") -> str | None:
        self.asked.append(label)
        return self.texts.pop(0)

    def color(self, title: str, initial: str) -> str | None:
        return self.colors.pop(0)

    def choice(self, title: str, label: str, items: Sequence[str]) -> int | None:
        self.asked.append(f"{label} {list(items)}")
        return self.choices.pop(0)

    def confirm(self, title: str, text: str) -> bool:
        self.asked.append(text)
        return self.confirms.pop(0)


@pytest.fixture(autouse=True)
def no_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(_parent: object, exc: BaseException) -> None:
        raise AssertionError(f"unexpected error dialog: {exc}")

    monkeypatch.setattr(campaigns_page, "show_error", fail)
    monkeypatch.setattr(labels_panel, "show_error", fail)


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext) -> CampaignsPage:
    widget = CampaignsPage(demo_ctx)
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.labels.asker = Answers()
    widget.set_workspace(demo_ctx.workspaces.list()[0])
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _answers(page: CampaignsPage) -> Answers:
    assert isinstance(page.labels.asker, Answers)
    return page.labels.asker


def _campaign(cid: int = 1, start: date | None = None, end: date | None = None) -> CampaignDTO:
    return CampaignDTO(cid, 1, f"C{cid}", "#123456", start, end, "Sell", "")


# --- models --------------------------------------------------------------------------------------


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, demo_ctx: AppContext) -> None:
    wid = demo_ctx.workspaces.list()[0].id
    campaigns = CampaignListModel()
    campaigns.set_rows(demo_ctx.campaigns.list_campaigns(wid), date(2026, 3, 20))
    assert campaigns.rowCount() == 2
    qtmodeltester.check(campaigns)
    labels = LabelListModel()
    labels.set_rows(demo_ctx.campaigns.list_labels(wid))
    assert labels.rowCount() > 3
    qtmodeltester.check(labels)
    first = labels.index(0)
    assert "post" in first.data(Qt.ItemDataRole.DisplayRole)
    assert first.data(Qt.ItemDataRole.AccessibleTextRole).startswith("Pillar ")


def test_dates_and_phase_texts() -> None:
    c = _campaign(start=date(2026, 3, 1), end=date(2026, 3, 31))
    assert date_range(c) == "1 Mar – 31 Mar 2026"
    assert date_range(_campaign(start=date(2025, 12, 1), end=date(2026, 1, 6))).startswith(
        "1 Dec 2025"
    )
    assert date_range(_campaign()) == "No dates"
    assert phase(c, date(2026, 2, 27)) == "Starts in 2 days"
    assert phase(c, date(2026, 3, 30)) == "Running · 1 day left"
    assert phase(c, date(2026, 3, 31)) == "Last day"
    assert phase(c, date(2026, 4, 1)) == "Ended"


# --- the page ------------------------------------------------------------------------------------


def test_page_lists_campaigns_with_progress_and_edits_the_picked_one(
    page: CampaignsPage, demo_ctx: AppContext
) -> None:
    rows = page.model.rows()
    assert len(rows) == 2
    assert "2 campaigns" in page.summary.text()
    first = rows[0]
    page.select_campaign(first.campaign.id)
    assert page.editor.name.text() == first.campaign.name
    progress = page.model.index(0).data(CampaignRole.PROGRESS)
    assert f"of {first.posts} published" in progress
    page.editor.objective.setText("A clearer objective")
    page.editor.save_button.click()
    assert demo_ctx.campaigns.get_campaign(first.campaign.id).objective == "A clearer objective"
    assert page.editor.message.text() == ""


def test_new_campaign_is_created_and_bad_input_keeps_the_form(
    page: CampaignsPage, demo_ctx: AppContext
) -> None:
    wid = page.workspace.id if page.workspace else 0
    assert page.new_button.shortcut().toString() == "Alt+N"
    page.new_button.click()
    assert page.editor.campaign_id is None and page.editor.name.text() == ""
    page.editor.name.setText("Spring sale")
    page.editor.color.setText("#12ab34")
    page.editor.starts.setDate(page.editor.starts.date().fromString("2026-04-10", "yyyy-MM-dd"))
    page.editor.ends.setDate(page.editor.ends.date().fromString("2026-04-01", "yyyy-MM-dd"))
    page.save()
    assert "before it starts" in page.editor.message.text()
    assert page.editor.name.text() == "Spring sale"  # nothing typed is lost
    assert len(demo_ctx.campaigns.list_campaigns(wid)) == 2
    page.editor.ends.setDate(page.editor.ends.date().fromString("2026-04-30", "yyyy-MM-dd"))
    page.editor.color.setText("green")
    page.save()
    assert "not a colour" in page.editor.message.text()
    page.editor.color.setText("#12ab34")
    page.save()
    names = [s.campaign.name for s in demo_ctx.campaigns.list_campaigns(wid)]
    assert "Spring sale" in names
    assert page.editor.campaign_id is not None
    assert page.model.rows()[page.list.currentIndex().row()].campaign.name == "Spring sale"
    page.new_button.click()
    page.editor.name.setText("spring SALE")
    page.save()
    assert "already has a campaign" in page.editor.message.text()


def test_delete_asks_and_keeps_the_posts(page: CampaignsPage, demo_ctx: AppContext) -> None:
    stats = page.model.rows()[0]
    page.select_campaign(stats.campaign.id)
    _answers(page).confirms = [False, True]
    page.editor.delete_button.click()
    assert len(page.model.rows()) == 2
    page.editor.delete_button.click()
    assert [r.campaign.id for r in page.model.rows()] == [page.model.rows()[0].campaign.id]
    assert f"Its {stats.posts} posts stay" in _answers(page).asked[-1]
    wid = stats.campaign.workspace_id
    left = demo_ctx.plan.list_posts(wid, PostFilter(campaign_ids=frozenset({stats.campaign.id})))
    assert left == []
    assert len(demo_ctx.plan.list_posts(wid)) > stats.posts
    assert page.editor.campaign_id is None


def test_double_click_enter_and_button_ask_for_the_calendar(
    qtbot: QtBot, page: CampaignsPage
) -> None:
    cid = page.model.rows()[1].campaign.id
    page.select_campaign(cid)
    rect = page.list.visualRect(page.model.index(1))
    with qtbot.waitSignal(page.show_campaign_requested) as got:
        QTest.mouseClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.mouseDClick(page.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert got.args == [cid]
    page.list.setFocus()
    with qtbot.waitSignal(page.show_campaign_requested) as got:
        QTest.keyClick(page.list, Qt.Key.Key_Return)
    assert got.args == [cid]
    with qtbot.waitSignal(page.show_campaign_requested) as got:
        page.editor.calendar_button.click()
    assert got.args == [cid]


def test_labels_add_rename_recolour_merge_and_delete(
    page: CampaignsPage, demo_ctx: AppContext
) -> None:
    wid = page.workspace.id if page.workspace else 0
    answers = _answers(page)
    tags = page.labels.tags
    answers.texts = ["launch", "launches"]
    tags.add()
    assert tags.current() is not None and tags.current().tag.name == "launch"  # type: ignore[union-attr]
    tags.rename()
    answers.colors = ["#ff0000"]
    tags.recolor()
    label = tags.current()
    assert label is not None and (label.tag.name, label.tag.color) == ("launches", "#ff0000")
    # Merge another tag (with posts) into the new one: its posts move over.
    donor = next(r for r in tags.model.rows() if r.posts and r.tag.id != label.tag.id)
    tags.select(donor.tag.id)
    others = [r.tag.name for r in tags.model.rows() if r.tag.id != donor.tag.id]
    answers.choices = [others.index("launches")]
    tags.merge()
    counts = {s.tag.name: s.posts for s in demo_ctx.campaigns.list_labels(wid)}
    assert donor.tag.name not in counts and counts["launches"] == donor.posts
    tags.select(label.tag.id)
    answers.confirms = [True]
    tags.delete()
    assert "launches" not in {s.tag.name for s in demo_ctx.campaigns.list_labels(wid)}


def test_a_refused_label_name_is_shown_and_nothing_changes(
    page: CampaignsPage, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(labels_panel, "show_error", lambda _w, exc: shown.append(str(exc)))
    wid = page.workspace.id if page.workspace else 0
    before = demo_ctx.campaigns.list_labels(wid)
    pillar = page.labels.pillars.model.rows()[0].tag.name
    _answers(page).texts = [pillar.upper()]
    page.labels.pillars.add()
    assert shown and "already has a pillar" in shown[0]
    assert demo_ctx.campaigns.list_labels(wid) == before


# --- bands -----------------------------------------------------------------------------------------


def test_lanes_keep_overlapping_bands_apart() -> None:
    a = CampaignBand(_campaign(1), date(2026, 3, 1), date(2026, 3, 10))
    b = CampaignBand(_campaign(2), date(2026, 3, 5), date(2026, 3, 20))
    c = CampaignBand(_campaign(3), date(2026, 3, 11), date(2026, 3, 12))
    assert assign_lanes([a, b, c]) == [0, 1, 0]
    tip = band_tooltip(a)
    assert "C1" in tip and "Objective: Sell" in tip


@pytest.fixture
def calendar(qtbot: QtBot, demo_ctx: AppContext) -> CalendarPage:
    widget = CalendarPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(widget)
    widget.resize(1300, 860)
    widget.set_workspace(demo_ctx.workspaces.list()[0])
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def _edge_campaign(ctx: AppContext, wid: int) -> int:
    cid = ctx.campaigns.create_campaign(
        wid, CampaignInput("Edge", "#0055aa", date(2026, 3, 27), date(2026, 4, 3), "Cross")
    ).subject
    assert cid is not None
    return cid


def test_month_bands_cover_their_days_across_the_month_edge_and_leave_chips_visible(
    calendar: CalendarPage, demo_ctx: AppContext
) -> None:
    wid = calendar.workspace.id if calendar.workspace else 0
    cid = _edge_campaign(demo_ctx, wid)
    pid = demo_ctx.plan.create_post(
        wid, PostInput(title="On the edge"), scheduled_at=_noon(calendar, date(2026, 3, 31))
    ).subject
    calendar.refresh()
    grid = calendar.month_grid
    pieces = [p for p in grid.bands.placed() if p.band.campaign.id == cid]
    assert pieces, "the band is painted"
    covered: set[date] = set()
    model = calendar.month_model
    for piece in pieces:
        for day in model.period.days():
            cell = grid.visualRect(model.index_for_date(day))
            inside = cell.left() >= piece.rect.left() - 8 and cell.right() <= piece.rect.right() + 8
            if inside and cell.top() <= piece.rect.top() <= cell.bottom():
                covered.add(day)
    expected = {date(2026, 3, 27) + timedelta(days=i) for i in range(8)}
    assert expected <= covered
    assert not covered & {date(2026, 3, 26), date(2026, 4, 4)}
    # The rows with the band start their chips below it.
    assert grid.bands.space_on(date(2026, 3, 31)) > 0
    chip = grid.chip_rect(pid or 0)
    cell = grid.visualRect(model.index_for_date(date(2026, 3, 31)))
    band = next(p.rect for p in pieces if cell.top() <= p.rect.top() <= cell.bottom())
    assert chip is not None and cell.contains(chip.center())
    assert chip.top() > band.bottom()  # below the band, not under it
    assert grid.bands.band_at(pieces[0].rect.center()) is not None
    assert "Edge (27 Mar to 3 Apr)" in grid.accessibleDescription()
    # The rounded ends are where the campaign starts and ends, not at the row edges.
    assert any(p.round_left for p in pieces) and any(p.round_right for p in pieces)


def _noon(page: CalendarPage, day: date) -> datetime:
    zone = page.workspace.timezone if page.workspace else "UTC"
    return at_wall_time(day, time(12), zone)


def test_week_and_day_views_show_the_band_under_the_day_names(
    calendar: CalendarPage, demo_ctx: AppContext
) -> None:
    wid = calendar.workspace.id if calendar.workspace else 0
    cid = _edge_campaign(demo_ctx, wid)
    calendar.show_day(date(2026, 4, 1))
    calendar.set_mode(CalendarMode.WEEK)
    header = calendar.week_grid.horizontalHeader()
    assert isinstance(header, BandHeader)
    assert cid in {b.campaign.id for b in header.bands}
    assert header.strip_height() > 0
    (piece,) = [p for p in header.placed() if p.band.campaign.id == cid]
    days = [calendar.week_grid.day_of_column(c) for c in range(7)]
    first = days.index(max(date(2026, 3, 27), days[0]))
    assert abs(piece.rect.left() - header.sectionViewportPosition(first)) <= 3
    _hover(header.viewport(), piece.rect.center())
    assert "Edge" in QToolTip.text() and "Objective: Cross" in QToolTip.text()
    month = calendar.month_grid
    calendar.set_mode(CalendarMode.MONTH)
    month_piece = next(p for p in month.bands.placed() if p.band.campaign.id == cid)
    QToolTip.hideText()
    _hover(month.viewport(), month_piece.rect.center())
    assert "27 Mar 2026 – 3 Apr 2026" in QToolTip.text()
    calendar.set_mode(CalendarMode.DAY)
    day_header = calendar.day_grid.horizontalHeader()
    assert isinstance(day_header, BandHeader)
    assert [p.band.campaign.id for p in day_header.placed()].count(cid) == 1


# --- filters ---------------------------------------------------------------------------------------


def _hover(widget: QWidget, pos: QPoint) -> None:
    event = QHelpEvent(QEvent.Type.ToolTip, pos, widget.mapToGlobal(pos))
    QApplication.sendEvent(widget, event)


def _pillar_of_some_post(ctx: AppContext, wid: int) -> int:
    return next(s.tag.id for s in ctx.campaigns.list_labels(wid) if s.tag.kind == "pillar")


def test_calendar_filter_by_pillar_hides_other_posts_and_is_kept_per_workspace(
    calendar: CalendarPage, demo_ctx: AppContext
) -> None:
    first, second = demo_ctx.workspaces.list()
    pillar = _pillar_of_some_post(demo_ctx, first.id)
    before = calendar.month_model.post_count()
    bar = calendar.filters.bar
    bar.pillar.setCurrentIndex(bar.pillar.findData(pillar))
    shown = [
        p.id for d in calendar.month_model.period.days() for p in calendar.month_model.posts_on(d)
    ]
    assert shown and len(shown) < before
    assert all(demo_ctx.plan.get_post(pid).pillar_id == pillar for pid in shown)
    calendar.set_mode(CalendarMode.WEEK)
    week = [
        chip.post.id
        for day in calendar.time_model.period.days()
        for _row, chip in calendar.time_model.chips_of_day(day)
    ]
    assert all(demo_ctx.plan.get_post(pid).pillar_id == pillar for pid in week)
    calendar.set_mode(CalendarMode.MONTH)
    calendar.set_workspace(second)
    assert calendar.filters.current() == PostFilter()
    calendar.set_workspace(first)
    assert calendar.filters.current().pillar_ids == frozenset({pillar})
    bar.clear_button.click()
    assert calendar.month_model.post_count() == before


def test_show_campaign_filters_the_calendar_and_goes_to_its_start(
    calendar: CalendarPage, demo_ctx: AppContext
) -> None:
    wid = calendar.workspace.id if calendar.workspace else 0
    cid = _edge_campaign(demo_ctx, wid)
    calendar.show_day(date(2026, 6, 15))
    show_campaign(calendar, cid)
    assert calendar.filters.current().campaign_ids == frozenset({cid})
    assert calendar.anchor == date(2026, 3, 27)
    assert calendar.filters.bar.campaign.currentData() == cid
    assert calendar.month_model.post_count() == 0  # the new campaign has no posts yet
    assert calendar.unscheduled_model.rowCount() == 0  # nor drafts waiting for a time
    calendar.filters.bar.clear_button.click()
    assert calendar.unscheduled_model.rowCount() > 0


def test_board_filter_by_pillar(qtbot: QtBot, demo_ctx: AppContext) -> None:
    board = BoardPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(board)
    ws = demo_ctx.workspaces.list()[0]
    board.set_workspace(ws)
    board.show()
    qtbot.waitExposed(board)
    pillar = _pillar_of_some_post(demo_ctx, ws.id)
    bar = board.filter_bar
    bar.pillar.setCurrentIndex(bar.pillar.findData(pillar))
    shown = [p.id for s in PostStatus for p in board.model.column(s).posts]
    assert shown
    assert all(demo_ctx.plan.get_post(pid).pillar_id == pillar for pid in shown)
    assert board.current_filter().pillar_ids == frozenset({pillar})


def test_stats_progress_is_published_share() -> None:
    s = CampaignStats(_campaign(), posts=4, published=1, scheduled=2)
    assert s.progress == 0.25


# --- composer ------------------------------------------------------------------------------------


def test_composer_chooses_campaign_pillar_and_tags(
    qtbot: QtBot, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = demo_ctx.workspaces.list()[0]
    campaign = demo_ctx.campaigns.list_campaigns(ws.id)[0].campaign
    labels = [s.tag for s in demo_ctx.campaigns.list_labels(ws.id)]
    pillar = next(t for t in labels if t.kind == "pillar")
    tags = [t for t in labels if t.kind == "tag"][:2]
    pid = demo_ctx.plan.create_post(ws.id, PostInput(title="Labelled later", text="x")).subject
    assert pid is not None
    dialog = ComposerDialog(demo_ctx, PlanActions(demo_ctx), ws, pid)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    row = dialog.labels
    assert (row.campaign_id(), row.pillar_id(), row.tag_ids()) == (None, None, ())
    assert row.tags_button.text() == "No tags"
    row.campaign.setCurrentIndex(row.campaign.findData(campaign.id))
    row.pillar.setCurrentIndex(row.pillar.findData(pillar.id))
    for t in tags:
        row.tag_actions[t.id].setChecked(True)
    assert dialog.dirty
    assert tags[0].name in row.tags_button.text()
    assert dialog.save(SaveKind.DRAFT) == pid
    saved = demo_ctx.plan.get_post(pid)
    assert (saved.campaign_id, saved.pillar_id) == (campaign.id, pillar.id)
    assert saved.tag_ids == tuple(sorted(t.id for t in tags))
    again = ComposerDialog(demo_ctx, PlanActions(demo_ctx), ws, pid)
    again.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(again)
    assert again.labels.campaign_id() == campaign.id
    assert again.labels.tag_ids() == saved.tag_ids


def test_every_control_is_named(page: CampaignsPage, calendar: CalendarPage) -> None:
    from tests.ui.test_accessibility import _name, _visible_controls

    for root in (page, calendar):
        controls = _visible_controls(root)
        assert len(controls) > 8
        assert [type(w).__name__ for w in controls if not _name(w, root)] == []


def test_list_filter_by_pillar_and_tag(qtbot: QtBot, demo_ctx: AppContext) -> None:
    page = ListPage(demo_ctx, PlanActions(demo_ctx))
    qtbot.addWidget(page)
    ws = demo_ctx.workspaces.list()[0]
    page.set_workspace(ws)
    page.show()
    qtbot.waitExposed(page)

    def rows() -> list[int]:
        proxy = page.proxy
        return [proxy.index(r, 0).data(PostTableRole.POST_ID) for r in range(proxy.rowCount())]

    everything = rows()
    pillar = _pillar_of_some_post(demo_ctx, ws.id)
    bar = page.filter_bar
    assert bar.tag.itemText(0) == "Any tag" and bar.tag.findData(pillar) == -1
    bar.pillar.setCurrentIndex(bar.pillar.findData(pillar))
    shown = rows()
    assert shown and len(shown) < len(everything)
    assert all(demo_ctx.plan.get_post(pid).pillar_id == pillar for pid in shown)
    tag = next(s.tag.id for s in demo_ctx.campaigns.list_labels(ws.id) if s.tag.kind == "tag")
    bar.tag.setCurrentIndex(bar.tag.findData(tag))
    both = rows()
    assert set(both) <= set(shown)
    assert all(tag in demo_ctx.plan.get_post(pid).tag_ids for pid in both)


# --- the post menu's labels ----------------------------------------------------------------------


def _submenu(menu: QMenu, *path: str) -> QMenu:
    for text in path:
        found = next(a.menu() for a in menu.actions() if a.text() == text)
        assert isinstance(found, QMenu)
        menu = found
    return menu


def _pick(menu: QMenu, text: str) -> None:
    next(a for a in menu.actions() if a.text() == text).trigger()


def test_post_menu_labels_a_selection_as_one_undo_step(qtbot: QtBot, demo_ctx: AppContext) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    ws = demo_ctx.workspaces.list()[0]
    posts = demo_ctx.plan.list_posts(ws.id)[:3]
    ids = [p.id for p in posts]
    campaign = demo_ctx.campaigns.list_campaigns(ws.id)[-1].campaign
    tag = next(s.tag for s in demo_ctx.campaigns.list_labels(ws.id) if s.tag.kind == "tag")
    before = demo_ctx.campaigns.labels_of(ids)
    actions = PlanActions(demo_ctx)
    actions.show_errors = False
    performed: list[str] = []
    actions.performed.connect(performed.append)
    menu = build_post_menu(parent, posts, actions, lambda _pid: None)
    _pick(_submenu(menu, "Labels", "Campaign"), campaign.name)
    assert performed[-1] == "Campaign of 3 posts"
    assert all(demo_ctx.plan.get_post(pid).campaign_id == campaign.id for pid in ids)
    _pick(_submenu(menu, "Labels", "Add tag"), tag.name)
    assert all(tag.id in demo_ctx.plan.get_post(pid).tag_ids for pid in ids)
    assert actions.undo_stack.count() == 2
    actions.undo_stack.undo()
    actions.undo_stack.undo()
    assert demo_ctx.campaigns.labels_of(ids) == before
    actions.undo_stack.redo()
    assert all(demo_ctx.plan.get_post(pid).campaign_id == campaign.id for pid in ids)
    # Changed elsewhere: the undo is refused, says why, and leaves every post as it is.
    demo_ctx.campaigns.label_posts([ids[0]], clear_campaign=True)
    failed: list[str] = []
    actions.failed.connect(failed.append)
    actions.undo_stack.undo()
    assert failed and "changed elsewhere" in failed[-1]
    assert demo_ctx.plan.get_post(ids[1]).campaign_id == campaign.id


def test_post_menu_pillar_entries(qtbot: QtBot, demo_ctx: AppContext) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    ws = demo_ctx.workspaces.list()[0]
    post = demo_ctx.plan.list_posts(ws.id)[0]
    menu = build_post_menu(parent, [post], PlanActions(demo_ctx), lambda _pid: None)
    pillars = [a.text() for a in _submenu(menu, "Labels", "Pillar").actions()]
    names = [s.tag.name for s in demo_ctx.campaigns.list_labels(ws.id) if s.tag.kind == "pillar"]
    assert pillars == ["No pillar", *names]
    _pick(_submenu(menu, "Labels", "Pillar"), "No pillar")
    assert demo_ctx.plan.get_post(post.id).pillar_id is None
