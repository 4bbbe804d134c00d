"""The first start: the choice between the demo and an empty workspace, and ``run()``."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox
from pytestqt.qtbot import QtBot

import ui.app
from cmdesk.bootstrap import AppContext
from cmdesk.errors import DatabaseError
from cmdesk.scheduler import EngineStatus
from ui.app import open_main_window, run
from ui.main_window import MainWindow
from ui.views.first_run import FirstRunDialog, system_zone, zone_choices


@pytest.fixture
def dialog(qtbot: QtBot, empty_ctx: AppContext) -> FirstRunDialog:
    dlg = FirstRunDialog(empty_ctx)
    qtbot.addWidget(dlg)
    dlg.show()
    return dlg


@pytest.fixture
def message_boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes record their text instead of waiting for a click."""
    seen: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        seen.append(box.text())
        return int(QMessageBox.StandardButton.Ok.value)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return seen


@pytest.fixture
def quiet_app(monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> Iterator[None]:
    """``run()`` without global side effects: no logging set-up, no excepthook, no event loop."""
    monkeypatch.setattr(ui.app, "setup_logging", lambda **_: None)
    monkeypatch.setattr(ui.app, "install_excepthook", lambda: None)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    yield
    qapp.setStyleSheet("")
    for widget in qapp.topLevelWidgets():
        widget.close()
        widget.deleteLater()


def test_demo_button_creates_the_demo(dialog: FirstRunDialog, empty_ctx: AppContext) -> None:
    dialog.demo_button.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert {w.name for w in empty_ctx.workspaces.list()} == {
        "Harbor Light Books",
        "Panadería La Espiga",
    }


def test_empty_plan_creates_one_workspace_in_the_chosen_zone(
    dialog: FirstRunDialog, empty_ctx: AppContext
) -> None:
    dialog.empty_button.click()
    assert dialog.pages.currentIndex() == 1
    dialog.name_edit.setText("Acme Coffee")
    dialog.zone_combo.setCurrentText("America/New_York")
    dialog.form_buttons.buttons()[0].click()  # Create
    assert dialog.result() == QDialog.DialogCode.Accepted
    [ws] = empty_ctx.workspaces.list()
    assert (ws.name, ws.timezone, ws.is_demo) == ("Acme Coffee", "America/New_York", False)


def test_a_refused_name_is_explained_in_the_form(
    dialog: FirstRunDialog, empty_ctx: AppContext
) -> None:
    dialog.empty_button.click()
    dialog.name_edit.setText("   ")
    dialog.form_buttons.buttons()[0].click()
    assert dialog.result() != QDialog.DialogCode.Accepted
    assert "name" in dialog.error_label.text()
    assert empty_ctx.plan.is_empty()


def test_zone_choices_offer_utc_and_a_known_default() -> None:
    choices = zone_choices()
    assert choices[0] == "UTC" and "Europe/Madrid" in choices
    assert system_zone(choices) in choices
    assert system_zone([]) == "UTC"  # nothing recognisable: fall back to UTC


def test_closing_the_first_run_dialog_opens_nothing(
    monkeypatch: pytest.MonkeyPatch, empty_ctx: AppContext
) -> None:
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected.value))
    assert open_main_window(empty_ctx) is None


def test_run_opens_the_main_window(
    quiet_app: None, monkeypatch: pytest.MonkeyPatch, demo_ctx: AppContext, qapp: QApplication
) -> None:
    monkeypatch.setattr(ui.app, "build_context", lambda url: demo_ctx)
    before = set(qapp.topLevelWidgets())  # windows of earlier tests may not be deleted yet
    assert run("sqlite:///unused.sqlite3") == 0
    windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w not in before]
    assert windows and windows[0].windowTitle() == "cmdesk — Harbor Light Books"
    assert qapp.applicationName() == "cmdesk"


def test_run_publishes_while_open_and_stops_the_engine_on_quit(
    quiet_app: None, monkeypatch: pytest.MonkeyPatch, demo_ctx: AppContext
) -> None:
    calls: list[str] = []

    class RecordingEngine:
        def __init__(self, *args: object, **kwargs: object) -> None:
            calls.append("made")

        def start(self) -> None:
            calls.append("start")

        def stop(self, *, wait: bool) -> None:
            calls.append(f"stop wait={wait}")

        def status(self) -> EngineStatus:
            return EngineStatus(
                running=True, paused=False, waiting_for_network=False, next_due=None, in_flight=0
            )

    monkeypatch.setattr(ui.app, "build_context", lambda url: demo_ctx)
    monkeypatch.setattr(ui.app, "PublishingEngine", RecordingEngine)
    # The engine starts once the window is up: give the event loop one turn.
    monkeypatch.setattr(QApplication, "exec", lambda self: QTest.qWait(50) or 0)
    assert run("sqlite:///unused.sqlite3") == 0
    assert calls == ["made", "start", "stop wait=True"]


def test_run_reports_a_user_error_and_returns_1(
    quiet_app: None, monkeypatch: pytest.MonkeyPatch, message_boxes: list[str]
) -> None:
    def refuse(url: str | None) -> AppContext:
        raise DatabaseError("This plan was saved by a newer cmdesk. Update cmdesk to open it.")

    monkeypatch.setattr(ui.app, "build_context", refuse)
    assert run("sqlite:///x.sqlite3") == 1
    assert message_boxes == ["This plan was saved by a newer cmdesk. Update cmdesk to open it."]


def test_run_without_a_display_returns_1_instead_of_aborting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    assert run() == 1
    assert "no display" in capsys.readouterr().err


def test_probe_names_platform_and_versions() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.probe"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("offscreen platform, Qt 6.")
    assert ", PySide6 6." in done.stdout


def test_run_gives_back_the_signal_handlers_it_borrowed(
    quiet_app: None, monkeypatch: pytest.MonkeyPatch, demo_ctx: AppContext
) -> None:
    import signal

    before = (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT))
    monkeypatch.setattr(ui.app, "build_context", lambda url: demo_ctx)
    assert run("sqlite:///unused.sqlite3") == 0
    assert (signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)) == before
