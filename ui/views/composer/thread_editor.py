"""The thread editor: one text box per post of a thread, to split, merge and reorder them.

Each part has its own counter (the network's count against its limit, red when over) and
buttons to move it up or down, merge it with the next part, split it at the cursor, or remove it.
Keyboard: Alt+Up / Alt+Down move the part being edited; Ctrl+Return splits it at the cursor.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

OVER_STYLE = "color: #d93025; font-weight: 600;"


def counter_text(count: int, limit: int) -> str:
    return f"{count} / {limit}" if limit else str(count)


class _Part(QFrame):
    """One post of the thread, with its counter and buttons."""

    def __init__(self, editor: ThreadEditor, text: str) -> None:
        super().__init__(editor)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        head = QHBoxLayout()
        self.title = QLabel()
        self.counter = QLabel()
        head.addWidget(self.title)
        head.addStretch(1)
        head.addWidget(self.counter)
        self.buttons: dict[str, QToolButton] = {}
        for key, label, tip in (
            ("up", "↑", "Move this part up (Alt+Up)"),
            ("down", "↓", "Move this part down (Alt+Down)"),
            ("merge", "Merge", "Merge this part with the next one"),
            ("split", "Split", "Split this part at the cursor (Ctrl+Return)"),
            ("remove", "✕", "Remove this part"),
        ):
            button = QToolButton()
            button.setText(label)
            button.setToolTip(tip)
            button.setAccessibleName(tip)
            head.addWidget(button)
            self.buttons[key] = button
        layout.addLayout(head)
        self.text = QPlainTextEdit(text)
        self.text.setTabChangesFocus(True)
        self.text.setMinimumHeight(70)
        layout.addWidget(self.text)


class ThreadEditor(QWidget):
    """The parts of a thread.

    Signals:
        changed(): a part's text changed, or parts were split, merged, moved or removed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._parts: list[_Part] = []
        add = QPushButton("Add a part")
        add.setAccessibleName("Add a part at the end of the thread")
        add.clicked.connect(lambda: self._insert(len(self._parts), "", focus=True))
        self._layout.addWidget(add)
        for keys, step in (("Alt+Up", -1), ("Alt+Down", 1)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda step=step: self._move_focused(step))
        split = QShortcut(QKeySequence("Ctrl+Return"), self)
        split.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        split.activated.connect(self._split_focused)

    # --- reading and writing ---------------------------------------------------------------

    def parts(self) -> list[str]:
        return [p.text.toPlainText() for p in self._parts]

    def set_parts(self, texts: Sequence[str]) -> None:
        for part in self._parts:
            part.setParent(None)
            part.deleteLater()
        self._parts = []
        for index, text in enumerate(texts or [""]):
            self._insert(index, text, emit=False)
        self.changed.emit()

    def editor(self, index: int) -> QPlainTextEdit:
        return self._parts[index].text

    def set_counts(self, counts: Sequence[int], limit: int) -> None:
        for part, count in zip(self._parts, counts, strict=False):
            part.counter.setText(counter_text(count, limit))
            over = bool(limit) and count > limit
            part.counter.setStyleSheet(OVER_STYLE if over else "")
            part.counter.setAccessibleName(
                f"{count} of {limit}, over the limit" if over else f"{count} of {limit}"
            )

    # --- editing ---------------------------------------------------------------------------

    def move_part(self, index: int, step: int) -> None:
        target = index + step
        if not (0 <= index < len(self._parts) and 0 <= target < len(self._parts)):
            return
        texts = self.parts()
        texts[index], texts[target] = texts[target], texts[index]
        self._set_texts(texts)
        self._parts[target].text.setFocus()

    def merge_with_next(self, index: int) -> None:
        if index + 1 >= len(self._parts):
            return
        texts = self.parts()
        first, second = texts[index].rstrip(), texts[index + 1].lstrip()
        texts[index : index + 2] = [f"{first} {second}" if first and second else first + second]
        self._remove_last_widget()
        self._set_texts(texts)

    def split_at(self, index: int, position: int) -> None:
        editor = self._parts[index].text
        text = editor.toPlainText()
        editor.blockSignals(True)
        editor.setPlainText(text[:position].rstrip())
        editor.blockSignals(False)
        self._insert(index + 1, text[position:].lstrip(), focus=True)

    def remove_part(self, index: int) -> None:
        if len(self._parts) <= 1:
            self._parts[0].text.setPlainText("")
            return
        texts = self.parts()
        del texts[index]
        self._remove_last_widget()
        self._set_texts(texts)

    # --- plumbing ----------------------------------------------------------------------------

    def _insert(self, index: int, text: str, *, emit: bool = True, focus: bool = False) -> None:
        part = _Part(self, text)
        self._parts.insert(index, part)
        self._layout.insertWidget(index, part)
        part.text.textChanged.connect(self.changed)
        b = part.buttons
        b["up"].clicked.connect(lambda: self.move_part(self._parts.index(part), -1))
        b["down"].clicked.connect(lambda: self.move_part(self._parts.index(part), 1))
        b["merge"].clicked.connect(lambda: self.merge_with_next(self._parts.index(part)))
        b["split"].clicked.connect(
            lambda: self.split_at(self._parts.index(part), part.text.textCursor().position())
        )
        b["remove"].clicked.connect(lambda: self.remove_part(self._parts.index(part)))
        self._renumber()
        if focus:
            part.text.setFocus()
        if emit:
            self.changed.emit()

    def _set_texts(self, texts: Sequence[str]) -> None:
        for part, text in zip(self._parts, texts, strict=True):
            if part.text.toPlainText() != text:
                part.text.blockSignals(True)
                part.text.setPlainText(text)
                part.text.blockSignals(False)
        self._renumber()
        self.changed.emit()

    def _remove_last_widget(self) -> None:
        part = self._parts.pop()
        part.setParent(None)
        part.deleteLater()

    def _renumber(self) -> None:
        total = len(self._parts)
        for index, part in enumerate(self._parts):
            part.title.setText(f"Part {index + 1} of {total}")
            part.text.setAccessibleName(f"Thread part {index + 1} of {total}")
            part.buttons["up"].setEnabled(index > 0)
            part.buttons["down"].setEnabled(index < total - 1)
            part.buttons["merge"].setEnabled(index < total - 1)

    def _focused_index(self) -> int | None:
        for index, part in enumerate(self._parts):
            if part.text.hasFocus():
                return index
        return None

    def _move_focused(self, step: int) -> None:
        index = self._focused_index()
        if index is not None:
            self.move_part(index, step)

    def _split_focused(self) -> None:
        index = self._focused_index()
        if index is not None:
            self.split_at(index, self._parts[index].text.textCursor().position())
