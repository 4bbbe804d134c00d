"""The Settings page: each field saves on its own, refusals are explained and keep the input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import QTime
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import ui.views.settings_page
from cmdesk.bootstrap import AppContext
from cmdesk.dto import WorkspaceDTO
from cmdesk.events import ChangeSet
from ui.views.settings_fields import ZoneListModel, ZoneRole, offset_text
from ui.views.settings_page import LANGUAGE_HINT, NO_TRAY_HINT, SettingsPage

NOW = datetime(2026, 3, 20, 10, 0, tzinfo=UTC)


@pytest.fixture
def themes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Theme choices applied by the page (recorded, so the test app keeps its look)."""
    seen: list[str] = []
    monkeypatch.setattr(ui.views.settings_page, "apply_theme", lambda _app, c: seen.append(c))
    return seen


@pytest.fixture
def harbor(demo_ctx: AppContext) -> WorkspaceDTO:
    found = demo_ctx.workspaces.find("Harbor Light Books")
    assert found is not None
    return found


@pytest.fixture
def page(qtbot: QtBot, demo_ctx: AppContext, harbor: WorkspaceDTO) -> SettingsPage:
    widget = SettingsPage(demo_ctx, tray_check=lambda: True)
    qtbot.addWidget(widget)
    widget.resize(900, 900)
    widget.set_workspace(harbor)
    widget.show()
    return widget


def deliver(page: SettingsPage, demo_ctx: AppContext, action) -> None:  # type: ignore[no-untyped-def]
    """Run ``action`` and hand its change sets to the page, as the main window does."""
    seen: list[ChangeSet] = []
    unsubscribe = demo_ctx.hub.subscribe(seen.append)
    try:
        action()
    finally:
        unsubscribe()
    for changes in seen:
        page.on_changes(changes)


def test_fields_show_the_workspace_and_the_settings(
    page: SettingsPage, harbor: WorkspaceDTO
) -> None:
    assert page.name_edit.text() == "Harbor Light Books"
    assert page.zone_picker.zone == "America/New_York"
    assert page.zone_picker.currentText() == "America/New_York  UTC-04:00"
    assert page.color_button.color == harbor.color
    assert page.time_edit.time().toString("HH:mm") == harbor.default_post_time
    assert page.week_combo.currentData() == harbor.week_start
    grace = page.fields["missed_grace_minutes"]
    assert isinstance(grace, QSpinBox) and grace.value() == 15
    assert (grace.minimum(), grace.maximum()) == (0, 24 * 60)
    theme = page.fields["theme"]
    assert isinstance(theme, QComboBox) and theme.currentData() == "system"
    assert page.workspace_box.isEnabled()
    assert all(widget.accessibleName() for widget in page.fields.values())


def test_rename_and_a_refused_name_keeps_the_text(
    page: SettingsPage, demo_ctx: AppContext, harbor: WorkspaceDTO
) -> None:
    page.name_edit.setText("Harbor Books")
    page.name_edit.setModified(True)
    page.name_edit.editingFinished.emit()
    assert demo_ctx.workspaces.get(harbor.id).name == "Harbor Books"
    assert page.saved_label.text() == "Saved: name."
    page.name_edit.setText("Panadería La Espiga")  # the other brand's name
    page.name_edit.setModified(True)
    page.name_edit.editingFinished.emit()
    error = page.errors["name"]
    assert not error.isHidden() and "already a workspace" in error.text()
    assert demo_ctx.workspaces.get(harbor.id).name == "Harbor Books"
    # A reload (any change elsewhere) leaves the refused text for the person to fix.
    deliver(page, demo_ctx, lambda: demo_ctx.settings.set("backup_keep", 5))
    assert page.name_edit.text() == "Panadería La Espiga"
    assert page.fields["backup_keep"].value() == 5  # type: ignore[attr-defined]
    page.name_edit.setText("Harbor Light")
    page.name_edit.setModified(True)
    page.name_edit.editingFinished.emit()
    assert error.isHidden()
    assert demo_ctx.workspaces.get(harbor.id).name == "Harbor Light"


def test_time_zone_from_part_of_its_name(
    page: SettingsPage, demo_ctx: AppContext, harbor: WorkspaceDTO
) -> None:
    page.zone_picker.commit_text("madrid")
    assert demo_ctx.workspaces.get(harbor.id).timezone == "Europe/Madrid"
    assert page.zone_picker.currentText() == "Europe/Madrid  UTC+01:00"
    page.zone_picker.setEditText("Atlantis")
    page.zone_picker.commit()
    error = page.errors["timezone"]
    assert not error.isHidden() and "No time zone matches 'Atlantis'" in error.text()
    assert page.zone_picker.currentText() == "Atlantis"  # kept as typed
    assert demo_ctx.workspaces.get(harbor.id).timezone == "Europe/Madrid"
    page.zone_picker.commit_text("Europe/Madrid")  # the same zone again clears the problem
    assert error.isHidden()


