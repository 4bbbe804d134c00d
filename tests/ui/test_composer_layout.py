"""The composer's layout: a slim drop line, tabs only as tall as needed, a preview column."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from ui.actions import PlanActions
from ui.views.composer import ComposerDialog
from ui.views.composer.channel_tab import ChannelTab, Mode
from ui.views.composer.preview import PreviewCard

LONG_NAME = "Harbor Light Books and Coffee · Bluesky"


@pytest.fixture
def dialog(empty_ctx: AppContext, qtbot: QtBot) -> Iterator[ComposerDialog]:
    """A shown composer at its usual size, for a workspace with a Mastodon and a Bluesky channel."""
    wid = empty_ctx.workspaces.create("Espiga", "Europe/Madrid").subject
    assert wid is not None
    empty_ctx.channels.add(wid, "mastodon", "Masto", handle="@e@m.social")
    empty_ctx.channels.add(wid, "bluesky", LONG_NAME, handle="harborlightbooks.bsky.social")
    ws = empty_ctx.workspaces.get(wid)
    composer = ComposerDialog(empty_ctx, PlanActions(empty_ctx), ws, None)
    composer.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    composer.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    qtbot.addWidget(composer)
    composer.resize(1100, 820)
    composer.show()
    qtbot.waitExposed(composer)
    yield composer
    composer.dirty = False


def _choose_all(dialog: ComposerDialog, qtbot: QtBot) -> None:
    for box in dialog.channel_boxes.values():
        box.setChecked(True)
    qtbot.wait(10)  # let the layout settle


def test_an_empty_media_strip_is_one_line_and_grows_with_images(
    dialog: ComposerDialog, qtbot: QtBot, tmp_path: Path
) -> None:
    strip = dialog.media
    assert strip.hint.isVisibleTo(dialog) and not strip.list.isVisibleTo(dialog)
    assert not strip.alt.isVisibleTo(dialog) and not strip.remove.isVisibleTo(dialog)
    slim = strip.sizeHint().height()
    assert slim < 60
    image = tmp_path / "bread.png"
    Image.new("RGB", (20, 10), "blue").save(image)
    assert strip.add_files([str(image)]) == []
    assert strip.list.isVisibleTo(dialog) and strip.alt.isVisibleTo(dialog)
    assert not strip.hint.isVisibleTo(dialog)
    assert strip.sizeHint().height() > slim + 60
    strip.remove_selected()
    assert strip.hint.isVisibleTo(dialog) and strip.sizeHint().height() == slim


def test_the_tabs_take_only_the_height_they_need_until_a_channel_has_its_own_text(
    dialog: ComposerDialog, qtbot: QtBot
) -> None:
    _choose_all(dialog, qtbot)
    dialog.master.setPlainText("Pan del dia")
    qtbot.wait(10)
    compact = dialog.tabs.height()
    assert compact < dialog.master.height() / 2
    sky = next(t for t in dialog.tabs_by_channel.values() if t.channel.name == LONG_NAME)
    sky.mode_buttons[Mode.OWN].click()
    qtbot.waitUntil(lambda: dialog.tabs.height() > compact + 100)
    sky.mode_buttons[Mode.MASTER].click()
    qtbot.waitUntil(lambda: dialog.tabs.height() == compact)


def test_the_preview_column_shows_the_open_tab_and_a_hint_without_channels(
    dialog: ComposerDialog, qtbot: QtBot
) -> None:
    assert not dialog.tabs.isVisibleTo(dialog)
    assert dialog.previews.stack.currentWidget() is dialog.previews.empty
    _choose_all(dialog, qtbot)
    for index in range(dialog.tabs.count()):
        dialog.tabs.setCurrentIndex(index)
        tab = dialog.tabs.currentWidget()
        assert isinstance(tab, ChannelTab)
        assert dialog.previews.stack.currentWidget() is tab.preview_area
        assert dialog.previews.heading.full_text() == f"Preview on {tab.channel.name}"
    for box in dialog.channel_boxes.values():
        box.setChecked(False)
    assert dialog.previews.stack.currentWidget() is dialog.previews.empty
    assert not dialog.tabs.isVisibleTo(dialog)


def test_a_long_channel_name_is_elided_in_a_narrow_card_and_whole_in_its_tooltip(
    dialog: ComposerDialog, qtbot: QtBot
) -> None:
    channel = next(c for c in dialog.channels.values() if c.name == LONG_NAME)
    card = PreviewCard()
    qtbot.addWidget(card)
    card.show_post(channel, "Hola", ())
    card.resize(200, 120)
    card.show()
    qtbot.waitExposed(card)
    assert card.name.text().endswith("…") and card.name.text() != LONG_NAME
    assert card.name.toolTip() == LONG_NAME
    card.resize(600, 120)
    qtbot.waitUntil(lambda: card.name.text() == LONG_NAME)


def test_the_buttons_end_with_the_primary_publish_and_queue_stays_disabled(
    dialog: ComposerDialog,
) -> None:
    buttons = [dialog.close_button, dialog.draft_button, dialog.queue_button]
    buttons += [dialog.schedule_button, dialog.publish_button]
    xs = [b.mapTo(dialog, b.rect().topLeft()).x() for b in buttons]
    assert xs == sorted(xs)
    assert dialog.schedule.mapTo(dialog, dialog.schedule.rect().topLeft()).x() < xs[0]
    assert dialog.draft_button.text() == "Save draft"
    assert dialog.draft_button.isDefault()  # Enter saves a draft, as before
    # Add to queue waits for channels, then for their posting slots, and says so.
    assert (
        not dialog.queue_button.isEnabled()
        and "Choose the channels" in dialog.queue_button.toolTip()
    )
    for box in dialog.channel_boxes.values():
        box.setChecked(True)
    assert not dialog.queue_button.isEnabled() and "posting slots" in dialog.queue_button.toolTip()
    assert dialog.publish_button.objectName() == "publishNow"
