"""The dialog that writes an idea for the bin (new, or an edit): title, text and link.

Save asks the service; a refusal (no title, a link that is not http or https) is shown in the
dialog next to the field, and what was typed stays.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from cmdesk.errors import UserError
from cmdesk.planning.ideas_dto import IdeaDTO

#: Saves (title, text, link) and returns the idea's id; raises ``UserError`` to refuse.
Saver = Callable[[str, str, str], int]


class IdeaDialog(QDialog):
    """Title, text and link of an idea; :attr:`saved_id` after a successful Save.

    Signals: those of ``QDialog``.
    """

    def __init__(
        self, save: Saver, idea: IdeaDTO | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ideaDialog")
        self.setWindowTitle("Edit idea" if idea else "New idea")
        self.setAccessibleName(self.windowTitle())
        self._save = save
        self.saved_id: int | None = None
        self.title_edit = QLineEdit(idea.title if idea else "")
        self.title_edit.setAccessibleName("Idea title")
        self.title_edit.setPlaceholderText("What could a post be about?")
        self.text_edit = QPlainTextEdit(idea.text if idea else "")
        self.text_edit.setAccessibleName("Idea notes")
        self.text_edit.setTabChangesFocus(True)
        self.text_edit.setPlaceholderText("Notes, a quote, an angle…")
        self.link_edit = QLineEdit(idea.link if idea else "")
        self.link_edit.setAccessibleName("Idea link")
        self.link_edit.setPlaceholderText("https://…")
        self.problem = QLabel()
        self.problem.setObjectName("ideaProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c0392b;")
        self.problem.hide()
        form = QFormLayout()
        form.addRow("&Title", self.title_edit)
        form.addRow("&Notes", self.text_edit)
        form.addRow("&Link", self.link_edit)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.try_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(480, 320)
        self.title_edit.setFocus()

    def try_save(self) -> bool:
        """Save through the service; on refusal say why beside the form and stay open."""
        try:
            self.saved_id = self._save(
                self.title_edit.text(), self.text_edit.toPlainText(), self.link_edit.text()
            )
        except UserError as exc:
            self.problem.setText(exc.message)
            self.problem.show()
            target = {"title": self.title_edit, "url": self.link_edit, "text": self.text_edit}
            widget = target.get(exc.field or "", self.title_edit)
            widget.setFocus()
            return False
        self.accept()
        return True
