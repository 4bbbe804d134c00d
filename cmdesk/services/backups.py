"""Backups of the SQLite database: automatic and rotating, on demand, and restore.

A backup is taken with SQLite's online backup API (``sqlite3.Connection.backup``) from a raw
connection of its own: it copies a consistent snapshot page by page while the window or the
daemon keep writing, which a file copy cannot promise under WAL. The copy is written as
``NAME.partial``, switched out of WAL into one self-contained file, checked (``PRAGMA
integrity_check`` and the schema revision) and only then renamed; only a checked backup lets the
oldest automatic one be rotated out (``backup_keep`` are kept).

File names carry the UTC time (``cmdesk-20261124-031500.sqlite3``) so they sort in time order
across daylight-saving changes; the interface shows the local time.

The automatic backup runs on the housekeeper (:func:`register_upkeep`): at most one a day (a
backup made today, on this computer's calendar, is enough), and none when neither the database
file nor its write-ahead log was modified after the newest backup file was written.

Restore checks the chosen file first (a SQLite file, a cmdesk schema, not written by a newer
cmdesk, intact), keeps the current database aside as ``cmdesk-before-restore-...sqlite3``, closes
this process's connections, makes sure no other process holds the database (switching it out of
WAL needs every other connection gone) and then replaces the file. The running window must be
restarted afterwards; the restored file is upgraded to this version's schema at once.

PostgreSQL databases are refused with a pointer to ``pg_dump``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cmdesk import migrations
from cmdesk.clock import Clock
from cmdesk.db import Database, sqlite_file
from cmdesk.errors import DatabaseError, UserError, ValidationError
from cmdesk.events import EventHub
from cmdesk.services.base import Service

if TYPE_CHECKING:
    from cmdesk.bootstrap import AppContext
    from cmdesk.housekeeping import Housekeeper

log = logging.getLogger(__name__)

AUTO_PREFIX = "cmdesk-"
ASIDE_PREFIX = "cmdesk-before-restore-"
SUFFIX = ".sqlite3"
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^cmdesk-(before-restore-)?(\d{8}-\d{6})(-\d+)?\.sqlite3$")
UPKEEP_NAME = "backups"
UPKEEP_EVERY = timedelta(hours=1)
PG_MESSAGE = (
    "Backups from cmdesk are for SQLite databases. This plan is on PostgreSQL: back it up with "
    "pg_dump (for example `pg_dump -Fc DBNAME > cmdesk.dump`) and restore with pg_restore."
)


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """One backup file: ``kind`` is "automatic" (rotated), "before-restore" or "other"."""

    path: Path
    created_at: datetime  #: aware UTC, from the name (else the file's time)
    size: int
    kind: str


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """A finished restore: where the previous database was kept, and the restored revision."""

    restored_from: Path
    kept_aside: Path
    revision: str


def _info(path: Path) -> BackupInfo:
    m = _NAME.match(path.name)
    stat = path.stat()
    if m:
        created = datetime.strptime(m.group(2), _STAMP).replace(tzinfo=UTC)
        kind = "before-restore" if m.group(1) else "automatic"
    else:
        created, kind = datetime.fromtimestamp(stat.st_mtime, UTC), "other"
    return BackupInfo(path, created, stat.st_size, kind)


def _check_copy(path: Path) -> str:
    """Integrity and schema revision of a SQLite file; ``ValidationError`` says what is wrong."""
    try:
        with path.open("rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise ValidationError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    if header != b"SQLite format 3\x00":
        raise ValidationError(f"{path} is not a SQLite database, so it is not a cmdesk backup.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ValidationError(f"Cannot open {path}: {exc}.") from None
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchone()
        if not ok or ok[0] != "ok":
            raise ValidationError(f"{path} is damaged (integrity check: {ok[0] if ok else '?'}).")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not {"alembic_version", "workspace", "post"} <= tables:
            raise ValidationError(f"{path} is a SQLite file but not a cmdesk database.")
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error as exc:
        raise ValidationError(f"{path} cannot be read as a cmdesk database: {exc}.") from None
    finally:
        conn.close()
    revision = str(row[0]) if row else ""
    if revision not in migrations.known_revisions()[0]:
        raise ValidationError(
            f"{path} was written by a newer version of cmdesk (schema revision {revision}). "
            "Update cmdesk to restore it."
        )
    return revision


def _online_copy(source: Path, dest: Path) -> None:
    """Copy ``source`` to ``dest`` with SQLite's backup API, as one file without a WAL."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=15)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
            out.execute("PRAGMA journal_mode=DELETE")
        finally:
            out.close()
    finally:
        src.close()


