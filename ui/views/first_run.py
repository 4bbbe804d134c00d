"""The first-run dialog: on an empty plan, create the demo workspace or a first empty one."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLocale, Qt, QTimeZone
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from cmdesk.bootstrap import AppContext
from cmdesk.errors import ValidationError
from cmdesk.events import ChangeSet
from cmdesk.timeutil import common_zones
from ui.errors import show_error


def zone_choices() -> list[str]:
    """Zones offered for a new workspace: UTC, then the IANA names."""
    return common_zones()


def system_zone(choices: Sequence[str]) -> str:
    """The machine's IANA zone if it is among ``choices``, else UTC."""
    candidates = [
        bytes(QTimeZone.systemTimeZoneId().data()).decode(errors="ignore"),
        os.environ.get("TZ", "").lstrip(":"),
        _zone_from_localtime_link(),
    ]
    return next((c for c in candidates if c and c in choices), "UTC")


def _zone_from_localtime_link() -> str:
    # On most Linux systems /etc/localtime is a link into the zoneinfo folder.
    try:
        target = str(Path("/etc/localtime").resolve())
    except OSError:
        return ""
    marker = "/zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else ""


def locale_week_start() -> int:
    """The first weekday of the user's locale, 0 (Monday) to 6 (Sunday)."""
    return QLocale().firstDayOfWeek().value - 1


class FirstRunDialog(QDialog):
    """The choice offered when the plan is empty: the demo, or a first empty workspace.

    Accepted once something was created; ``changes`` then holds the service's ChangeSet.
    Signals: only those of ``QDialog``.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.changes: ChangeSet | None = None
        self.setWindowTitle("Welcome to cmdesk")
        self.setAccessibleName("Welcome to cmdesk")
        self.setObjectName("firstRunDialog")
        self.setMinimumWidth(460)
        self.pages = QStackedWidget(self)
        self.demo_button = QPushButton("Create the demo workspace")
        self.empty_button = QPushButton("Start with an empty plan")
        self.name_edit = QLineEdit()
        self.zone_combo = QComboBox()
        self.error_label = QLabel()
        self.form_buttons = QDialogButtonBox()
        self.pages.addWidget(self._choice_page())
        self.pages.addWidget(self._form_page())
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)

    # --- pages -------------------------------------------------------------------------------

    def _choice_page(self) -> QWidget:
        page = QWidget()
        heading = QLabel("<h2>Welcome to cmdesk</h2>")
        intro = QLabel(
            "Your plan is empty. Explore a demo with two brands, their channels and a month of "
            "posts (nothing is ever sent from demo channels), or start your own plan."
        )
        intro.setWordWrap(True)
        for button, description in (
            (self.demo_button, "Two demo brands with channels, campaigns and posts"),
            (self.empty_button, "Name your first brand or client and choose its time zone"),
        ):
            button.setAccessibleDescription(description)
            button.setToolTip(description)
            button.setMinimumHeight(40)
        self.demo_button.setDefault(True)
        self.demo_button.clicked.connect(self.create_demo)
        self.empty_button.clicked.connect(lambda: self.pages.setCurrentIndex(1))
        layout = QVBoxLayout(page)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.empty_button)
        return page

    def _form_page(self) -> QWidget:
        page = QWidget()
        self.name_edit.setAccessibleName("Workspace name")
        self.name_edit.setPlaceholderText("e.g. the brand or client's name")
        choices = zone_choices()
        self.zone_combo.addItems(choices)
        self.zone_combo.setCurrentText(system_zone(choices))
        self.zone_combo.setAccessibleName("Time zone")
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = self.zone_combo.completer()
        assert completer is not None  # an editable combo box always has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.error_label.setObjectName("formError")
        self.error_label.setAccessibleName("Problem")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #d93025;")
        create = self.form_buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        back = self.form_buttons.addButton("Back", QDialogButtonBox.ButtonRole.RejectRole)
        create.setDefault(True)
        create.clicked.connect(self.create_workspace)
        back.clicked.connect(lambda: self.pages.setCurrentIndex(0))
        form = QFormLayout(page)
        form.addRow(QLabel("<b>Your first workspace</b>"))
        form.addRow("&Name", self.name_edit)
        form.addRow("&Time zone", self.zone_combo)
        hint = QLabel(
            "Posts are planned and shown in this zone's local time; you can change it later."
        )
        hint.setWordWrap(True)
        hint.setObjectName("formHint")
        hint.setStyleSheet("color: palette(placeholder-text);")
        form.addRow("", hint)
        form.addRow(self.error_label)
        form.addRow(self.form_buttons)
        return page

    # --- actions -----------------------------------------------------------------------------

    def create_demo(self) -> None:
        try:
            self.changes = self._ctx.demo.create_demo()
        except Exception as exc:
            show_error(self, exc)
            return
        self.accept()

    def create_workspace(self) -> None:
        try:
            self.changes = self._ctx.workspaces.create(
                self.name_edit.text(),
                self.zone_combo.currentText().strip(),
                week_start=locale_week_start(),
            )
        except ValidationError as exc:
            # Shown next to the form, so the person can correct it without losing what they typed.
            self.error_label.setText(exc.message)
            return
        except Exception as exc:
            show_error(self, exc)
            return
        self.accept()
