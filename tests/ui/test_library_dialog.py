"""The library dialog: list, add, edit, delete and reorder; errors under their field."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from ui.models.library import LibraryEntry, LibraryModel, LibraryRole
from ui.views.library_dialog import LibraryDialog, LibraryTab

_Answer = QMessageBox.StandardButton


@pytest.fixture
def workspace(empty_ctx: AppContext) -> WorkspaceDTO:
    wid = empty_ctx.workspaces.create("Espiga", "Europe/Madrid").subject
    assert wid is not None
    return empty_ctx.workspaces.get(wid)


@pytest.fixture
def dialog(empty_ctx: AppContext, workspace: WorkspaceDTO, qtbot: QtBot) -> Iterator[LibraryDialog]:
    lib = empty_ctx.library
    lib.add_group(workspace.id, "Bakery", "#pan #masamadre")
    lib.add_group(workspace.id, "Coffee", "#cafe")
    lib.add_snippet(workspace.id, "Sign-off", "¡Hasta mañana! {brand}")
    shown = LibraryDialog(empty_ctx, workspace)
    qtbot.addWidget(shown)
    yield shown
    shown.groups.dirty = shown.templates.dirty = False


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = LibraryModel()
    model.set_entries([LibraryEntry(1, "Bakery", "#pan #masamadre"), LibraryEntry(2, "B", "x")])
    qtmodeltester.check(model)
    index = model.index(0, 0)
    assert model.data(index, LibraryRole.ENTRY_ID) == 1
    assert model.data(index, LibraryRole.BODY) == "#pan #masamadre"
    assert model.data(index) == "Bakery  ·  #pan #masamadre"
    assert model.row_of(2) == 1 and model.row_of(9) == -1


def test_it_lists_both_kinds_and_shows_the_first_entry(dialog: LibraryDialog) -> None:
    groups = dialog.groups
    assert [groups.model.data(groups.model.index(r, 0), LibraryRole.NAME) for r in range(2)] == [
        "Bakery",
        "Coffee",
    ]
    assert groups.name.text() == "Bakery"
    assert groups.body.toPlainText() == "#pan #masamadre"
    assert dialog.templates.name.text() == "Sign-off"
    assert "{brand}" in dialog.templates.note.text()  # the placeholders are explained


def test_add_a_group_cleaned_as_it_is_typed(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO, qtbot: QtBot
) -> None:
    tab = dialog.groups
    tab.new_entry()
    assert tab.name.text() == "" and tab.current_id is None
    qtbot.keyClicks(tab.name, "Events")
    tab.body.setPlainText("readings, #books #Books")
    assert tab.note.text() == "Saved as: #readings #books  (2 hashtags)"
    tab.save_button.click()
    saved = empty_ctx.library.find_group(workspace.id, "Events")
    assert saved is not None and saved.hashtags == ("#readings", "#books")
    assert tab.current_id == saved.id
    assert tab.list.currentIndex().row() == 2
    assert tab.body.toPlainText() == "#readings #books"


def test_a_bad_hashtag_is_explained_under_its_field_and_nothing_is_lost(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO
) -> None:
    tab = dialog.groups
    tab.body.setPlainText("#pan #half-price")
    assert "'#half-price'" in tab.note.text()  # said while typing
    assert not tab.save()
    assert tab.body_error.isVisibleTo(dialog) and "'#half-price'" in tab.body_error.text()
    assert tab.body.toPlainText() == "#pan #half-price"
    assert empty_ctx.library.list_groups(workspace.id)[0].hashtags == ("#pan", "#masamadre")
    tab.name.setText("coffee")
    tab.body.setPlainText("#pan")
    assert not tab.save()
    assert "already a hashtag group" in tab.name_error.text()
    assert not tab.body_error.isVisibleTo(dialog)


def test_edit_a_template_and_see_its_unknown_placeholders(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO
) -> None:
    tab = dialog.templates
    tab.body.setPlainText("Hasta el {weekday} — {price}")
    assert "inserted as typed: {price}" in tab.note.text()
    assert tab.save()
    assert empty_ctx.library.list_snippets(workspace.id)[0].text == "Hasta el {weekday} — {price}"
    tab.body.setPlainText("  ")
    assert not tab.save()
    assert tab.body_error.text() == "Write the template's text."


def test_delete_asks_and_selects_the_next(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO
) -> None:
    tab = dialog.groups
    asked: list[str] = []
    tab.confirm_delete = lambda name: asked.append(name) or False  # type: ignore[method-assign, func-returns-value]
    tab.delete()
    assert len(empty_ctx.library.list_groups(workspace.id)) == 2
    tab.confirm_delete = lambda name: True  # type: ignore[method-assign]
    tab.delete_button.click()
    assert asked == ["Bakery"]
    assert [g.name for g in empty_ctx.library.list_groups(workspace.id)] == ["Coffee"]
    assert tab.name.text() == "Coffee"


def test_reorder_with_buttons_and_keys(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO, qtbot: QtBot
) -> None:
    tab = dialog.groups
    assert not tab.up_button.isEnabled() and tab.down_button.isEnabled()
    tab.down_button.click()
    assert [g.name for g in empty_ctx.library.list_groups(workspace.id)] == ["Coffee", "Bakery"]
    assert tab.name.text() == "Bakery" and tab.list.currentIndex().row() == 1
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    tab.list.setFocus()
    qtbot.waitUntil(tab.list.hasFocus)
    qtbot.keyClick(tab.list, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert [g.name for g in empty_ctx.library.list_groups(workspace.id)] == ["Bakery", "Coffee"]


def test_leaving_a_changed_form_asks(
    dialog: LibraryDialog, empty_ctx: AppContext, workspace: WorkspaceDTO
) -> None:
    tab: LibraryTab = dialog.groups
    tab.body.setPlainText("#pan #trigo")
    tab.ask_unsaved = lambda: _Answer.Cancel  # type: ignore[method-assign]
    tab.list.setCurrentIndex(tab.model.index(1, 0))
    assert tab.name.text() == "Bakery" and tab.body.toPlainText() == "#pan #trigo"
    assert tab.list.currentIndex().row() == 0
    dialog.tabs.setCurrentIndex(1)
    assert dialog.tabs.currentIndex() == 0
    tab.ask_unsaved = lambda: _Answer.Save  # type: ignore[method-assign]
    tab.list.setCurrentIndex(tab.model.index(1, 0))
    assert tab.name.text() == "Coffee"
    assert empty_ctx.library.list_groups(workspace.id)[0].hashtags == ("#pan", "#trigo")


def test_closing_with_a_refused_form_keeps_the_dialog_open(dialog: LibraryDialog) -> None:
    tab = dialog.groups
    tab.body.setPlainText("#bad-tag")
    tab.ask_unsaved = lambda: _Answer.Save  # type: ignore[method-assign]
    dialog.show()
    dialog.reject()
    assert dialog.isVisible()
    assert "'#bad-tag'" in tab.body_error.text()
    tab.ask_unsaved = lambda: _Answer.Discard  # type: ignore[method-assign]
    dialog.reject()
    assert not dialog.isVisible()


def test_every_control_has_an_accessible_name(dialog: LibraryDialog) -> None:
    for tab in (dialog.groups, dialog.templates):
        for widget in (
            tab.list,
            tab.name,
            tab.body,
            tab.new_button,
            tab.delete_button,
            tab.up_button,
            tab.down_button,
            tab.save_button,
        ):
            assert widget.accessibleName(), widget
