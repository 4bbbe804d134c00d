"""Take screenshots of the real application window, for the README and for visual review.

Run under Xvfb (a real X server, not Qt's offscreen platform, so the window manager path and
fonts are the real ones)::

    xvfb-run -s "-screen 0 1440x900x24" .venv/bin/python packaging/screenshots.py OUTDIR

It builds a fresh demo plan in a temporary folder (the user's own plan is never touched), opens
the main window, waits until it has painted and writes ``OUTDIR/month.png``; then the welcome
dialog of an empty plan (``first-run.png`` and ``first-run-form.png``). ``--today
2026-03-20`` pins the date (the demo is built around today) so screenshots can be reproduced.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from datetime import UTC, date, datetime, time
from pathlib import Path

# Run from a checkout: make ``ui`` and ``cmdesk`` importable without installing.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QApplication, QWidget

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.dto import InboxFilter, PostSummary
from cmdesk.status import PostStatus
from ui.app import application
from ui.main_window import MainWindow
from ui.theme import apply_theme
from ui.views.calendar_page import CalendarPage
from ui.views.calendar_toolbar import CalendarMode
from ui.views.composer import ComposerDialog
from ui.views.first_run import FirstRunDialog
from ui.views.inbox_page import InboxPage
from ui.window_state import WindowState

WINDOW_SIZE = (1360, 860)
SETTLE_MS = 600  # long enough for the first paint and the window manager's resize


def demo_context(folder: Path, today: date | None = None) -> AppContext:
    """A context on a new database in ``folder`` with the demo plan (built around ``today``)."""
    os.environ["CMDESK_DATA_DIR"] = str(folder)
    clock = FakeClock(datetime.combine(today, time(9), UTC)) if today else None
    ctx = build_context(
        f"sqlite:///{folder / 'demo.sqlite3'}", clock=clock, credentials=MemoryCredentialStore()
    )
    ctx.demo.create_demo()
    return ctx


def settle(app: QApplication, milliseconds: int) -> None:
    """Let the event loop run (paint, layout, queued change sets) for a while."""
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()
    app.processEvents()


def grab(window: QWidget, path: Path) -> None:
    if not window.grab().save(str(path)):
        raise SystemExit(f"could not write {path}")
    print(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    parser.add_argument("--today", type=date.fromisoformat, help="pin the date (YYYY-MM-DD)")
    args = parser.parse_args(argv)
    args.outdir.mkdir(parents=True, exist_ok=True)
    app = application(["cmdesk-screenshots"])
    apply_theme(app, args.theme)
    with tempfile.TemporaryDirectory(prefix="cmdesk-shots-") as tmp:
        ctx = demo_context(Path(tmp), args.today)
        try:
            window = MainWindow(
                ctx,
                state=WindowState(QSettings(str(Path(tmp) / "w.ini"), QSettings.Format.IniFormat)),
            )
            window.resize(*WINDOW_SIZE)
            window.show()
            settle(app, SETTLE_MS)
            grab_main_screens(app, window, args.outdir)
            window.close()
        finally:
            ctx.close()
        grab_first_run(app, Path(tmp) / "empty", args.outdir)
    return 0


def grab_main_screens(app: QApplication, window: MainWindow, outdir: Path) -> None:
    """Each page of the window, the calendar's three views and the composer on a demo post."""
    calendar = window.page("calendar")
    assert isinstance(calendar, CalendarPage)
    for mode in (CalendarMode.MONTH, CalendarMode.WEEK, CalendarMode.DAY):
        calendar.set_mode(mode)
        settle(app, SETTLE_MS // 2)
        grab(window, outdir / f"{'month' if mode == CalendarMode.MONTH else mode.value}.png")
    calendar.set_mode(CalendarMode.MONTH)
    for key in ("board", "list", "inbox", "ideas", "campaigns", "routine", "channels", "settings"):
        page = window.show_page(key)
        if isinstance(page, InboxPage) and page.workspace is not None:
            # A reply opened, as a person reads it: the conversation beside the list.
            items = window.ctx.inbox.list_items(page.workspace.id, InboxFilter(), limit=1)
            page.show_items([i.id for i in items])
        settle(app, SETTLE_MS // 2)
        grab(window, outdir / f"{key}.png")
    window.show_page("calendar")
    grab_composer(app, window, outdir / "composer.png")


#: Typed after the post's own text so that the shortest channel's counter shows the limit.
LONGER_TEXT = (
    " Maya read it twice in one week: once for the story, once for the sea. Come and tell us what"
    " you think of it at Thursday's reading circle, 18:30, tea and biscuits on the house."
    " #BookTok #lighthouse https://harborlightbooks.example/staff-picks"
)


def showcase_post(window: MainWindow) -> PostSummary:
    """A future scheduled (else approved) post on two channels or more: the composer's best case."""
    ws = window.workspace
    assert ws is not None
    now = window.ctx.clock.now()
    posts = [
        p
        for p in window.ctx.plan.list_posts(ws.id)
        if len(p.channel_ids) >= 2 and p.scheduled_at is not None and p.scheduled_at > now
    ]
    for status in (PostStatus.SCHEDULED, PostStatus.APPROVED):
        found = sorted(
            (p for p in posts if p.status is status), key=lambda p: p.scheduled_at or now
        )
        if found:
            return found[0]
    raise SystemExit("the demo plan has no future scheduled or approved post on two channels")


def grab_composer(app: QApplication, window: MainWindow, path: Path) -> None:
    """The composer on :func:`showcase_post`, its text made too long for the shortest channel."""
    post = showcase_post(window)
    window.open_post(post.id)
    settle(app, SETTLE_MS)
    composer = window._composers[post.id]
    assert isinstance(composer, ComposerDialog)
    composer.master.moveCursor(QTextCursor.MoveOperation.End)
    composer.master.insertPlainText(LONGER_TEXT)
    settle(app, SETTLE_MS)
    grab(composer, path)
    # The typing only served the picture: drop it rather than be asked to save it.
    composer.ctx.composer.journal.discard(composer.key)
    composer.dirty = False
    composer.close()


def grab_first_run(app: QApplication, folder: Path, outdir: Path) -> None:
    """The welcome dialog on an empty plan: its choice page and its new-workspace form."""
    folder.mkdir()
    ctx = build_context(
        f"sqlite:///{folder / 'empty.sqlite3'}", credentials=MemoryCredentialStore()
    )
    try:
        dialog = FirstRunDialog(ctx)
        dialog.show()
        settle(app, SETTLE_MS)
        grab(dialog, outdir / "first-run.png")
        dialog.pages.setCurrentIndex(1)
        dialog.name_edit.setText("Café Aurora")
        settle(app, SETTLE_MS // 2)
        grab(dialog, outdir / "first-run-form.png")
        dialog.close()
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
