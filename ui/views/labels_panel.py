"""The "Pillars & tags" section of the Campaigns page: colours, add, rename, recolour, merge, delete.

Pillars (the few themes the content rests on) and tags (free labels) are two lists side by side,
each with its buttons. Questions (a name, a colour, which label to merge into, "really delete?")
go through an :class:`Asker`, so tests answer them without dialogs. Every change is one call to
``ctx.campaigns``; a refusal is shown with ``show_error`` and nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListView,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.campaigns.dto import LabelStats
from cmdesk.errors import UserError
from ui.errors import show_error
from ui.models.campaigns import CampaignRole, LabelListModel

KIND_TITLES = {"pillar": "Content pillars", "tag": "Tags"}
KIND_NAMES = {"pillar": "pillar", "tag": "tag"}
DEFAULT_COLORS = {"pillar": "#2980b9", "tag": "#7f8c8d"}


class Asker:
    """The questions the panel asks, as dialogs; tests substitute their own answers."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def text(self, title: str, label: str, default: str = "") -> str | None:
        value, ok = QInputDialog.getText(self.parent, title, label, text=default)
        return value if ok else None

    def color(self, title: str, initial: str) -> str | None:
        chosen = QColorDialog.getColor(QColor(initial), self.parent, title)
        return chosen.name() if chosen.isValid() else None

    def choice(self, title: str, label: str, items: Sequence[str]) -> int | None:
        value, ok = QInputDialog.getItem(self.parent, title, label, list(items), 0, False)
        return list(items).index(value) if ok and value in items else None

    def confirm(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self.parent, title, text)
        return answer == QMessageBox.StandardButton.Yes


class LabelList(QWidget):
    """One kind of label: its list and buttons.

    Signals:
        changed(): a label was added, renamed, recoloured, merged or deleted.
    """

    changed = Signal()

    def __init__(
        self, ctx: AppContext, kind: str, asker: Callable[[], Asker], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.ctx, self.kind, self._asker = ctx, kind, asker
        self.workspace_id = 0
        self.model = LabelListModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName(KIND_TITLES[kind])
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformItemSizes(True)
        title = QLabel(f"<b>{KIND_TITLES[kind]}</b>", self)
        title.setBuddy(self.view)
        noun = KIND_NAMES[kind]
        self.buttons = {
            "add": self._button("Add…", f"Add a {noun}", self.add),
            "rename": self._button("Rename…", f"Rename the {noun}", self.rename),
            "color": self._button("Colour…", f"Change the {noun}'s colour", self.recolor),
            "merge": self._button("Merge into…", f"Merge the {noun} into another", self.merge),
            "delete": self._button("Delete", f"Delete the {noun}", self.delete),
        }
        row = QHBoxLayout()
        row.setSpacing(4)
        for button in self.buttons.values():
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)
        for keys, slot in (("F2", self.rename), ("Delete", self.delete)):
            shortcut = QShortcut(QKeySequence(keys), self.view)
            shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
            shortcut.activated.connect(slot)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self._enable()

    def _button(self, text: str, name: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAccessibleName(name)
        button.setToolTip(name)
        button.clicked.connect(slot)
        return button

    # --- public ----------------------------------------------------------------------------

    def set_rows(self, workspace_id: int, rows: Sequence[LabelStats]) -> None:
        keep = self.current()
        self.workspace_id = workspace_id
        self.model.set_rows([r for r in rows if r.tag.kind == self.kind])
        if keep is not None:
            self.select(keep.tag.id)
        self._enable()

    def current(self) -> LabelStats | None:
        index = self.view.currentIndex()
        value = index.data(CampaignRole.STATS) if index.isValid() else None
        return value if isinstance(value, LabelStats) else None

    def select(self, tag_id: int) -> None:
        row = self.model.row_of(tag_id)
        if row >= 0:
            self.view.setCurrentIndex(self.model.index(row))

    def add(self) -> None:
        noun = KIND_NAMES[self.kind]
        name = self._asker().text(f"New {noun}", f"Name of the new {noun}:")
        if name is None or not self.workspace_id:
            return
        self._do(
            lambda: (
                self.ctx.campaigns.create_label(
                    self.workspace_id, self.kind, name, DEFAULT_COLORS[self.kind]
                ).subject
            )
        )

    def rename(self) -> None:
        label = self.current()
        if label is None:
            return
        name = self._asker().text("Rename", f"New name of “{label.tag.name}”:", label.tag.name)
        if name is not None and name != label.tag.name:
            self._do(lambda: self.ctx.campaigns.update_label(label.tag.id, name=name).subject)

    def recolor(self) -> None:
        label = self.current()
        if label is None:
            return
        color = self._asker().color(f"Colour of “{label.tag.name}”", label.tag.color)
        if color is not None:
            self._do(lambda: self.ctx.campaigns.update_label(label.tag.id, color=color).subject)

    def merge(self) -> None:
        label = self.current()
        if label is None:
            return
        others = [r for r in self.model.rows() if r.tag.id != label.tag.id]
        if not others:
            show_error(self, UserError(f"There is no other {KIND_NAMES[self.kind]} to merge into."))
            return
        picked = self._asker().choice(
            "Merge",
            f"Give the {label.posts} posts of “{label.tag.name}” this label instead, and remove "
            f"“{label.tag.name}”:",
            [r.tag.name for r in others],
        )
        if picked is not None:
            into = others[picked].tag.id
            self._do(lambda: self.ctx.campaigns.merge_labels(label.tag.id, into).subject)

    def delete(self) -> None:
        label = self.current()
        if label is None:
            return
        noun = KIND_NAMES[self.kind]
        text = (
            f"Delete the {noun} “{label.tag.name}”? Its {label.posts} posts stay in the plan, "
            f"without this {noun}."
        )
        if self._asker().confirm(f"Delete {noun}", text):
            self._do(lambda: self.ctx.campaigns.delete_label(label.tag.id).subject)

    # --- internals -------------------------------------------------------------------------

    def _do(self, step: Callable[[], int | None]) -> None:
        try:
            subject = step()
        except UserError as exc:
            show_error(self, exc)
            return
        self.changed.emit()
        if subject is not None:
            self.select(subject)

    def _enable(self) -> None:
        picked = self.current() is not None
        for key in ("rename", "color", "merge", "delete"):
            self.buttons[key].setEnabled(picked)


class LabelsPanel(QGroupBox):
    """Pillars and tags side by side (see the module docstring).

    Signals:
        changed(): a pillar or tag changed (the page reloads).
    """

    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__("Pillars && tags", parent)
        self.setObjectName("labelsPanel")
        self.setAccessibleName("Pillars and tags")
        self.asker = Asker(self)
        self.pillars = LabelList(ctx, "pillar", lambda: self.asker, self)
        self.tags = LabelList(ctx, "tag", lambda: self.asker, self)
        row = QHBoxLayout(self)
        row.addWidget(self.pillars, 1)
        row.addWidget(self.tags, 1)
        for part in (self.pillars, self.tags):
            part.changed.connect(self.changed)

    def set_rows(self, workspace_id: int, rows: Sequence[LabelStats]) -> None:
        self.pillars.set_rows(workspace_id, rows)
        self.tags.set_rows(workspace_id, rows)
