"""The composer window: live counters per network, inline problems, saving through PlanActions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import PostInput, WorkspaceDTO
from cmdesk.status import PostStatus
from ui.actions import PlanActions
from ui.views.composer import ComposerDialog, SaveKind
from ui.views.composer.channel_tab import Mode

SKY_LIMIT = 300


class Setup:
    """A Madrid workspace with a Mastodon and a Bluesky channel (real counting rules)."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
        assert wid is not None
        self.ws: WorkspaceDTO = ctx.workspaces.get(wid)
        masto = ctx.channels.add(wid, "mastodon", "Masto", handle="@e@m.social").subject
        sky = ctx.channels.add(wid, "bluesky", "Sky", handle="e.bsky.social").subject
        assert masto is not None and sky is not None
        self.masto, self.sky = masto, sky
        self.actions = PlanActions(ctx)


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Messages the composer would show in a dialog (no modal box blocks the test)."""
    shown: list[str] = []

    def record(parent: object, exc: BaseException) -> None:
        shown.append(str(exc))

    for module in ("dialog", "channel_tab", "media_strip"):
        monkeypatch.setattr(f"ui.views.composer.{module}.show_error", record)
    return shown


@pytest.fixture
def setup(empty_ctx: AppContext) -> Setup:
    return Setup(empty_ctx)


@pytest.fixture
def open_composer(
    setup: Setup, qtbot: QtBot, errors: list[str]
) -> Iterator[Callable[..., ComposerDialog]]:
    made: list[ComposerDialog] = []

    def make(post_id: int | None = None, **kwargs: object) -> ComposerDialog:
        dialog = ComposerDialog(setup.ctx, setup.actions, setup.ws, post_id, **kwargs)  # type: ignore[arg-type]
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        qtbot.addWidget(dialog)
        dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
        made.append(dialog)
        return dialog

    yield make
    for dialog in made:
        dialog.dirty = False


def _choose_both(dialog: ComposerDialog, setup: Setup) -> None:
    dialog.channel_boxes[setup.masto].setChecked(True)
    dialog.channel_boxes[setup.sky].setChecked(True)


def test_counters_follow_typing_with_each_networks_rule(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    dialog = open_composer()
    _choose_both(dialog, setup)
    qtbot.keyClicks(dialog.master, "Hola ")
    dialog.master.insertPlainText("👋🏽")  # QTest types only single UTF-16 units
    qtbot.keyClicks(dialog.master, " https://example.com/" + "a" * 40)
    masto, sky = dialog.tab(setup.masto), dialog.tab(setup.sky)
    assert masto.counter.text() == f"{5 + 2 + 23} / 500 characters"
    assert sky.counter.text() == f"{5 + 2 + 20 + 40} / {SKY_LIMIT} graphemes"
    assert "Masto: 30 / 500" in dialog.summary.text()
    qtbot.keyClicks(dialog.master, "b" * 300)
    assert sky.check is not None and sky.check.over_limit
    assert "#d93025" in sky.counter.styleSheet()
    index = dialog.tabs.indexOf(sky)
    assert dialog.tabs.tabText(index).endswith(f"/ {SKY_LIMIT}")
    assert dialog.tabs.tabBar().tabTextColor(index).name() == "#d93025"
    assert masto.check is not None and not masto.check.over_limit


def test_problems_show_inline_and_a_long_text_offers_a_thread(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    dialog = open_composer()
    _choose_both(dialog, setup)
    sentence = "Hoy horneamos pan de masa madre con harina del pueblo. "
    dialog.master.setPlainText(sentence * 8)
    sky = dialog.tab(setup.sky)
    assert any("Bluesky's limit" in t or "300" in t for t in sky.problem_texts())
    offer = sky.findChild(type(dialog.draft_button), "splitOffer")
    assert offer is not None and not offer.isHidden()
    offer.click()
    assert sky.mode() is Mode.THREAD
    parts = sky.thread_editor.parts()
    assert len(parts) == 2
    assert sky.check is not None and not sky.check.over_limit
    assert all(c <= SKY_LIMIT for c in sky.check.part_counts)
    assert sky.findChild(type(dialog.draft_button), "splitOffer") is None
    masto = dialog.tab(setup.masto)
    assert masto.mode() is Mode.MASTER  # only the channel that needed it became a thread


def test_save_draft_creates_the_post_with_its_versions_in_one_undo_step(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    dialog = open_composer()
    _choose_both(dialog, setup)
    dialog.title.setText("Masa madre")
    qtbot.keyClicks(dialog.master, "Pan del dia")
    sky = dialog.tab(setup.sky)
    sky.mode_buttons[Mode.OWN].click()
    sky.own.setPlainText("Pan del día en Bluesky")
    with qtbot.waitSignal(dialog.saved) as saved:
        dialog.draft_button.click()
    post = setup.ctx.plan.get_post(saved.args[0])
    assert (post.title, post.text, post.status) == ("Masa madre", "Pan del dia", PostStatus.DRAFT)
    assert set(post.channel_ids) == {setup.masto, setup.sky}
    texts = {v.channel_id: v.text for v in post.variants}
    assert texts.get(setup.sky) == "Pan del día en Bluesky"
    assert texts.get(setup.masto) is None
    assert setup.actions.undo_stack.count() == 1
    assert setup.ctx.composer.journal.pending() == []
    assert not dialog.isVisible()


def test_schedule_uses_the_workspace_zone(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    when = datetime(2026, 4, 2, 7, 30, tzinfo=UTC)  # 09:30 in Madrid (summer time)
    dialog = open_composer(when=when)
    assert dialog.schedule.has_time.isChecked()
    assert dialog.schedule.edit.dateTime().toString("HH:mm") == "09:30"
    assert dialog.schedule.zone.text() == "Europe/Madrid (UTC+02:00)"
    _choose_both(dialog, setup)
    qtbot.keyClicks(dialog.master, "Manana, roscon")
    post_id = dialog.save(SaveKind.SCHEDULE)
    assert post_id is not None
    post = setup.ctx.plan.get_post(post_id)
    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, when)


def test_a_post_that_would_be_refused_is_not_scheduled(
    open_composer: Callable[..., ComposerDialog], setup: Setup, errors: list[str]
) -> None:
    dialog = open_composer(when=datetime(2026, 4, 2, 7, 30, tzinfo=UTC))
    _choose_both(dialog, setup)
    dialog.master.setPlainText("x" * 400)
    assert dialog.save(SaveKind.SCHEDULE) is None
    assert errors and "Sky:" in errors[0] and "draft" in errors[0]
    assert setup.ctx.plan.list_unscheduled(setup.ws.id) == []
    assert dialog.master.toPlainText() == "x" * 400  # nothing typed is lost


def test_editing_a_saved_post_keeps_its_options_and_reschedules(
    open_composer: Callable[..., ComposerDialog], setup: Setup
) -> None:
    from cmdesk.dto import PostInput

    ctx = setup.ctx
    pid = ctx.plan.create_post(
        setup.ws.id, PostInput(text="Old", channel_ids=(setup.masto,))
    ).subject
    assert pid is not None
    ctx.plan.set_variant(pid, setup.masto, text=None, options={"visibility": "unlisted"})
    dialog = open_composer(pid)
    assert dialog.master.toPlainText() == "Old"
    assert dialog.channel_boxes[setup.masto].isChecked()
    dialog.master.setPlainText("New")
    dialog.schedule.set_value(datetime(2026, 4, 3, 8, 0, tzinfo=UTC))
    assert dialog.save(SaveKind.SCHEDULE) == pid
    post = ctx.plan.get_post(pid)
    assert (post.text, post.status) == ("New", PostStatus.SCHEDULED)
    assert post.scheduled_at == datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
    assert post.variants[0].options == {"visibility": "unlisted"}
    assert setup.actions.undo_stack.count() == 1  # content, time and status: one undo step
    setup.actions.undo_stack.undo()
    assert ctx.plan.get_post(pid).status == PostStatus.DRAFT


def test_a_refused_schedule_leaves_the_saved_post_unchanged_and_no_undo_step(
    open_composer: Callable[..., ComposerDialog], setup: Setup, errors: list[str]
) -> None:
    from cmdesk.dto import PostInput

    ctx = setup.ctx
    at = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)
    pid = ctx.plan.create_post(
        setup.ws.id, PostInput(text="Old", channel_ids=(setup.masto,)), scheduled_at=at
    ).subject
    assert pid is not None
    before = ctx.plan.get_post(pid)
    dialog = open_composer(pid)
    dialog.master.setPlainText("New")
    dialog.channel_boxes[setup.sky].setChecked(True)
    dialog.schedule.set_value(datetime(2026, 3, 1, 8, 0, tzinfo=UTC))  # already passed
    assert dialog.save(SaveKind.SCHEDULE) is None
    assert errors and "already passed" in errors[-1]
    assert ctx.plan.get_post(pid) == before  # not the text, the channel, the time or the status
    assert setup.actions.undo_stack.count() == 0
    assert dialog.dirty and dialog.master.toPlainText() == "New"


def _png(tmp_path: Path, name: str, size: tuple[int, int] = (20, 10)) -> Path:
    path = tmp_path / name
    Image.new("RGB", size, "blue").save(path)
    return path


def test_attach_media_and_describe_it(
    open_composer: Callable[..., ComposerDialog], setup: Setup, tmp_path: Path
) -> None:
    dialog = open_composer()
    _choose_both(dialog, setup)
    dialog.master.setPlainText("Look")
    assert dialog.media.add_files([str(_png(tmp_path, "bread.png"))]) == []
    assert dialog.media.list.count() == 1
    sky = dialog.tab(setup.sky)
    assert any("bread.png" in t and "alt" in t for t in sky.problem_texts())
    dialog.media.alt.setText("A loaf of sourdough bread")
    dialog.media.commit_alt_text()
    assert not any("alt" in t for t in sky.problem_texts())
    media_id = dialog.media.media_ids()[0]
    stored = setup.ctx.composer.get_media([media_id])[0]
    assert stored.alt_text == "A loaf of sourdough bread"
    assert sky.preview.cards()[0].images.count() == 2  # one thumbnail and the stretch


def test_a_bad_file_is_refused_with_a_reason_and_the_others_attach(
    open_composer: Callable[..., ComposerDialog], tmp_path: Path, errors: list[str]
) -> None:
    dialog = open_composer()
    text = tmp_path / "notes.txt"
    text.write_text("not an image")
    refused = dialog.media.add_files([str(text), str(_png(tmp_path, "ok.png"))])
    assert len(refused) == 1 and "notes.txt" in refused[0]
    assert errors and "notes.txt" in errors[0]
    assert dialog.media.list.count() == 1


def test_dropped_files_are_attached(
    open_composer: Callable[..., ComposerDialog], tmp_path: Path
) -> None:
    dialog = open_composer()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(_png(tmp_path, "drop.png")))])
    event = QDropEvent(
        QPointF(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    dialog.media.dropEvent(event)
    assert [m.original_name for m in dialog.media.media()] == ["drop.png"]


def test_an_image_too_large_for_the_channel_can_be_resized(
    empty_ctx: AppContext, qtbot: QtBot, tmp_path: Path, errors: list[str]
) -> None:
    ctx = empty_ctx
    wid = ctx.workspaces.create("W", "UTC").subject
    assert wid is not None
    cid = ctx.channels.add(wid, "mastodon", "Small", limits={"image_size_limit": 50_000}).subject
    assert cid is not None
    dialog = ComposerDialog(ctx, PlanActions(ctx), ctx.workspaces.get(wid), None)
    qtbot.addWidget(dialog)
    dialog.channel_boxes[cid].setChecked(True)
    path = tmp_path / "noise.jpg"
    Image.effect_noise((600, 600), 90).convert("RGB").save(path, quality=100)
    dialog.media.add_files([str(path)])
    tab = dialog.tab(cid)
    assert tab.check is not None
    offer = next(p for p in tab.check.problems if p.resizable)
    old_id = dialog.media.media_ids()[0]
    assert offer.media_id == old_id
    tab.resize_requested.emit(old_id)
    new = dialog.media.media()[0]
    assert new.id != old_id and new.size_bytes <= 50_000
    assert not [p for p in tab.check.problems if p.code == "media_too_large"]
    dialog.dirty = False


def test_publish_now_asks_first_then_sends_at_once(
    open_composer: Callable[..., ComposerDialog], setup: Setup
) -> None:
    dialog = open_composer()
    _choose_both(dialog, setup)
    dialog.master.setPlainText("Ya está el pan")
    asked: list[bool] = []
    dialog.confirm_publish = lambda: asked.append(True) or False  # type: ignore[method-assign]
    assert dialog.save(SaveKind.PUBLISH) is None
    assert asked and setup.ctx.plan.list_unscheduled(setup.ws.id) == []
    dialog.confirm_publish = lambda: True  # type: ignore[method-assign]
    post_id = dialog.save(SaveKind.PUBLISH)
    assert post_id is not None
    post = setup.ctx.plan.get_post(post_id)
    assert (post.status, post.scheduled_at) == (PostStatus.SCHEDULED, setup.ctx.clock.now())


def test_ctrl_s_saves_and_escape_asks_before_closing(
    open_composer: Callable[..., ComposerDialog], setup: Setup, qtbot: QtBot
) -> None:
    dialog = open_composer()
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts reach only the active window
    dialog.master.setFocus()
    qtbot.keyClicks(dialog.master, "Borrador")
    asked: list[bool] = []

    def cancel() -> QMessageBox.StandardButton:
        asked.append(True)
        return QMessageBox.StandardButton.Cancel

    dialog.ask_unsaved = cancel  # type: ignore[method-assign]
    qtbot.keyClick(dialog.master, Qt.Key.Key_Escape)
    assert asked and dialog.isVisible()
    with qtbot.waitSignal(dialog.saved):
        qtbot.keyClick(dialog.master, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert setup.ctx.plan.list_unscheduled(setup.ws.id)[0].snippet == "Borrador"


def test_a_removed_channel_is_named_before_saving_drops_it(
    setup: Setup, open_composer: Callable[..., ComposerDialog]
) -> None:
    post_id = setup.ctx.plan.create_post(
        setup.ws.id, PostInput(text="Pan de centeno", channel_ids=(setup.masto, setup.sky))
    ).subject
    setup.ctx.channels.remove(setup.sky)
    dialog = open_composer(post_id)
    assert not dialog.banner.isHidden()
    assert "Sky" in dialog.banner.text() and "removed" in dialog.banner.text()
    assert set(dialog.channel_boxes) == {setup.masto}
    other = open_composer(None)  # a new post has nothing to warn about
    assert other.banner.isHidden()
