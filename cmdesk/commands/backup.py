"""``cmdesk backup [--to FILE] [--list]`` and ``cmdesk restore FILE [--yes]``.

``backup`` takes an online backup of the SQLite database into the backups folder (rotated like
the automatic ones) or to ``--to FILE`` (kept); ``--list`` shows the backups. ``restore``
checks the file, keeps the current database aside and replaces it; it asks first on a terminal
and needs ``--yes`` otherwise. Stop the daemon and close the window before restoring.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cmdesk.commands.common import context, emit_json
from cmdesk.errors import ValidationError
from cmdesk.services.backups import BackupInfo


def register(sub: argparse._SubParsersAction, common: list[argparse.ArgumentParser]) -> None:  # type: ignore[type-arg]
    backup = sub.add_parser("backup", parents=common, help="back the database up now")
    backup.add_argument("--to", metavar="FILE", help="write the backup to FILE (not rotated)")
    backup.add_argument("--list", action="store_true", help="list the backups instead")
    backup.set_defaults(handler=cmd_backup)
    restore = sub.add_parser(
        "restore", parents=common, help="replace the database with a backup (kept aside first)"
    )
    restore.add_argument("file", metavar="FILE", help="the backup to restore")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.set_defaults(handler=cmd_restore)


def _plain(info: BackupInfo) -> dict[str, object]:
    return {
        "path": str(info.path),
        "created_at": info.created_at.isoformat(),
        "size": info.size,
        "kind": info.kind,
    }


def _line(info: BackupInfo) -> str:
    when = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    return f"{when}  {info.size / 1_048_576:7.1f} MB  {info.kind:<14}  {info.path}"


def cmd_backup(args: argparse.Namespace) -> int:
    if args.list and args.to:
        raise ValidationError("Use either --list or --to, not both.")
    with context(args) as ctx:
        if args.list:
            found = ctx.backups.list_backups()
            if args.json:
                emit_json([_plain(b) for b in found])
            elif not found:
                print(f"No backups yet in {ctx.backups.folder}.")
            else:
                print("\n".join(_line(b) for b in found))
            return 0
        info = ctx.backups.backup_now(Path(args.to) if args.to else None)
        if args.json:
            emit_json(_plain(info))
        else:
            print(f"Backed up to {info.path} ({info.size / 1_048_576:.1f} MB, checked).")
    return 0


def _confirm(database: Path, source: Path) -> bool:
    if not sys.stdin or not sys.stdin.isatty():
        raise ValidationError(
            "Restoring replaces the whole plan: add --yes to confirm when not at a terminal."
        )
    print(f"This replaces the database {database} with {source}.")
    print("The current database is kept aside in the backups folder first.")
    answer = input("Restore now? [y/N] ").strip().lower()
    return answer in ("y", "yes")


def cmd_restore(args: argparse.Namespace) -> int:
    source = Path(args.file).expanduser()
    with context(args) as ctx:
        ctx.backups.check_backup(source)
        if not args.yes and not _confirm(ctx.backups.database_file(), source):
            print("Nothing was restored.")
            return 1
        result = ctx.backups.restore(source)
        if args.json:
            emit_json(
                {
                    "restored_from": str(result.restored_from),
                    "kept_aside": str(result.kept_aside),
                    "revision": result.revision,
                }
            )
        else:
            print(f"Restored {result.restored_from}.")
            print(f"The previous database is kept at {result.kept_aside}.")
    return 0
