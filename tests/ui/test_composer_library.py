"""Hashtag groups and templates inserted from the composer: at the cursor, one undo, counted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QWidgetAction
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import CampaignInput
from cmdesk.dto import WorkspaceDTO
from ui.actions import PlanActions
from ui.views.composer import ComposerDialog
from ui.views.composer.channel_tab import Mode
from ui.views.composer.library_menu import SEARCH_FROM, LibraryButtons

SKY_LIMIT = 300


class Setup:
    """A Madrid workspace with a Mastodon and a Bluesky channel and a small library."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        wid = ctx.workspaces.create("Espiga", "Europe/Madrid").subject
        assert wid is not None
        self.ws: WorkspaceDTO = ctx.workspaces.get(wid)
        masto = ctx.channels.add(wid, "mastodon", "Masto", handle="@e@m.social").subject
        sky = ctx.channels.add(wid, "bluesky", "Sky", handle="e.bsky.social").subject
        assert masto is not None and sky is not None
        self.masto, self.sky = masto, sky
        self.short = ctx.library.add_group(wid, "Bakery", "#pan #masamadre")
        # 24 tags of 11 graphemes and 23 spaces: 287 graphemes, within Bluesky's 300 alone.
        self.long = ctx.library.add_group(wid, "Everything", [f"#tag{i:05d}ab" for i in range(24)])
        self.actions = PlanActions(ctx)


@pytest.fixture
def setup(empty_ctx: AppContext) -> Setup:
    return Setup(empty_ctx)


