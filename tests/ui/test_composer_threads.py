"""The composer's thread editor (split, merge, reorder) and its autosave and recovery."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput
from ui.actions import PlanActions
from ui.views.composer import ComposerDialog, SaveKind, recover_drafts
from ui.views.composer.channel_tab import Mode
from ui.views.composer.thread_editor import ThreadEditor


@pytest.fixture(autouse=True)
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []

    def record(parent: object, exc: BaseException) -> None:
        shown.append(str(exc))

    for module in ("dialog", "channel_tab", "media_strip"):
        monkeypatch.setattr(f"ui.views.composer.{module}.show_error", record)
    return shown


@pytest.fixture
def editor(qtbot: QtBot) -> ThreadEditor:
    widget = ThreadEditor()
    qtbot.addWidget(widget)
    widget.set_parts(["One. Two.", "Three."])
    return widget


def test_split_a_part_at_the_cursor(editor: ThreadEditor) -> None:
    editor.split_at(0, len("One."))
    assert editor.parts() == ["One.", "Two.", "Three."]


def test_merge_a_part_with_the_next(editor: ThreadEditor) -> None:
    editor.merge_with_next(0)
    assert editor.parts() == ["One. Two. Three."]
    editor.merge_with_next(0)  # nothing after it: no change
    assert editor.parts() == ["One. Two. Three."]


def test_reorder_parts_with_buttons_and_keys(editor: ThreadEditor, qtbot: QtBot) -> None:
    editor.move_part(1, -1)
    assert editor.parts() == ["Three.", "One. Two."]
    editor.show()
    editor.editor(0).setFocus()
    qtbot.waitUntil(lambda: editor.editor(0).hasFocus(), timeout=2000)
    qtbot.keyClick(editor.editor(0), Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    assert editor.parts() == ["One. Two.", "Three."]


def test_remove_a_part_and_the_counters_say_when_one_is_over(editor: ThreadEditor) -> None:
    editor.set_counts([12, 400], 300)
    over = [p.counter for p in editor._parts if "d93025" in p.counter.styleSheet()]
    assert [c.text() for c in over] == ["400 / 300"]
    editor.remove_part(0)
    assert editor.parts() == ["Three."]


class Plan:
    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
        assert wid is not None
        self.ws = ctx.workspaces.get(wid)
        sky = ctx.channels.add(wid, "bluesky", "Sky", handle="e.bsky.social").subject
        assert sky is not None
        self.sky = sky
        self.actions = PlanActions(ctx)


@pytest.fixture
def plan(empty_ctx: AppContext) -> Plan:
    return Plan(empty_ctx)


def _composer(plan: Plan, qtbot: QtBot, post_id: int | None = None) -> ComposerDialog:
    dialog = ComposerDialog(plan.ctx, plan.actions, plan.ws, post_id)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    # a failing test must not leave a modal question waiting at teardown
    dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    qtbot.addWidget(dialog)
    return dialog


def test_a_thread_is_saved_as_the_channels_parts(plan: Plan, qtbot: QtBot) -> None:
    dialog = _composer(plan, qtbot)
    dialog.channel_boxes[plan.sky].setChecked(True)
    dialog.master.setPlainText("First. " * 60)
    tab = dialog.tab(plan.sky)
    tab.offer_split()
    assert tab.mode() is Mode.THREAD
    parts = tab.thread_editor.parts()
    post_id = dialog.save(SaveKind.DRAFT)
    assert post_id is not None
    variant = plan.ctx.plan.get_post(post_id).variants[0]
    assert variant.thread_parts == tuple(parts) and len(parts) == 2


def test_typing_is_autosaved_within_a_second_or_two(plan: Plan, qtbot: QtBot) -> None:
    dialog = _composer(plan, qtbot)
    dialog.channel_boxes[plan.sky].setChecked(True)
    qtbot.keyClicks(dialog.master, "Pan recien hecho")
    journal = plan.ctx.composer.journal
    qtbot.waitUntil(lambda: bool(journal.pending()), timeout=2500)
    draft = journal.pending()[0]
    assert (draft.text, draft.channel_ids, draft.post_id) == ("Pan recien hecho", (plan.sky,), None)
    dialog.dirty = False


def test_losing_focus_writes_the_journal_at_once(plan: Plan, qtbot: QtBot) -> None:
    dialog = _composer(plan, qtbot)
    dialog.master.setPlainText("Written just now")
    assert plan.ctx.composer.journal.pending() == []  # the timer has not fired yet
    dialog.autosave_now()  # what deactivation and closing call
    assert plan.ctx.composer.journal.pending()[0].text == "Written just now"
    dialog.dirty = False


def test_an_unsaved_draft_is_reopened_and_then_saved_once(plan: Plan, qtbot: QtBot) -> None:
    pid = plan.ctx.plan.create_post(
        plan.ws.id, PostInput(text="Saved text", channel_ids=(plan.sky,))
    ).subject
    assert pid is not None
    crashed = _composer(plan, qtbot, pid)
    crashed.master.setPlainText("Edited, never saved")
    crashed.tab(plan.sky).mode_buttons[Mode.OWN].click()
    crashed.tab(plan.sky).own.setPlainText("Own Bluesky text")
    crashed.schedule.set_value(datetime(2026, 4, 1, 7, 0, tzinfo=UTC))
    crashed.autosave_now()
    crashed.dirty = False  # the process "dies": no close, no question
    reopened = recover_drafts(plan.ctx, plan.actions)
    assert len(reopened) == 1
    dialog = reopened[0]
    qtbot.addWidget(dialog)
    assert dialog.post is not None and dialog.post.id == pid
    assert dialog.master.toPlainText() == "Edited, never saved"
    assert dialog.tab(plan.sky).own.toPlainText() == "Own Bluesky text"
    assert dialog.schedule.value() == datetime(2026, 4, 1, 7, 0, tzinfo=UTC)
    assert dialog.banner.isVisibleTo(dialog) and "never saved" in dialog.banner.text()
    assert dialog.save(SaveKind.DRAFT) == pid
    assert plan.ctx.plan.get_post(pid).text == "Edited, never saved"
    assert plan.ctx.composer.journal.pending() == []
    assert recover_drafts(plan.ctx, plan.actions) == []


def test_a_draft_of_a_deleted_post_comes_back_as_a_new_post(plan: Plan, qtbot: QtBot) -> None:
    pid = plan.ctx.plan.create_post(plan.ws.id, PostInput(text="Gone soon")).subject
    assert pid is not None
    dialog = _composer(plan, qtbot, pid)
    dialog.master.setPlainText("Keep me")
    dialog.autosave_now()
    dialog.dirty = False
    plan.ctx.plan.delete_post(pid)
    (reopened,) = recover_drafts(plan.ctx, plan.actions)
    qtbot.addWidget(reopened)
    assert reopened.post is None and reopened.master.toPlainText() == "Keep me"
    reopened.dirty = False


def test_closing_asks_and_discard_forgets_the_draft(plan: Plan, qtbot: QtBot) -> None:
    dialog = _composer(plan, qtbot)
    dialog.show()
    dialog.master.setPlainText("Maybe")
    dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Cancel  # type: ignore[method-assign]
    assert not dialog.close()
    assert plan.ctx.composer.journal.pending()[0].text == "Maybe"  # written before asking
    dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    assert dialog.close()
    assert plan.ctx.composer.journal.pending() == []


def test_a_refused_save_keeps_the_text_and_adds_no_undo_step(
    plan: Plan, qtbot: QtBot, errors: list[str]
) -> None:
    dialog = _composer(plan, qtbot)
    dialog.channel_boxes[plan.sky].setChecked(True)
    dialog.master.setPlainText("Too late")
    dialog.schedule.set_value(datetime(2020, 1, 1, 9, 0, tzinfo=UTC))  # in the past
    assert dialog.save(SaveKind.SCHEDULE) is None
    assert errors and "already passed" in errors[0]
    assert plan.actions.undo_stack.count() == 0
    assert not plan.actions.undo_stack.canRedo()
    assert plan.ctx.composer.journal.pending()[0].text == "Too late"
    dialog.dirty = False
