"""Add to queue in the window: the composer's button, the post menu, and undo through PlanActions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput, WorkspaceDTO
from cmdesk.status import PostStatus
from tests.core.helpers import madrid
from ui.actions import PlanActions
from ui.views.composer import ComposerDialog
from ui.views.post_menu import build_post_menu

FRI_NOON = madrid(date(2026, 3, 20), 12)  # the fake clock: Friday 20 March 2026, 11:00 Madrid
SAT_TEN = madrid(date(2026, 3, 21), 10)


class Setup:
    """A Madrid workspace with two channels; @bakery has Friday noon, @cafe Saturday 10:00."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
        assert wid is not None
        self.ws: WorkspaceDTO = ctx.workspaces.get(wid)
        a = ctx.channels.add(wid, "mastodon", "@bakery", handle="@b@m.social").subject
        b = ctx.channels.add(wid, "mastodon", "@cafe", handle="@c@m.social").subject
        assert a is not None and b is not None
        self.a, self.b = a, b
        ctx.queues.set_slots(a, ["fri 12:00"])
        self.actions = PlanActions(ctx)
        self.actions.show_errors = False


@pytest.fixture
def setup(empty_ctx: AppContext) -> Setup:
    return Setup(empty_ctx)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        "ui.views.composer.queue_button.show_error", lambda _p, exc: shown.append(str(exc))
    )
    monkeypatch.setattr("ui.views.post_menu.show_error", lambda _p, exc: shown.append(str(exc)))
    return shown


@pytest.fixture
def open_composer(
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


def test_the_button_is_enabled_only_when_every_chosen_channel_has_slots(
    open_composer: Callable[..., ComposerDialog], setup: Setup
) -> None:
    dialog = open_composer()
    button = dialog.queue_button
    assert not button.isEnabled() and "Choose the channels" in button.toolTip()
    dialog.channel_boxes[setup.a].setChecked(True)
    assert button.isEnabled()
    dialog.channel_boxes[setup.b].setChecked(True)
    assert not button.isEnabled()
    assert "Give @cafe posting slots" in button.toolTip()
    setup.ctx.queues.set_slots(setup.b, ["sat 10:00"])
    dialog.queue_hook.refresh()
    assert button.isEnabled() and button.accessibleName() == "Add to queue"


def test_add_to_queue_saves_and_queues_a_new_post_in_one_undo_step(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    setup.ctx.queues.set_slots(setup.b, ["sat 10:00"])
    dialog = open_composer()
    dialog.channel_boxes[setup.a].setChecked(True)
    dialog.channel_boxes[setup.b].setChecked(True)
    qtbot.keyClicks(dialog.master, "Pan del dia")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.queue_button.click()
    post = setup.ctx.plan.get_post(saved.args[0])
    assert post.status == PostStatus.SCHEDULED and post.scheduled_at == FRI_NOON
    assert {t.channel_id: t.due_at for t in post.targets} == {setup.a: FRI_NOON, setup.b: SAT_TEN}
    assert setup.actions.undo_stack.count() == 1
    assert setup.actions.undo_stack.undoText() == "Add to queue of 'Pan del dia'"
    assert setup.ctx.composer.journal.pending() == []
    setup.actions.undo_stack.undo()
    assert setup.ctx.plan.list_posts(setup.ws.id) == []


def test_add_to_queue_of_an_edited_post_undoes_content_and_slots_together(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    pid = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Old", channel_ids=(setup.a,))
    ).subject
    assert pid is not None
    dialog = open_composer(pid)
    dialog.master.setPlainText("New")
    with qtbot.waitSignal(dialog.saved):
        dialog.queue_button.click()
    post = setup.ctx.plan.get_post(pid)
    assert (post.text, post.status, post.scheduled_at) == ("New", PostStatus.SCHEDULED, FRI_NOON)
    stack = setup.actions.undo_stack
    stack.undo()
    post = setup.ctx.plan.get_post(pid)
    assert (post.text, post.status, post.scheduled_at) == ("Old", PostStatus.DRAFT, None)
    stack.redo()
    post = setup.ctx.plan.get_post(pid)
    assert (post.text, post.status, post.scheduled_at) == ("New", PostStatus.SCHEDULED, FRI_NOON)


def test_a_refused_queue_keeps_the_text_and_adds_no_undo_step(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot, errors: list[str]
) -> None:
    # A post under review must be approved before it can be scheduled, queued or not.
    pid = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Old", channel_ids=(setup.a,)), status=PostStatus.IN_REVIEW
    ).subject
    assert pid is not None
    dialog = open_composer(pid)
    dialog.master.setPlainText("Changed")
    dialog.queue_button.click()
    assert errors and "approve it first" in errors[0]
    assert setup.ctx.plan.get_post(pid).text == "Old"
    assert dialog.master.toPlainText() == "Changed" and dialog.dirty
    assert setup.actions.undo_stack.count() == 0


def test_post_menu_add_to_queue_is_undoable_and_redo_queues_again(
    setup: Setup, qtbot: QtBot, errors: list[str]
) -> None:
    from PySide6.QtWidgets import QWidget

    pid = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Croissants", channel_ids=(setup.a,))
    ).subject
    assert pid is not None
    parent = QWidget()
    qtbot.addWidget(parent)
    summary = next(p for p in setup.ctx.plan.list_posts(setup.ws.id) if p.id == pid)
    menu = build_post_menu(parent, [summary], setup.actions, lambda _pid: None)
    act = next(a for a in menu.actions() if a.text() == "Add to queue")
    assert act.isEnabled()
    act.trigger()
    assert setup.ctx.plan.get_post(pid).scheduled_at == FRI_NOON
    stack = setup.actions.undo_stack
    stack.undo()
    assert setup.ctx.plan.get_post(pid).status == PostStatus.DRAFT
    stack.redo()
    assert setup.ctx.plan.get_post(pid).scheduled_at == FRI_NOON
    # A channel without slots: the menu's refusal is shown and nothing changes.
    other = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Tarta", channel_ids=(setup.b,))
    ).subject
    summary = next(p for p in setup.ctx.plan.list_posts(setup.ws.id) if p.id == other)
    menu = build_post_menu(parent, [summary], setup.actions, lambda _pid: None)
    next(a for a in menu.actions() if a.text() == "Add to queue").trigger()
    assert errors and "Give @cafe posting slots" in errors[-1]
    assert stack.count() == 1