def test_posting_time_week_start_and_colour(
    page: SettingsPage, demo_ctx: AppContext, harbor: WorkspaceDTO
) -> None:
    page.time_edit.setTime(QTime(8, 15))
    page.time_edit.editingFinished.emit()
    monday = page.week_combo.findData(0)
    page.week_combo.setCurrentIndex(monday)
    page.week_combo.activated.emit(monday)
    page.color_button.pick("#AA3300")
    ws = demo_ctx.workspaces.get(harbor.id)
    assert (ws.default_post_time, ws.week_start, ws.color) == ("08:15", 0, "#aa3300")


def test_application_settings_save_one_by_one(
    page: SettingsPage, demo_ctx: AppContext, themes: list[str]
) -> None:
    grace = page.fields["missed_grace_minutes"]
    assert isinstance(grace, QSpinBox)
    grace.setValue(45)
    grace.editingFinished.emit()
    assert demo_ctx.settings.get("missed_grace_minutes") == 45
    theme = page.fields["theme"]
    assert isinstance(theme, QComboBox)
    dark = theme.findData("dark")
    theme.setCurrentIndex(dark)
    theme.activated.emit(dark)
    assert demo_ctx.settings.get("theme") == "dark" and themes == ["dark"]
    language = page.fields["language"]
    assert isinstance(language, QComboBox)
    spanish = language.findData("es")
    language.activated.emit(spanish)
    assert demo_ctx.settings.get("language") == "es"
    assert LANGUAGE_HINT in page.saved_label.text()
    pause = page.fields["publishing_paused"]
    assert isinstance(pause, QCheckBox)
    pause.click()
    assert demo_ctx.settings.get("publishing_paused") is True


def test_a_refused_setting_is_explained(
    page: SettingsPage, demo_ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(name: str, value: object) -> ChangeSet:
        from cmdesk.errors import ValidationError

        raise ValidationError("The database is read-only: nothing was changed.")

    monkeypatch.setattr(demo_ctx.settings, "set", refuse)
    keep = page.fields["backup_keep"]
    assert isinstance(keep, QSpinBox)
    keep.setValue(20)
    keep.editingFinished.emit()
    assert page.errors["backup_keep"].text() == "The database is read-only: nothing was changed."
    assert keep.value() == 20 and keep.accessibleDescription()


def test_reloads_on_changes_made_elsewhere(
    page: SettingsPage, demo_ctx: AppContext, harbor: WorkspaceDTO
) -> None:
    assert page.relevant(ChangeSet.of(updated=[("setting", 0)]))
    assert not page.relevant(ChangeSet.of(updated=[("post", 1)]))
    deliver(page, demo_ctx, lambda: demo_ctx.settings.set("publishing_paused", True))
    pause = page.fields["publishing_paused"]
    assert isinstance(pause, QCheckBox) and pause.isChecked()
    deliver(page, demo_ctx, lambda: demo_ctx.workspaces.update(harbor.id, timezone="Asia/Tokyo"))
    assert page.zone_picker.zone == "Asia/Tokyo"


def test_no_workspace_and_no_tray(qtbot: QtBot, empty_ctx: AppContext) -> None:
    page = SettingsPage(empty_ctx, tray_check=lambda: False)
    qtbot.addWidget(page)
    page.set_workspace(None)
    page.show()
    assert not page.workspace_box.isEnabled()
    page.name_edit.setText("x")
    page.name_edit.setModified(True)
    page.name_edit.editingFinished.emit()  # nothing to save to, nothing breaks
    texts = [label.text() for label in page.findChildren(type(page.saved_label))]
    assert any(NO_TRAY_HINT in t for t in texts)


def test_zone_model(qtmodeltester: ModelTester) -> None:
    model = ZoneListModel(NOW, ["UTC", "Asia/Kolkata", "America/St_Johns", "Europe/Madrid"])
    qtmodeltester.check(model)
    index = model.index(1)
    assert model.data(index) == "Asia/Kolkata  UTC+05:30"
    assert model.data(index, ZoneRole.ZONE) == "Asia/Kolkata"
    assert model.data(index, ZoneRole.OFFSET_MINUTES) == 330
    assert model.resolve("st johns") == "America/St_Johns"
    assert model.resolve("+05:30") == "Asia/Kolkata"
    assert model.resolve("utc") == "UTC"  # an exact name wins over the many "UTC" in offsets
    assert model.resolve("a") is None  # ambiguous
    assert model.resolve("") is None
    assert model.zone_at(2) == "America/St_Johns" and model.row_of("Nowhere") == -1
    assert offset_text(timedelta(hours=-2, minutes=-30)) == "UTC-02:30"
    assert offset_text(timedelta(0)) == "UTC+00:00"
