"""The window's two bars: the workspace switcher with New post on top, the pages on the left."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel, QMainWindow, QToolBar, QWidget

from ui.pages import PageSpec


def build_workspace_bar(
    window: QMainWindow, new_post: Callable[[], None]
) -> tuple[QComboBox, QAction]:
    """The top bar: the workspace switcher and New post (Ctrl+N)."""
    toolbar = QToolBar("Workspace", window)
    toolbar.setObjectName("mainToolbar")
    toolbar.setAccessibleName("Main toolbar")
    toolbar.setMovable(False)
    toolbar.setFloatable(False)
    window.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
    label = QLabel("Workspace")
    label.setObjectName("toolbarLabel")
    combo = QComboBox()
    combo.setObjectName("workspaceCombo")
    combo.setAccessibleName("Workspace")
    combo.setToolTip("The brand or client whose plan is shown")
    combo.setMinimumContentsLength(22)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    label.setBuddy(combo)
    toolbar.addWidget(label)
    toolbar.addWidget(combo)
    spacer = QWidget()
    spacer.setFixedWidth(16)
    toolbar.addWidget(spacer)
    new_post_action = QAction("New post", window)
    new_post_action.setObjectName("newPostAction")
    new_post_action.setShortcut(QKeySequence.StandardKey.New)
    new_post_action.setToolTip("Write a new post (Ctrl+N)")
    new_post_action.triggered.connect(lambda: new_post())
    toolbar.addAction(new_post_action)
    if button := toolbar.widgetForAction(new_post_action):
        button.setObjectName("newPostButton")
        button.setAccessibleName("New post")
    return combo, new_post_action


def build_navigation(
    window: QMainWindow, pages: Sequence[PageSpec], show_page: Callable[[str], object]
) -> dict[str, QAction]:
    """The left bar: one checkable action per page, with its shortcut."""
    nav = QToolBar("Navigation", window)
    nav.setObjectName("navBar")
    nav.setAccessibleName("Navigation")
    nav.setMovable(False)
    nav.setFloatable(False)
    nav.setOrientation(Qt.Orientation.Vertical)
    nav.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    window.addToolBar(Qt.ToolBarArea.LeftToolBarArea, nav)
    group = QActionGroup(window)
    group.setExclusive(True)
    actions: dict[str, QAction] = {}
    for spec in pages:
        action = QAction(spec.title, window)
        action.setObjectName(f"{spec.key}NavAction")
        action.setCheckable(True)
        action.setShortcut(QKeySequence(spec.shortcut))
        action.setToolTip(f"{spec.tooltip} ({spec.shortcut})")
        action.triggered.connect(lambda _checked=False, k=spec.key: show_page(k))
        group.addAction(action)
        nav.addAction(action)
        if button := nav.widgetForAction(action):
            button.setAccessibleName(spec.title)
            button.setObjectName(f"{spec.key}NavButton")
        actions[spec.key] = action
    return actions