class BackupService(Service):
    """Automatic rotating backups, on-demand backups and restore of the SQLite database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        hub: EventHub,
        folder: Path,
        keep: Callable[[], int] = lambda: 10,
    ) -> None:
        super().__init__(db, clock, hub)
        self.folder = folder
        self._keep = keep

    # --- reading -------------------------------------------------------------------------------

    def supported(self) -> bool:
        return sqlite_file(self.db.url) is not None

    def database_file(self) -> Path:
        return self._file()

    def list_backups(self) -> list[BackupInfo]:
        """Every backup in the folder, newest first."""
        if not self.folder.is_dir():
            return []
        found = [_info(p) for p in self.folder.glob(f"*{SUFFIX}") if p.is_file()]
        return sorted(found, key=lambda b: (b.created_at, b.path.name), reverse=True)

    def last_backup(self) -> BackupInfo | None:
        automatic = [b for b in self.list_backups() if b.kind == "automatic"]
        return automatic[0] if automatic else None

    # --- backing up ----------------------------------------------------------------------------

    def backup_now(self, to: Path | None = None) -> BackupInfo:
        """Back the database up now, into the folder (rotated) or to ``to``; returns the file."""
        source = self._file()
        if to is not None:
            target = to.expanduser()
            if target.exists() and target.is_dir():
                target = target / self._name(AUTO_PREFIX, target)
            if target.resolve() == source.resolve():
                raise ValidationError("A backup cannot be written over the database itself.")
        else:
            self.folder.mkdir(parents=True, exist_ok=True)
            target = self.folder / self._name(AUTO_PREFIX, self.folder)
        self._write_checked(source, target)
        if to is None:
            self.rotate()
        log.info("backed the database up to %s", target)
        return _info(target)

    def auto_backup(self) -> BackupInfo | None:
        """The daily backup: None when one was made today or nothing changed since the last."""
        if not self.supported():
            return None
        last = self.last_backup()
        if last is not None:
            now_local = self.clock.now().astimezone()
            if last.created_at.astimezone().date() == now_local.date():
                return None
            if not self._changed_since(last):
                return None
        return self.backup_now()

    def rotate(self) -> list[Path]:
        """Remove automatic backups beyond ``backup_keep`` (never other files); returns them."""
        keep = max(1, int(self._keep()))
        automatic = [b for b in self.list_backups() if b.kind == "automatic"]
        removed = []
        for old in automatic[keep:]:
            with contextlib.suppress(FileNotFoundError):
                old.path.unlink()
                removed.append(old.path)
        return removed

    # --- restoring -----------------------------------------------------------------------------

    def check_backup(self, path: Path) -> str:
        """The schema revision of a restorable file; ``UserError`` says why it is not one."""
        self._file()
        path = path.expanduser()
        if not path.is_file():
            raise ValidationError(f"There is no file {path}.")
        return _check_copy(path)

    def restore(self, path: Path) -> RestoreResult:
        """Replace the database with ``path``; the current one is kept aside first.

        This process's connections are closed; the application must start again to use the
        restored plan (the CLI ends; the window asks to be restarted).
        """
        source = path.expanduser()
        current = self._file()
        self.check_backup(source)
        if source.resolve() == current.resolve():
            raise ValidationError("That file is the database in use; choose a backup.")
        self.folder.mkdir(parents=True, exist_ok=True)
        aside = self.folder / self._name(ASIDE_PREFIX, self.folder)
        self._write_checked(current, aside)
        staged = current.with_name(current.name + ".restoring")
        try:
            _online_copy(source, staged)
            self.db.dispose()
            self._take_exclusive(current)
            os.replace(staged, current)
        except BaseException:
            # Nothing was restored: the copy kept aside would only be a confusing duplicate.
            with contextlib.suppress(FileNotFoundError):
                aside.unlink()
            raise
        finally:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{current}{extra}").unlink()
        migrations.upgrade_to_head(self.db.engine)
        self.db.dispose()
        revision = migrations.current_revision(self.db.engine) or ""
        self.db.dispose()
        log.warning("restored the database from %s; the previous one is %s", source, aside)
        return RestoreResult(source, aside, revision)

    # --- internals -----------------------------------------------------------------------------

    def _file(self) -> Path:
        path = sqlite_file(self.db.url)
        if path is None:
            if self.db.is_sqlite:
                raise UserError("An in-memory database has no file to back up.")
            raise UserError(PG_MESSAGE)
        return path

    def _name(self, prefix: str, folder: Path) -> str:
        stamp = self.clock.now().astimezone(UTC).strftime(_STAMP)
        name, n = f"{prefix}{stamp}{SUFFIX}", 1
        while (folder / name).exists():
            n += 1
            name = f"{prefix}{stamp}-{n}{SUFFIX}"
        return name

    def _write_checked(self, source: Path, target: Path) -> None:
        partial = target.with_name(target.name + ".partial")
        try:
            _online_copy(source, partial)
            _check_copy(partial)
            os.replace(partial, target)
        except sqlite3.Error as exc:
            raise DatabaseError(f"The backup to {target} failed: {exc}.") from None
        except OSError as exc:
            raise DatabaseError(
                f"Cannot write the backup {target}: {exc.strerror or exc}."
            ) from None
        finally:
            with contextlib.suppress(FileNotFoundError):
                partial.unlink()

    @staticmethod
    def _take_exclusive(current: Path) -> None:
        """Leave WAL on the current file, which only works when no other process has it open."""
        conn = sqlite3.connect(current, timeout=2)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()
            if not mode or str(mode[0]).lower() != "delete":
                raise sqlite3.OperationalError("database is locked")
        except sqlite3.Error:
            raise DatabaseError(
                "Another program has the database open (the cmdesk daemon or another window?). "
                "Stop it and try again; nothing was restored."
            ) from None
        finally:
            conn.close()

    def _changed_since(self, last: BackupInfo) -> bool:
        source = self._file()
        stamps = [p.stat().st_mtime for p in (source, Path(f"{source}-wal")) if p.exists()]
        try:
            taken = last.path.stat().st_mtime
        except OSError:
            return True
        # File times, not the clock: both come from the file system, in its coarse ticks, so a
        # tie counts as a change (one backup too many beats one too few).
        return not stamps or max(stamps) >= taken


def register_upkeep(keeper: Housekeeper, ctx: AppContext) -> None:
    """The automatic daily backup, looked at hourly (at most one a day; nothing when unchanged)."""
    if not ctx.backups.supported():
        return
    keeper.add(UPKEEP_NAME, UPKEEP_EVERY, ctx.backups.auto_backup, first_delay=timedelta(minutes=2))
