"""The library dialog: a workspace's hashtag groups and templates, to add, edit, delete and reorder.

Two tabs, Hashtag groups and Templates, each a list on the left (in the order the composer's
menus show them) and the selected entry's form on the right. Save (Ctrl+S) stores the form; a
refused value is explained under its field and nothing is lost. Under the hashtags a line shows
how they will be saved (cleaned: '#' added, duplicates dropped); under a template's text, the
placeholders it may use and those cmdesk does not know (inserted as typed). Keyboard: Ctrl+N
new entry, Delete removes the selected one, Alt+Up / Alt+Down move it. Leaving a changed form
(another entry, another tab, closing) asks whether to save it.

The Plan menu opens it with :func:`open_library`; the composer's menus with "Manage…".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.errors import UserError
from ui.errors import show_error
from ui.models.library import LibraryEntry, LibraryModel
from ui.views.library_kinds import LibraryKind, hashtag_kind, template_kind

ERROR_STYLE = "color: #d93025;"
_Answer = QMessageBox.StandardButton


class LibraryTab(QWidget):
    """One kind of entry: the list, its buttons and the form of the selected entry.

    Signals: none.
    """

    def __init__(self, kind: LibraryKind, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = kind
        self.current_id: int | None = None
        self.dirty = False
        self._loading = False
        layout = QHBoxLayout(self)
        layout.addLayout(self._build_list(), 2)
        layout.addLayout(self._build_form(), 3)
        self._shortcut("Ctrl+N", self.new_entry, self)
        self._shortcut("Ctrl+S", self.save, self)
        self._shortcut("Delete", self.delete, self.list)
        self._shortcut("Alt+Up", lambda: self.move_entry(-1), self.list)
        self._shortcut("Alt+Down", lambda: self.move_entry(1), self.list)

    def _build_list(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.model = LibraryModel(self)
        self.list = QListView()
        self.list.setModel(self.model)
        self.list.setAccessibleName(self.kind.title)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setSpacing(1)
        self.list.selectionModel().currentRowChanged.connect(self._row_changed)
        column.addWidget(self.list, 1)
        buttons = QHBoxLayout()
        self.new_button = self._push("New", f"New {self.kind.noun} (Ctrl+N)", self.new_entry)
        self.delete_button = self._push("Delete", f"Delete this {self.kind.noun}", self.delete)
        self.up_button = self._push("↑", "Move up (Alt+Up)", lambda: self.move_entry(-1))
        self.down_button = self._push("↓", "Move down (Alt+Down)", lambda: self.move_entry(1))
        for button in (self.new_button, self.delete_button, self.up_button, self.down_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        column.addLayout(buttons)
        return column

    def _build_form(self) -> QVBoxLayout:
        column = QVBoxLayout()
        form = QFormLayout()
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(120)
        self.name.textChanged.connect(self._edited)
        self.name_error = self._error_label("Problem with the name")
        name_box = QVBoxLayout()
        name_box.addWidget(self.name)
        name_box.addWidget(self.name_error)
        form.addRow("Name:", name_box)
        self.body = QPlainTextEdit()
        self.body.setAccessibleName(self.kind.body_label.rstrip(":"))
        self.body.setTabChangesFocus(True)
        self.body.textChanged.connect(self._edited)
        self.body_error = self._error_label(f"Problem with the {self.kind.body_field}")
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.note.setAccessibleName("Note")
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        body_box = QVBoxLayout()
        body_box.addWidget(self.body, 1)
        body_box.addWidget(self.body_error)
        body_box.addWidget(self.note)
        form.addRow(self.kind.body_label, body_box)
        column.addLayout(form, 1)
        row = QHBoxLayout()
        row.addStretch(1)
        self.save_button = self._push("Save", f"Save this {self.kind.noun} (Ctrl+S)", self.save)
        row.addWidget(self.save_button)
        column.addLayout(row)
        return column

    def _push(self, text: str, tip: str, slot: Callable[[], object]) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.setAccessibleName(tip.split(" (")[0])
        button.setAutoDefault(False)
        button.clicked.connect(lambda _=False: slot())
        return button

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        label.setAccessibleName(name)
        label.hide()
        return label

    def _shortcut(self, keys: str, slot: Callable[[], object], owner: QWidget) -> None:
        shortcut = QShortcut(QKeySequence(keys), owner)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    # --- loading -----------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        """Read the entries again; select ``select_id`` (else the first, else a new form)."""
        self.model.set_entries(self.kind.load())
        row = self.model.row_of(select_id) if select_id is not None else -1
        if row < 0 and self.model.rowCount() and select_id is None:
            row = 0
        self._select(row)
        self._show(self.model.entry(row))
        self._enable()

    def _select(self, row: int) -> None:
        selection = self.list.selectionModel()
        selection.blockSignals(True)
        if row >= 0:
            selection.setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        else:
            selection.clearSelection()
            selection.setCurrentIndex(
                self.model.index(-1, 0), QItemSelectionModel.SelectionFlag.Clear
            )
        selection.blockSignals(False)

    def _show(self, entry: LibraryEntry | None) -> None:
        self._loading = True
        self.current_id = entry.id if entry else None
        self.name.setText(entry.name if entry else "")
        self.body.setPlainText(entry.body if entry else "")
        self._loading = False
        self.dirty = False
        self._clear_errors()
        self._update_note()

    def _enable(self) -> None:
        row = self.model.row_of(self.current_id) if self.current_id is not None else -1
        self.delete_button.setEnabled(row >= 0)
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.model.rowCount() - 1)

    # --- editing -----------------------------------------------------------------------------

    def _edited(self) -> None:
        if self._loading:
            return
        self.dirty = True
        self._update_note()

    def _update_note(self) -> None:
        message, warning = self.kind.note(self.body.toPlainText())
        self.note.setText(message)
        self.note.setStyleSheet("color: #b06000;" if warning else "")

    def _clear_errors(self) -> None:
        for label in (self.name_error, self.body_error):
            label.clear()
            label.hide()

    def _row_changed(self, current: object, previous: object) -> None:
        entry = self.model.entry(self.list.currentIndex().row())
        if entry is not None and entry.id == self.current_id:
            return
        if not self.resolve_unsaved():
            self._select(self.model.row_of(self.current_id) if self.current_id else -1)
            return
        self._show(entry)
        self._enable()

    def new_entry(self) -> None:
        if not self.resolve_unsaved():
            return
        self._select(-1)
        self._show(None)
        self._enable()
        self.name.setFocus()

    def save(self) -> bool:
        """Store the form; on a refusal say why under the field and keep what was typed."""
        self._clear_errors()
        name, body = self.name.text(), self.body.toPlainText()
        try:
            if self.current_id is None:
                saved = self.kind.add(name, body)
            else:
                self.kind.update(self.current_id, name, body)
                saved = self.current_id
        except UserError as exc:
            self._show_error(exc)
            return False
        self.dirty = False
        self.reload(saved)
        return True

    def _show_error(self, exc: UserError) -> None:
        field: QWidget
        if exc.field == "name":
            label, field = self.name_error, self.name
        elif exc.field == self.kind.body_field:
            label, field = self.body_error, self.body
        else:
            show_error(self, exc)
            return
        label.setText(exc.message)
        label.show()
        if self.note.text() == exc.message:
            self.note.clear()  # said once, in red under the field
        field.setFocus()

    def delete(self) -> None:
        if self.current_id is None:
            return
        name = self.name.text() or f"this {self.kind.noun}"
        if not self.confirm_delete(name):
            return
        row = self.model.row_of(self.current_id)
        try:
            self.kind.remove(self.current_id)
        except UserError as exc:
            show_error(self, exc)
        self.dirty = False
        ids = [i for i in self.model.ids() if i != self.current_id]
        self.reload(ids[min(row, len(ids) - 1)] if ids else None)

    def move_entry(self, step: int) -> None:
        if self.current_id is None or not self.resolve_unsaved():
            return
        ids = self.model.ids()
        row = ids.index(self.current_id) if self.current_id in ids else -1
        target = row + step
        if row < 0 or not 0 <= target < len(ids):
            return
        ids[row], ids[target] = ids[target], ids[row]
        moved = self.current_id
        try:
            self.kind.reorder(ids)
        except UserError as exc:
            show_error(self, exc)
        self.reload(moved)
        self.list.setFocus()

    def resolve_unsaved(self) -> bool:
        """Whether the form may be left: a changed form is saved, dropped or kept (Cancel)."""
        if not self.dirty:
            return True
        answer = self.ask_unsaved()
        if answer == _Answer.Save:
            return self.save()
        if answer == _Answer.Discard:
            self.dirty = False
            return True
        return False

    # --- questions (tests replace these) ------------------------------------------------------

    def ask_unsaved(self) -> QMessageBox.StandardButton:
        return QMessageBox.question(
            self,
            "Unsaved changes",
            f"Save the changes to this {self.kind.noun}?",
            _Answer.Save | _Answer.Discard | _Answer.Cancel,
        )

    def confirm_delete(self, name: str) -> bool:
        answer = QMessageBox.question(self, f"Delete {self.kind.noun}", f"Delete {name!r}?")
        return answer == _Answer.Yes


class LibraryDialog(QDialog):
    """Hashtag groups and templates of one workspace.

    Signals: none (the library service emits its change sets).
    """

    def __init__(
        self, ctx: AppContext, workspace: WorkspaceDTO, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Hashtags and templates · {workspace.name}")
        self.setAccessibleName("Hashtags and templates")
        self.resize(820, 520)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Library")
        self.groups = LibraryTab(hashtag_kind(ctx, workspace.id))
        self.templates = LibraryTab(template_kind(ctx, workspace.id))
        self.tabs.addTab(self.groups, "&Hashtag groups")
        self.tabs.addTab(self.templates, "&Templates")
        self._tab_index = 0
        self.tabs.currentChanged.connect(self._tab_changed)
        layout.addWidget(self.tabs, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.groups.reload()
        self.templates.reload()

    def _tab_changed(self, index: int) -> None:
        left = self.tabs.widget(self._tab_index)
        if isinstance(left, LibraryTab) and not left.resolve_unsaved():
            self.tabs.blockSignals(True)
            self.tabs.setCurrentIndex(self._tab_index)
            self.tabs.blockSignals(False)
            return
        self._tab_index = index

    def reject(self) -> None:
        # Escape and Close come here: a changed form is not dropped silently.
        if self.groups.resolve_unsaved() and self.templates.resolve_unsaved():
            super().reject()


def open_library(
    parent: QWidget | None, ctx: AppContext, workspace: WorkspaceDTO, *, tab: str = "hashtags"
) -> None:
    """Open the library of ``workspace`` (``tab``: "hashtags" or "templates") until closed."""
    dialog = LibraryDialog(ctx, workspace, parent)
    dialog.tabs.setCurrentIndex(1 if tab == "templates" else 0)
    dialog.exec()
