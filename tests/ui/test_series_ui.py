"""Recurring and evergreen posts in the window: the repeat form, the composer's save, the menu."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput, WorkspaceDTO
from cmdesk.planning.recurrence import RecurrenceInput
from cmdesk.planning.series_dto import EvergreenInput, SeriesDTO
from cmdesk.status import PostStatus
from cmdesk.timeutil import at_wall_time
from ui.actions import PlanActions
from ui.models.month import MonthModel, MonthPeriod
from ui.views.composer import ComposerDialog
from ui.views.composer.repeat_control import RepeatButton, ask_scope
from ui.views.composer.repeat_panel import RepeatDialog, RepeatPanel, split_variations
from ui.views.composer.saving import SaveKind
from ui.views.post_menu import build_post_menu
from ui.views.series_marks import load_series_marks

# The fake clock reads Friday 2026-03-20 10:00 UTC; Madrid moves to summer time on the 29th.
MONDAY = at_wall_time(date(2026, 3, 23), time(9), "Europe/Madrid")


class Setup:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
        assert wid is not None
        self.ws: WorkspaceDTO = ctx.workspaces.get(wid)
        cid = ctx.channels.add(wid, "mastodon", "Masto", handle="@e@m.social").subject
        assert cid is not None
        self.cid = cid
        self.actions = PlanActions(ctx)
        self.actions.show_errors = False

    def repeating(self, count: int = 5) -> list[int]:
        pid = self.ctx.plan.create_post(
            self.ws.id,
            PostInput(title="Tip", text="Monday tip", channel_ids=(self.cid,)),
            status=PostStatus.SCHEDULED,
            scheduled_at=MONDAY,
        ).subject
        assert pid is not None
        self.ctx.series.make_recurring(pid, RecurrenceInput(frequency="weekly", count=count))
        dto = self.ctx.series.series_of(pid)
        assert dto is not None
        return list(dto.post_ids)


def series_of(setup: Setup, post_id: int) -> SeriesDTO:
    found = setup.ctx.series.series_of(post_id)
    assert found is not None
    return found


@pytest.fixture
def setup(empty_ctx: AppContext) -> Setup:
    return Setup(empty_ctx)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def record(parent: object, exc: BaseException) -> None:
        shown.append(str(exc))

    for module in ("ui.views.composer.dialog", "ui.views.series_menu"):
        monkeypatch.setattr(f"{module}.show_error", record)
    return shown


@pytest.fixture
def composer(
    setup: Setup, qtbot: QtBot, errors: list[str]
) -> Iterator[Callable[..., ComposerDialog]]:
    made: list[ComposerDialog] = []

    def make(post_id: int | None = None) -> ComposerDialog:
        dialog = ComposerDialog(setup.ctx, setup.actions, setup.ws, post_id)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        qtbot.addWidget(dialog)
        dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.dirty = False


# --- the repeat form -------------------------------------------------------------------------


def test_panel_says_the_rule_and_the_next_dates_across_the_clock_change(
    setup: Setup, qtbot: QtBot
) -> None:
    panel = RepeatPanel(setup.ctx, setup.ws)
    qtbot.addWidget(panel)
    assert panel.summary.text() == "This post goes out once."
    panel.set_start(MONDAY)
    panel.set_mode("weekly")
    assert panel.days[0].isChecked()  # the start's own weekday is ticked
    panel.ends.setCurrentIndex(2)
    panel.count.setValue(10)
    lines = panel.summary.text().splitlines()
    assert lines[0] == "↻ Every Monday at 09:00, 10 times."
    assert lines[1] == "Next dates (Europe/Madrid):"
    assert lines[2:] == [
        "• Mon 23 Mar 2026  09:00",
        "• Mon 30 Mar 2026  09:00",  # summer time: still 09:00
        "• Mon 06 Apr 2026  09:00",
        "• Mon 13 Apr 2026  09:00",
        "• Mon 20 Apr 2026  09:00",
    ]
    panel.days[3].setChecked(True)
    assert panel.summary.text().startswith("↻ Every Monday and Thursday at 09:00, 10 times.")
    assert panel.request() == RecurrenceInput(
        frequency="weekly", weekdays=(0, 3), nth_weekday=0, count=10
    )


def test_panel_first_weekday_of_the_month(setup: Setup, qtbot: QtBot) -> None:
    panel = RepeatPanel(setup.ctx, setup.ws)
    qtbot.addWidget(panel)
    panel.set_start(at_wall_time(date(2026, 7, 1), time(10), "Europe/Madrid"))
    panel.set_mode("monthly")
    panel.monthly_by.setCurrentIndex(1)
    lines = panel.summary.text().splitlines()
    assert lines[0] == "↻ On the first weekday of every month at 10:00."
    assert lines[3] == "• Mon 03 Aug 2026  10:00"  # 1 August is a Saturday


def test_a_bad_custom_rule_is_explained_and_ok_is_disabled(setup: Setup, qtbot: QtBot) -> None:
    panel = RepeatPanel(setup.ctx, setup.ws)
    dialog = RepeatDialog(panel)
    qtbot.addWidget(dialog)
    panel.set_start(MONDAY)
    panel.set_mode("custom")
    assert panel.rrule.isVisibleTo(dialog) and not panel.days[0].isVisibleTo(dialog)
    panel.rrule.setText("FREQ=WEEKLY;BYDAY=XX")
    assert "invalid 'BYDAY': XX" in panel.summary.text()
    assert not dialog.ok.isEnabled()
    panel.rrule.setText("FREQ=WEEKLY;BYDAY=FR")
    assert panel.summary.text().startswith("↻ Every Friday at 09:00")
    assert dialog.ok.isEnabled()


def test_panel_evergreen_and_variations(setup: Setup, qtbot: QtBot) -> None:
    panel = RepeatPanel(setup.ctx, setup.ws)
    qtbot.addWidget(panel)
    panel.set_mode("evergreen")
    panel.ever_days.setValue(45)
    panel.variations.setPlainText("Second\n---\n\nThird, on\ntwo lines\n---\n")
    assert panel.request() == EvergreenInput(45, ("Second", "Third, on\ntwo lines"))
    assert "45 days after it went out" in panel.summary.text()
    assert split_variations("") == ()


def test_widgets_have_accessible_names(setup: Setup, qtbot: QtBot) -> None:
    panel = RepeatPanel(setup.ctx, setup.ws)
    qtbot.addWidget(panel)
    for widget in [panel.mode, panel.every, panel.ends, panel.until, panel.count, panel.rrule]:
        assert widget.accessibleName()
    assert all(box.accessibleName().startswith("Repeat on ") for box in panel.days)


# --- the composer ----------------------------------------------------------------------------


def test_composer_saves_a_new_repeating_post_in_one_undo_step(
    setup: Setup, composer: Callable[..., ComposerDialog], qtbot: QtBot
) -> None:
    dialog = composer()
    dialog.channel_boxes[setup.cid].setChecked(True)
    dialog.master.setPlainText("Monday tip")
    dialog.schedule.set_value(MONDAY)
    dialog.repeat.choice = RecurrenceInput(frequency="weekly", count=4)
    dialog.repeat.refresh()
    assert dialog.repeat.text() == "↻ Every Monday at 09:00, 4 times"
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.schedule_button.click()
    series = setup.ctx.series.series_of(saved.args[0])
    assert series is not None and len(series.post_ids) == 4
    statuses = {setup.ctx.plan.get_post(p).status for p in series.post_ids}
    assert statuses == {PostStatus.SCHEDULED}
    assert setup.actions.undo_stack.undoText() == "Repeat of 'Monday tip'"
    button: RepeatButton = dialog.repeat  # now it edits a post of the series
    assert button.series is not None and button.choice is None
    setup.actions.undo_stack.undo()
    assert setup.ctx.plan.list_posts(setup.ws.id) == []


def test_a_repeat_needs_a_time(
    setup: Setup, composer: Callable[..., ComposerDialog], errors: list[str]
) -> None:
    dialog = composer()
    dialog.master.setPlainText("No time yet")
    dialog.repeat.choice = RecurrenceInput(frequency="daily")
    dialog.repeat.refresh()
    assert dialog.repeat.text() == "↻ Repeats: give it a time"
    assert dialog.save(SaveKind.DRAFT) is None
    assert errors and "date and time first" in errors[-1]
    assert setup.ctx.plan.list_posts(setup.ws.id) == []


def test_saving_an_occurrence_asks_this_or_following(
    setup: Setup, composer: Callable[..., ComposerDialog]
) -> None:
    ids = setup.repeating()
    dialog = composer(ids[2])
    assert isinstance(dialog.repeat, RepeatButton)
    assert dialog.repeat.text().startswith("↻ Every Monday at 09:00")
    asked: list[QWidget] = []

    def following(parent: QWidget) -> str:
        asked.append(parent)
        return "following"

    dialog.repeat.ask_scope = following  # type: ignore[assignment]
    dialog.master.setPlainText("New tip for the rest")
    assert dialog.save(SaveKind.DRAFT, close=False) == ids[2]
    assert asked == [dialog]
    texts = [setup.ctx.plan.get_post(i).text for i in ids]
    assert texts == ["Monday tip", "Monday tip", *["New tip for the rest"] * 3]
    assert setup.actions.undo_stack.undoText() == "Edit of 'Tip' and the following"
    setup.actions.undo_stack.undo()
    assert {setup.ctx.plan.get_post(i).text for i in ids} == {"Monday tip"}


def test_only_this_post_detaches_it_and_cancel_saves_nothing(
    setup: Setup, composer: Callable[..., ComposerDialog]
) -> None:
    ids = setup.repeating()
    dialog = composer(ids[1])
    dialog.repeat.ask_scope = lambda parent: None
    dialog.master.setPlainText("Only here")
    assert dialog.save(SaveKind.DRAFT, close=False) is None
    assert setup.ctx.plan.get_post(ids[1]).text == "Monday tip"
    assert dialog.dirty  # the text is still in the composer
    dialog.repeat.ask_scope = lambda parent: "this"
    assert dialog.save(SaveKind.DRAFT, close=False) == ids[1]
    assert setup.ctx.plan.get_post(ids[1]).text == "Only here"
    # A later edit of the whole series leaves the detached one as it is.
    snap = setup.ctx.history.snapshot(ids[0])
    setup.ctx.series.update_series(
        series_of(setup, ids[0]).id,
        PostInput(text="For all", channel_ids=snap.data.channel_ids),
        {},
    )
    assert setup.ctx.plan.get_post(ids[1]).text == "Only here"
    assert setup.ctx.plan.get_post(ids[2]).text == "For all"


def test_ask_scope_offers_clear_buttons(setup: Setup, qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    seen: list[list[str]] = []

    def answer() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox))
        seen.append([b.text() for b in box.buttons()])
        following = next(b for b in box.buttons() if b.text() == "This and all following")
        following.click()

    QTimer.singleShot(0, answer)
    assert ask_scope(parent) == "following"
    assert {"Only this post", "This and all following"} <= set(seen[0])


# --- the context menu ------------------------------------------------------------------------


def _trigger(menu: QMenu, text: str) -> None:
    for action in menu.actions():
        sub = action.menu()
        if isinstance(sub, QMenu):
            for inner in sub.actions():
                if inner.text() == text:
                    inner.trigger()
                    return
        elif action.text() == text:
            action.trigger()
            return
    raise AssertionError(f"no menu entry {text!r}")


def test_menu_stop_repeating_and_delete_following_are_undoable(
    setup: Setup, qtbot: QtBot, errors: list[str]
) -> None:
    ids = setup.repeating()
    parent = QWidget()
    qtbot.addWidget(parent)
    post = next(p for p in setup.ctx.plan.list_posts(setup.ws.id) if p.id == ids[1])
    menu = build_post_menu(parent, [post], setup.actions, lambda _pid: None)
    titles = [a.text() for a in menu.actions()]
    assert "↻ Repeating" in titles
    _trigger(menu, "Stop repeating")
    assert list(series_of(setup, ids[0]).post_ids) == ids[:2]
    setup.actions.undo_stack.undo()
    assert list(series_of(setup, ids[0]).post_ids) == ids
    menu = build_post_menu(parent, [post], setup.actions, lambda _pid: None)
    _trigger(menu, "Delete this and following")
    assert list(series_of(setup, ids[0]).post_ids) == ids[:1]
    assert setup.actions.undo_stack.undoText() == "Delete of 'Tip' and the following"
    assert errors == []


def test_a_post_that_does_not_repeat_has_no_repeating_menu(setup: Setup, qtbot: QtBot) -> None:
    pid = setup.ctx.plan.create_post(setup.ws.id, PostInput(text="Once")).subject
    parent = QWidget()
    qtbot.addWidget(parent)
    post = next(p for p in setup.ctx.plan.list_posts(setup.ws.id) if p.id == pid)
    menu = build_post_menu(parent, [post], setup.actions, lambda _pid: None)
    assert not any("Repeating" in a.text() for a in menu.actions())


# --- the calendar ----------------------------------------------------------------------------


def test_calendar_chips_show_the_repeat_mark_and_the_rule(
    setup: Setup, qtmodeltester: ModelTester
) -> None:
    ids = setup.repeating(count=3)
    once = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Once"), scheduled_at=MONDAY
    ).subject
    assert once is not None
    model = MonthModel(MonthPeriod.containing(date(2026, 3, 23), "Europe/Madrid", 0))
    load_series_marks(setup.ctx, setup.ws, [model])
    first, end = model.period.grid_bounds()
    days = setup.ctx.plan.calendar_days(setup.ws.id, first, end)
    model.set_posts(days.posts, days.day_counts)
    qtmodeltester.check(model)  # type: ignore[no-untyped-call]
    chips = {c.post.id: c for c in model.chips_on(date(2026, 3, 23))}
    assert chips[ids[0]].post.label == "↻ Tip"
    assert chips[ids[0]].series == "↻ Every Monday at 09:00, 3 times"
    assert chips[once].series == "" and chips[once].post.label == "Once"
    tip = model.data(model.index_for_date(date(2026, 3, 23)), Qt.ItemDataRole.ToolTipRole)
    assert "↻ Tip (Every Monday at 09:00, 3 times)" in tip


def test_changing_the_rule_from_the_composer(
    setup: Setup, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.views.composer import series_rule

    ids = setup.repeating(count=5)
    series = series_of(setup, ids[0])
    parent = QWidget()
    qtbot.addWidget(parent)
    shown: list[str] = []

    def accept(self: RepeatDialog) -> int:
        shown.append(self.panel.rrule.text())
        self.panel.rrule.setText("FREQ=WEEKLY;BYDAY=WE;COUNT=3")
        return int(RepeatDialog.DialogCode.Accepted.value)

    monkeypatch.setattr(RepeatDialog, "exec", accept)
    monkeypatch.setattr(QMessageBox, "question", lambda *a: QMessageBox.StandardButton.Yes)
    assert series_rule.change_rule(parent, setup.ctx, setup.ws, series)
    assert shown == ["FREQ=WEEKLY;COUNT=5"]
    after = series_of(setup, ids[0])
    assert after.description == "Every Wednesday at 09:00, 3 times"
    assert len(after.post_ids) == 3  # the first Monday, then two Wednesdays
