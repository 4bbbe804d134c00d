"""Light, dark, or the system's scheme followed live; the interface language at start."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

import ui.theme
from ui.i18n import install_translators, locale_for, remove_translators
from ui.theme import DARK_QSS, PALETTES, ThemeManager, apply_theme, theme_manager

WINDOW = QPalette.ColorRole.Window
#: Installed next to the interpreter by PySide6 (the venv's bin folder may not be on PATH).
LRELEASE = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")


@pytest.fixture
def app(qapp: QApplication) -> Iterator[QApplication]:
    """The test application, with its style, palette and style sheet put back afterwards."""
    style = qapp.style().name()
    palette = QPalette(qapp.palette())
    sheet = qapp.styleSheet()
    yield qapp
    manager = qapp.findChild(ThemeManager, "cmdeskThemeManager")
    if manager is not None:
        qapp.styleHints().colorSchemeChanged.disconnect(manager._system_changed)
        manager.setParent(None)
        manager.deleteLater()
    qapp.styleHints().unsetColorScheme()
    qapp.setStyle(style)
    qapp.setStyleSheet(sheet)
    qapp.setPalette(palette)


def window_color(app: QApplication) -> str:
    return app.palette().color(WINDOW).name()


def test_light_and_dark(app: QApplication) -> None:
    manager = apply_theme(app, "dark")
    assert manager.scheme == "dark"
    assert window_color(app) == PALETTES["dark"][WINDOW]
    sheet = app.styleSheet()
    app.setStyleSheet("")  # the style is only named when no style sheet wraps it
    assert app.style().name().lower() == "fusion"
    app.setStyleSheet(sheet)
    assert DARK_QSS.read_text(encoding="utf-8").strip() in app.styleSheet()
    assert app.palette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text) != (
        app.palette().color(QPalette.ColorRole.Text)
    )
    same = apply_theme(app, "light")
    assert same is manager  # one manager per application
    assert window_color(app) == PALETTES["light"][WINDOW]
    assert "#mainToolbar" in app.styleSheet()
    assert DARK_QSS.read_text(encoding="utf-8").strip() not in app.styleSheet()


def test_dark_text_is_readable(app: QApplication) -> None:
    for scheme in ("light", "dark"):
        colors = PALETTES[scheme]
        text = QColor(colors[QPalette.ColorRole.Text]).lightnessF()
        base = QColor(colors[QPalette.ColorRole.Base]).lightnessF()
        assert abs(text - base) > 0.6, scheme


def test_system_follows_the_desktop_live(
    app: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    desktop = {"scheme": "light"}
    monkeypatch.setattr(ui.theme, "system_scheme", lambda _app: desktop["scheme"])
    manager = apply_theme(app, "system")
    assert manager.scheme == "light"
    changes: list[str] = []
    manager.scheme_changed.connect(changes.append)
    desktop["scheme"] = "dark"
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert manager.scheme == "dark" and window_color(app) == PALETTES["dark"][WINDOW]
    assert changes == ["dark"]
    # An explicit choice stays put when the desktop changes.
    apply_theme(app, "light")
    app.styleHints().colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert manager.scheme == "light" and window_color(app) == PALETTES["light"][WINDOW]


def test_unknown_choice_is_refused(app: QApplication) -> None:
    with pytest.raises(ValueError, match="system, light, dark"):
        theme_manager(app).apply("purple")


# --- language ---------------------------------------------------------------------------------


def test_spanish_translates_qts_own_strings(qapp: QApplication, tmp_path: Path) -> None:
    installed = install_translators(qapp, "es", app_dir=tmp_path)
    try:
        assert installed.locale.language() == QLocale.Language.Spanish
        assert "qtbase_es.qm" in installed.loaded
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancelar"
        assert QLocale().language() == QLocale.Language.Spanish  # dates and day names too
    finally:
        remove_translators(qapp, installed)
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert QLocale() == installed.previous_default


@pytest.mark.skipif(not Path(LRELEASE).exists(), reason="needs pyside6-lrelease")
def test_cmdesks_own_catalogue_is_loaded_when_built(qapp: QApplication, tmp_path: Path) -> None:
    source = tmp_path / "cmdesk_es.ts"
    source.write_text(
        '<?xml version="1.0" encoding="utf-8"?><!DOCTYPE TS><TS version="2.1" language="es">'
        "<context><name>SettingsPage</name><message><source>Settings</source>"
        "<translation>Ajustes</translation></message></context></TS>",
        encoding="utf-8",
    )
    subprocess.run(
        [LRELEASE, str(source), "-qm", str(tmp_path / "cmdesk_es.qm")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    installed = install_translators(qapp, "es", app_dir=tmp_path)
    try:
        assert "cmdesk_es.qm" in installed.loaded
        assert QCoreApplication.translate("SettingsPage", "Settings") == "Ajustes"
    finally:
        remove_translators(qapp, installed)


def test_english_and_system_need_no_catalogue(qapp: QApplication, tmp_path: Path) -> None:
    installed = install_translators(qapp, "en", app_dir=tmp_path)
    remove_translators(qapp, installed)
    assert "cmdesk_en.qm" not in installed.loaded
    assert locale_for("system") == QLocale.system()