@pytest.fixture
def composer(setup: Setup, qtbot: QtBot) -> Iterator[ComposerDialog]:
    dialog = ComposerDialog(setup.ctx, setup.actions, setup.ws, None)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
    qtbot.addWidget(dialog)
    dialog.ask_unsaved = lambda: QMessageBox.StandardButton.Discard  # type: ignore[method-assign]
    dialog.channel_boxes[setup.masto].setChecked(True)
    dialog.channel_boxes[setup.sky].setChecked(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.dirty = False


def _focus(qtbot: QtBot, editor: QPlainTextEdit, position: int | None = None) -> None:
    editor.window().activateWindow()
    qtbot.waitUntil(editor.isVisible)
    editor.setFocus()
    qtbot.waitUntil(editor.hasFocus)
    if position is not None:
        cursor = editor.textCursor()
        cursor.setPosition(position)
        editor.setTextCursor(cursor)


def _entries(buttons: LibraryButtons, menu_name: str) -> dict[str, QAction]:
    menu = getattr(buttons, menu_name)
    menu.aboutToShow.emit()
    return {
        a.text().split("  ·  ")[0]: a
        for a in menu.actions()
        if not a.isSeparator() and not isinstance(a, QWidgetAction)
    }


def test_a_group_goes_in_at_the_cursor_of_the_main_text_as_one_undo_step(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    composer.master.setPlainText("Pan del día.Hasta mañana")
    _focus(qtbot, composer.master, len("Pan del día."))
    entries = _entries(composer.library_buttons, "hashtag_menu")
    entries["Bakery"].trigger()
    assert composer.master.toPlainText() == "Pan del día. #pan #masamadre Hasta mañana"
    masto = composer.tab(setup.masto)
    assert masto.check is not None and masto.check.count == len(composer.master.toPlainText())
    composer.master.undo()
    assert composer.master.toPlainText() == "Pan del día.Hasta mañana"
    assert masto.check.count == len("Pan del día.Hasta mañana")


def test_a_group_goes_into_a_bluesky_variant_and_is_counted_like_typed_text(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    composer.master.setPlainText("Pan")
    sky = composer.tab(setup.sky)
    composer.tabs.setCurrentWidget(sky)
    sky.mode_buttons[Mode.OWN].setChecked(True)
    sky.own.setPlainText("Pan en Bluesky")
    _focus(qtbot, sky.own, 3)
    entries = _entries(composer.library_buttons, "hashtag_menu")
    # Counted the Bluesky way for the Sky tab; with the 14 there already it would not fit.
    assert "(287 graphemes)" in entries["Everything"].text()
    assert "too long for Sky" in entries["Everything"].text()
    assert entries["Everything"].data() is True
    assert "too long" not in entries["Bakery"].text()
    assert sky.check is not None and not sky.check.over_limit
    entries["Everything"].trigger()
    assert sky.own.toPlainText().startswith("Pan #tag00000ab #tag00001ab")
    assert sky.own.toPlainText().endswith("#tag00023ab en Bluesky")
    assert composer.master.toPlainText() == "Pan"  # the main text is untouched
    assert sky.check.over_limit
    assert any(str(SKY_LIMIT) in t for t in sky.problem_texts())
    assert "Sky:" in composer.summary.text() and "over the limit" in composer.summary.text()
    sky.own.undo()
    assert sky.own.toPlainText() == "Pan en Bluesky"
    assert sky.check is not None and not sky.check.over_limit


def test_a_group_goes_into_the_focused_thread_part(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    sky = composer.tab(setup.sky)
    composer.tabs.setCurrentWidget(sky)
    sky.mode_buttons[Mode.THREAD].setChecked(True)
    sky.thread_editor.set_parts(["Uno", "Dos"])
    second = sky.thread_editor.editor(1)
    _focus(qtbot, second, 3)
    composer.library_buttons.insert_group(setup.short)
    assert sky.thread_editor.parts() == ["Uno", "Dos #pan #masamadre"]
    assert sky.check is not None and sky.check.part_counts[1] == len("Dos #pan #masamadre")


def test_the_last_focused_box_is_used_when_focus_went_elsewhere(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    sky = composer.tab(setup.sky)
    composer.tabs.setCurrentWidget(sky)
    sky.mode_buttons[Mode.OWN].setChecked(True)
    sky.own.setPlainText("")
    _focus(qtbot, sky.own)
    composer.title.setFocus()
    qtbot.waitUntil(composer.title.hasFocus)
    composer.library_buttons.insert_group(setup.short)
    assert sky.own.toPlainText() == "#pan #masamadre"
    assert composer.master.toPlainText() == ""


def test_a_template_is_filled_from_the_post_and_what_is_left_is_pointed_out(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    composer.title.setText("Roscón")
    composer.master.setPlainText("Reserva: https://espiga.example/roscon. ")
    # 29 March 2026, the day Madrid moves to summer time: 10:00 local is 08:00 UTC.
    composer.schedule.set_value(datetime(2026, 3, 29, 8, 0, tzinfo=UTC))
    snippet = setup.ctx.library.add_snippet(
        setup.ws.id, "CTA", "{title} el {weekday} {date} a las {time}: {link} ({price}, {campaign})"
    )
    _focus(qtbot, composer.master, len(composer.master.toPlainText()))
    entries = _entries(composer.library_buttons, "template_menu")
    assert "{price}" in entries["CTA"].toolTip()
    entries["CTA"].trigger()
    assert composer.master.toPlainText() == (
        "Reserva: https://espiga.example/roscon. Roscón el Sunday 29 March 2026 a las 10:00: "
        "https://espiga.example/roscon ({price}, {campaign})"
    )
    notice = composer.library_buttons.last_notice
    assert "{price} (not a placeholder cmdesk knows)" in notice
    assert "{campaign} (the post has no campaign)" in notice
    assert snippet.unknown_placeholders == ("{price}",)
    composer.master.undo()
    assert composer.master.toPlainText() == "Reserva: https://espiga.example/roscon. "


def test_the_campaign_comes_from_the_labels_row_and_a_template_is_spaced(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    setup.ctx.campaigns.create_campaign(setup.ws.id, CampaignInput(name="Roscón 2027"))
    snippet = setup.ctx.library.add_snippet(setup.ws.id, "Campaign", "{campaign}!")
    dialog = ComposerDialog(setup.ctx, setup.actions, setup.ws, None)
    qtbot.addWidget(dialog)
    combo = dialog.labels.campaign
    combo.setCurrentIndex(combo.findText("Roscón 2027"))
    dialog.master.setPlainText("Ya llega")
    cursor = dialog.master.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    dialog.master.setTextCursor(cursor)
    dialog.library_buttons.insert_snippet(snippet)
    assert dialog.master.toPlainText() == "Ya llega Roscón 2027!"
    assert dialog.library_buttons.last_notice == ""
    dialog.dirty = False


def test_a_long_menu_can_be_searched_and_return_takes_the_first_match(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    for i in range(SEARCH_FROM):
        setup.ctx.library.add_group(setup.ws.id, f"Group {i}", f"#g{i}x")
    _focus(qtbot, composer.master)
    buttons = composer.library_buttons
    entries = _entries(buttons, "hashtag_menu")
    search = buttons.hashtag_menu.findChild(QLineEdit)
    assert search is not None and search.accessibleName() == "Search hashtag groups"
    search.setText("#g7x")
    visible = [name for name, action in entries.items() if action.isVisible()]
    assert visible == ["Group 7", "Manage…"]
    search.returnPressed.emit()
    assert composer.master.toPlainText() == "#g7x"


def test_an_empty_library_says_so_and_offers_manage(
    empty_ctx: AppContext, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = empty_ctx.workspaces.create("Empty", "UTC").subject
    assert wid is not None
    dialog = ComposerDialog(empty_ctx, PlanActions(empty_ctx), empty_ctx.workspaces.get(wid), None)
    qtbot.addWidget(dialog)
    opened: list[str] = []
    monkeypatch.setattr(
        "ui.views.library_dialog.open_library", lambda parent, ctx, ws: opened.append(ws.name)
    )
    entries = _entries(dialog.library_buttons, "template_menu")
    assert not entries["No templates yet"].isEnabled()
    entries["Manage…"].trigger()
    assert opened == ["Empty"]


def test_shortcuts_open_the_menus(composer: ComposerDialog, qtbot: QtBot) -> None:
    opened: list[str] = []
    buttons = composer.library_buttons
    buttons.hashtag_button.showMenu = lambda: opened.append("hashtags")  # type: ignore[method-assign]
    buttons.template_button.showMenu = lambda: opened.append("templates")  # type: ignore[method-assign]
    _focus(qtbot, composer.master)
    mods = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(composer.master, Qt.Key.Key_H, mods)
    qtbot.keyClick(composer.master, Qt.Key.Key_T, mods)
    assert opened == ["hashtags", "templates"]
    assert buttons.hashtag_button.accessibleName() == "Insert a hashtag group"
    assert "Ctrl+Shift+T" in buttons.template_button.toolTip()


Opener = Callable[..., object]


def test_the_main_text_is_measured_for_a_channel_that_posts_it(
    composer: ComposerDialog, setup: Setup, qtbot: QtBot
) -> None:
    sky = composer.tab(setup.sky)
    composer.tabs.setCurrentWidget(sky)
    sky.mode_buttons[Mode.OWN].setChecked(True)  # Sky ignores the main text now
    composer.master.setPlainText("x" * 250)
    _focus(qtbot, composer.master, 250)
    entries = _entries(composer.library_buttons, "hashtag_menu")
    # Mastodon counts characters against 500: the long group (287) would take it to 538.
    assert "(287 characters)" in entries["Everything"].text()
    assert "too long for Masto" in entries["Everything"].text()
    sky.mode_buttons[Mode.MASTER].setChecked(True)
    entries = _entries(composer.library_buttons, "hashtag_menu")
    assert entries["Bakery"].text().endswith("(15 graphemes)")  # 250 + 16 fits in 300
    assert "too long for Sky" in entries["Everything"].text()
