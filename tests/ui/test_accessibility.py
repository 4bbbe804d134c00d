"""Every control on every page can be named by a screen reader and reached from the keyboard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from cmdesk.bootstrap import AppContext
from ui.main_window import PAGES, MainWindow

CONTROLS = (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
)


def _labelled_by_buddy(widget: QWidget, root: QWidget) -> bool:
    return any(label.buddy() is widget for label in root.findChildren(QLabel))


def _name(widget: QWidget, root: QWidget) -> str:
    if widget.accessibleName():
        return widget.accessibleName()
    if isinstance(widget, QAbstractButton) and widget.text().replace("&", "").strip():
        return widget.text()
    if isinstance(widget, QLineEdit) and widget.placeholderText():
        return widget.placeholderText()
    return "buddy" if _labelled_by_buddy(widget, root) else ""


def _visible_controls(root: QWidget) -> list[QWidget]:
    found = [w for kind in CONTROLS for w in root.findChildren(kind) if w.isVisibleTo(root)]
    # Qt's own parts of composite widgets (a spin box's line edit, a view's scroll bars, a
    # combo box's popup) are named by their owner.
    owned = (QAbstractSpinBox, QComboBox, QAbstractItemView)
    return [w for w in found if not isinstance(w.parentWidget(), owned)]


@pytest.mark.parametrize("key", [spec.key for spec in PAGES])
def test_every_control_of_a_page_has_a_name(qtbot: QtBot, demo_ctx: AppContext, key: str) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    page = window.show_page(key)
    assert key == "inbox" or len(_visible_controls(page)) >= 3
    unnamed = [
        f"{type(w).__name__} {w.objectName() or '(no object name)'}"
        for w in _visible_controls(page)
        if not _name(w, page)
    ]
    assert unnamed == []


def test_window_controls_are_named_and_reachable_by_keyboard(
    qtbot: QtBot, demo_ctx: AppContext
) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    assert window.workspace_combo.accessibleName() == "Workspace"
    assert window.workspace_combo.focusPolicy() & Qt.FocusPolicy.TabFocus
    shortcuts = {a.shortcut().toString() for a in window.nav_actions.values()}
    assert shortcuts == {f"Ctrl+{n}" for n in range(1, 10)}
    assert window.new_post_action.shortcut().toString() == "Ctrl+N"


def test_every_control_of_the_composer_has_a_name(qtbot: QtBot, demo_ctx: AppContext) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    window.show()
    ws = window.workspace
    assert ws is not None
    post_id = next(p.id for p in demo_ctx.plan.list_posts(ws.id) if p.channel_ids)
    window.open_post(post_id)
    composer = window._composers[post_id]
    controls = _visible_controls(composer)
    assert len(controls) > 8
    assert [type(w).__name__ for w in controls if not _name(w, composer)] == []
    composer.close()
