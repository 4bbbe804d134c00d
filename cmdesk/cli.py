"""The ``cmdesk`` command line: the GUI (default), ``doctor``, ``demo`` and friends.

Expected failures (``UserError``) print one line and exit with status 1; usage errors exit with 2;
anything else is a bug, reported in one line with a pointer to ``--debug`` (which shows the
traceback) and written in full to the log file.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import importlib.util
import json
import logging
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cmdesk import __version__
from cmdesk.errors import UserError

log = logging.getLogger("cmdesk.cli")

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_BUG = 70


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line, like every other cmdesk error."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"cmdesk: {message} (see cmdesk --help)\n")


def _common_options(suppress: bool) -> _Parser:
    """--db, --debug and --json, accepted before or after the command.

    On subcommands the defaults are suppressed, so an option given before the command is not
    overwritten by the subcommand's default.
    """
    common = _Parser(add_help=False)
    default: Any = argparse.SUPPRESS if suppress else None
    common.add_argument(
        "--db",
        metavar="URL",
        default=default,
        help="database: a SQLite file path or URL, or a PostgreSQL URL "
        "(default: $CMDESK_DATABASE_URL, else cmdesk.sqlite3 in the data folder)",
    )
    flag: Any = argparse.SUPPRESS if suppress else False
    common.add_argument(
        "--debug", action="store_true", default=flag, help="verbose logs and full tracebacks"
    )
    common.add_argument("--json", action="store_true", default=flag, help="machine-readable output")
    return common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="cmdesk",
        description="Plan, compose, schedule and publish social media posts for your brands.",
        parents=[_common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"cmdesk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = [_common_options(suppress=True)]
    sub.add_parser("gui", parents=common, help="open the main window (the default)")
    sub.add_parser(
        "doctor", parents=common, help="check the data folder, database, keyring and display"
    )
    sub.add_parser("demo", parents=common, help="create the demo workspace if the plan is empty")
    from cmdesk.commands import (
        backup,
        campaign,
        channel,
        daemon,
        exchange,
        ideas,
        inbox,
        library,
        listen,
        post,
        queue,
        routine,
        series,
        settings,
        workspace,
    )

    for module in (
        workspace,
        channel,
        post,
        inbox,
        listen,
        library,
        ideas,
        daemon,
        settings,
        queue,
        exchange,
        backup,
        series,
        campaign,
        routine,
    ):
        module.register(sub, common)
    return parser


@dataclass
class Check:
    """One line of ``cmdesk doctor``."""

    name: str
    ok: bool
    detail: str


def _check_data_dir() -> Check:
    """Whether the data folder is (or can be created) writable; doctor creates nothing."""
    from cmdesk.paths import data_dir

    folder = data_dir()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not os.access(existing, os.W_OK | os.X_OK):
        return Check("data folder", False, f"{folder}: {existing} is not writable")
    if existing != folder:
        return Check("data folder", True, f"{folder} (will be created at first start)")
    return Check("data folder", True, str(folder))


def _check_database(url: str | None) -> list[Check]:
    from cmdesk import migrations
    from cmdesk.db import normalize_url, open_database, sqlite_file
    from cmdesk.paths import default_database_url

    resolved = normalize_url(url) if url else default_database_url()
    path = sqlite_file(resolved)
    if path is not None and not path.exists():
        head = migrations.head_revision()
        return [
            Check("database", True, f"{path} (will be created at first start)"),
            Check("schema", True, f"none yet; will be created at revision {head}"),
        ]
    try:
        db = open_database(resolved, migrate=False)
    except UserError as exc:
        return [Check("database", False, exc.message)]
    try:
        current = migrations.current_revision(db.engine)
        head = migrations.head_revision()
        checks = [Check("database", True, db.display_url)]
        if current == head:
            checks.append(Check("schema", True, f"revision {current} (current)"))
        elif current is None:
            checks.append(Check("schema", True, f"empty; will be created at revision {head}"))
        else:
            checks.append(Check("schema", True, f"revision {current}; will be upgraded to {head}"))
        return checks
    finally:
        db.dispose()


def _check_keyring() -> Check:
    from cmdesk.credentials import KeyringCredentialStore, keyring_problem

    try:
        problem = keyring_problem()
        desc = KeyringCredentialStore().describe()
    except Exception as exc:  # a broken keyring configuration must not break doctor
        return Check("keyring", False, f"cannot load the keyring back end: {exc}")
    if problem:
        return Check(
            "keyring", False, f"{desc}. Secrets cannot be stored until a keyring service runs."
        )
    return Check("keyring", True, desc)


def _check_qt() -> Check:
    if importlib.util.find_spec("PySide6") is None:
        return Check("Qt", False, "PySide6 is not installed: pip install cmdesk")
    platform = os.environ.get("QT_QPA_PLATFORM")
    has_display = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not platform and not has_display and sys.platform.startswith("linux"):
        return Check("Qt", False, "no display: set DISPLAY or WAYLAND_DISPLAY, or use a desktop")
    # Ask Qt itself in a child process: the core never imports Qt, and a broken platform plugin
    # aborts the process it loads in.
    try:
        out = subprocess.run(
            [sys.executable, "-m", "ui.probe"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("Qt", False, f"could not start Qt: {exc}")
    if out.returncode != 0:
        last = (out.stderr.strip().splitlines() or ["unknown error"])[-1]
        return Check("Qt", False, f"Qt cannot open a window: {last}")
    return Check("Qt", True, out.stdout.strip())


def cmd_doctor(args: argparse.Namespace) -> int:
    checks = [_check_data_dir(), *_check_database(args.db), _check_keyring(), _check_qt()]
    if args.json:
        print(json.dumps([c.__dict__ for c in checks], indent=2))
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            print(f"{'ok     ' if c.ok else 'PROBLEM'}  {c.name:<{width}}  {c.detail}")
    return EXIT_OK if all(c.ok for c in checks) else EXIT_USER_ERROR


def cmd_demo(args: argparse.Namespace) -> int:
    from cmdesk.bootstrap import build_context

    ctx = build_context(args.db)
    try:
        changes = ctx.demo.create_demo()
        posts = len(changes.ids("post", "created"))
        if args.json:
            print(json.dumps({"created": not changes.empty, "posts": posts}))
        elif changes.empty:
            print("The plan already has workspaces; the demo was not added. Nothing changed.")
        else:
            names = ", ".join(w.name for w in ctx.workspaces.list())
            print(f"Created the demo workspaces ({names}) with {posts} posts.")
    finally:
        ctx.close()
    return EXIT_OK


def cmd_gui(args: argparse.Namespace) -> int:
    # No cyclic collection until the window has painted (ui.app turns it back on): a full
    # collection among the start-up's many new objects cost tens of milliseconds.
    gc.disable()
    # The GUI is loaded by name: the core stays importable (and testable) without Qt.
    app = importlib.import_module("ui.app")
    result: int = app.run(db_url=args.db, debug=args.debug)
    return result


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "gui": cmd_gui,
    "doctor": cmd_doctor,
    "demo": cmd_demo,
}


def main(argv: Sequence[str] | None = None) -> int:
    from cmdesk.bootstrap import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    # doctor only looks: it writes no log file (nor anything else) into the data folder.
    setup_logging(
        debug=args.debug, to_file=args.command != "doctor", verbose=args.command == "daemon"
    )
    handler = getattr(args, "handler", None) or COMMANDS[args.command or "gui"]
    try:
        return handler(args)
    except UserError as exc:
        print(f"cmdesk: {exc.message}", file=sys.stderr)
        if args.debug:
            raise
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        print("cmdesk: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        log.exception("unexpected error in %s", args.command or "gui")
        if args.debug:
            raise
        print(
            f"cmdesk: unexpected error ({type(exc).__name__}: {exc}). "
            "Run again with --debug for details; the log file has them too.",
            file=sys.stderr,
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
