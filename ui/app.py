"""Start the desktop application: QApplication, logging, the core's context, first run, window.

``run()`` is what ``cmdesk gui``, ``cmdesk-gui`` and ``main.py`` call. It returns the process exit
code: 0 after a normal quit, 1 when the plan cannot be opened (the reason is shown in a dialog).
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
)

import cmdesk
from cmdesk.bootstrap import AppContext, build_context, setup_logging
from cmdesk.inbox_poller import InboxPoller
from cmdesk.metrics_poller import MetricsPoller
from cmdesk.scheduler import PublishingEngine
from ui.errors import install_excepthook, show_error
from ui.i18n import install_translators
from ui.main_window import MainWindow
from ui.theme import apply_theme
from ui.tray import TrayIcon
from ui.views.first_run import FirstRunDialog

log = logging.getLogger(__name__)

APP_NAME = "cmdesk"
RESOURCES = Path(__file__).resolve().parent.parent / "resources"
ICON_PATH = RESOURCES / "icons" / "cmdesk.svg"
STYLE_PATH = RESOURCES / "styles" / "app.qss"
NO_DISPLAY = (
    "cmdesk cannot open a window: no display was found. Run it from a desktop session, "
    "or set QT_QPA_PLATFORM (for example QT_QPA_PLATFORM=offscreen for tests)."
)


class Background(Protocol):
    """Something that works on its own threads once started: a poller, the housekeeper."""

    def start(self) -> None: ...

    def stop(self, *, wait: bool = True) -> None: ...


def run(db_url: str | None = None, debug: bool = False) -> int:
    """Run the GUI until the last window closes; return the exit code."""
    # The cyclic collector waits until the window has painted (``_after_first_paint``): a full
    # collection among the start-up's many new Qt wrappers and ORM objects cost tens of
    # milliseconds before the first paint (benchmarks/RESULTS.md).
    gc.disable()
    if not _display_available():
        # Qt would abort the whole process (exit 134) with a message about plugins.
        print(NO_DISPLAY, file=sys.stderr)
        return 1
    app = application()
    setup_logging(debug=debug)
    install_excepthook()
    try:
        ctx = build_context(db_url)
    except Exception as exc:  # UserError: a message to act on; anything else: a logged bug
        show_error(None, exc)
        return 1
    try:
        install_translators(app, str(ctx.settings.get("language")))
        apply_theme(app, str(ctx.settings.get("theme")))
        # The same engine as ``cmdesk daemon``: posts go out while the window (or the tray) is
        # open; leases keep it from racing a daemon on the same plan. It starts once the window
        # has painted, so the first paint never waits for it.
        engine = PublishingEngine(ctx.publishing, ctx.settings, ctx.adapters, ctx.hub)
        window = open_main_window(ctx, engine)
        if window is None:
            return 0
        tray = TrayIcon(ctx, window.notifier, app)
        # Items waiting in the inbox show in the title too (taskbars show it without a tray).
        tray.badge.count_changed.connect(window.set_waiting_count)
        tray.watch(window)
        tray.show()
        pollers: list[Background] = [
            InboxPoller(ctx.inbox, ctx.settings, ctx.hub, listening=ctx.listening),
            MetricsPoller(ctx.metrics),
        ]
        QTimer.singleShot(0, lambda: _after_first_paint(ctx, window, engine, pollers))

        def stop_background() -> None:
            for poller in pollers:
                poller.stop(wait=True)
            engine.stop(wait=True)

        window.stop_background = stop_background
        try:
            with quit_on_signals(app):
                return app.exec()
        finally:
            for poller in pollers:
                poller.stop(wait=False)
            engine.stop(wait=True)
            tray.icon.hide()
    finally:
        ctx.close()
        gc.enable()  # when no window ever painted


@contextmanager
def quit_on_signals(app: QApplication) -> Iterator[None]:
    """Quit cleanly on SIGTERM and SIGINT (logout, shutdown, Ctrl-C in a terminal).

    Python runs signal handlers only between bytecodes, and Qt's event loop is C++: a short timer
    gives the interpreter a moment now and then, so the handler runs and the engine stops
    properly (publishes under way finish, the rest is released for the next start). The previous
    handlers come back afterwards.
    """
    watched = (signal.SIGTERM, signal.SIGINT)
    previous = {sig: signal.getsignal(sig) for sig in watched}
    for sig in watched:
        signal.signal(sig, lambda *_: app.quit())
    timer = QTimer(app)
    timer.setInterval(250)
    timer.timeout.connect(lambda: None)
    timer.start()
    try:
        yield
    finally:
        timer.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (created once), named, with the app icon and style sheet."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv))
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(cmdesk.__version__)
    app.setDesktopFileName(APP_NAME)
    if ICON_PATH.exists():
        app.setWindowIcon(QIcon(str(ICON_PATH)))
    if STYLE_PATH.exists():
        app.setStyleSheet(STYLE_PATH.read_text(encoding="utf-8"))
    return app


def open_main_window(ctx: AppContext, engine: PublishingEngine | None = None) -> MainWindow | None:
    """Offer the first-run choice if the plan is empty, then show the main window.

    Returns None when the person closes the first-run dialog without choosing.
    """
    if ctx.plan.is_empty() and FirstRunDialog(ctx).exec() != QDialog.DialogCode.Accepted:
        return None
    window = MainWindow(ctx, engine)
    window.show()
    return window


def _after_first_paint(
    ctx: AppContext,
    window: MainWindow,
    engine: PublishingEngine,
    pollers: list[Background],
) -> None:
    """What can wait until the window is on screen: the engine, the pollers, crash drafts."""
    from cmdesk.upkeep import build_housekeeper

    # Everything alive now (Qt wrappers, SQLAlchemy's mappers and compiled caches) lives as long
    # as the app: keep the cyclic collector from walking it on every full collection, which
    # otherwise adds tens of milliseconds to some month loads (benchmarks/RESULTS.md).
    gc.collect()
    gc.freeze()
    gc.enable()
    engine.start()
    # Feeds, recurring posts, the calendar file, backups and listening upkeep: their modules
    # (feedparser, icalendar, dateutil) load here, after the first paint.
    pollers.append(build_housekeeper(ctx, daemon=False))
    for poller in pollers:  # the inbox, the engagement of published posts, the upkeep
        poller.start()
    window.refresh_status()
    # Failures that happened while cmdesk was closed (a daemon kept publishing) are told now.
    window.alerts.start()
    window.inbox_alerts.start()
    window.word_alerts.start()
    window.routine_reminders.start()
    window.recover_drafts()


def _display_available() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
