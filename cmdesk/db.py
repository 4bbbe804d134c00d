"""Engines, transactions and schema upgrades.

SQLite is configured for a desktop application that a daemon may share: WAL (readers never block
the writer), foreign keys on, a busy timeout, and write transactions that begin with
``BEGIN IMMEDIATE``. The last point matters: with a deferred ``BEGIN`` two processes doing
read-modify-write either lose updates or fail with "database is locked" at the moment of upgrading
their read lock, which busy_timeout cannot help with. Taking the write lock at ``BEGIN`` makes the
second writer wait (up to the busy timeout) instead.

PostgreSQL needs none of this; the same code runs there.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from cmdesk.errors import DatabaseError

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 15_000
MMAP_BYTES = 256 * 1024 * 1024
_WRITE_OPTION = "cmdesk_write"


def normalize_url(url_or_path: str) -> str:
    """Accept a SQLAlchemy URL or a plain file path (taken as a SQLite database)."""
    if "://" in url_or_path:
        return url_or_path
    path = Path(url_or_path).expanduser().resolve()
    return f"sqlite:///{path}"


def _check_sqlite_target(url: str) -> None:
    parsed = make_url(url)
    database = parsed.database
    if not database or database == ":memory:":
        return
    folder = Path(database).expanduser().parent
    if not folder.exists():
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(
                f"Cannot create the folder {folder} for the database: {exc.strerror}."
            ) from None
    if Path(database).is_dir():
        raise DatabaseError(f"{database} is a folder, not a database file.")


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (see module docstring).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA foreign_keys = ON")
            mode = cur.execute("PRAGMA journal_mode = WAL").fetchone()
            if mode and str(mode[0]).lower() not in ("wal", "memory"):
                log.warning("SQLite refused WAL mode (journal_mode=%s)", mode[0])
            cur.execute("PRAGMA synchronous = NORMAL")
            # Read pages through a memory map instead of read() calls into a 2 MB page cache:
            # a month of a big plan touches several MB of post pages (benchmarks/RESULTS.md).
            cur.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        write = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for a SQLAlchemy URL, with cmdesk's SQLite settings where it applies."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(
            f"{url!r} is not a database URL. Use a file path, sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST/DB."
        ) from None
    try:
        if parsed.get_backend_name() == "sqlite":
            _check_sqlite_target(url)
            engine = create_engine(url, echo=echo, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
            _install_sqlite_hooks(engine)
        else:
            engine = create_engine(url, echo=echo, pool_pre_ping=True)
    except NoSuchModuleError:
        raise DatabaseError(
            f"cmdesk does not know how to open {parsed.drivername!r} databases. "
            "Use SQLite or PostgreSQL (install cmdesk[postgresql])."
        ) from None
    except ModuleNotFoundError as exc:
        raise DatabaseError(
            f"The driver for {parsed.drivername!r} is not installed ({exc.name}). "
            "For PostgreSQL install cmdesk[postgresql]."
        ) from None
    return engine


def describe_db_error(exc: BaseException, url: str) -> str:
    """A sentence for a person about why the database could not be used."""
    safe = make_url(url).render_as_string(hide_password=True)
    orig = getattr(exc, "orig", exc)
    text_ = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if "file is not a database" in text_ or "malformed" in text_:
        return (
            f"The database {safe} is damaged or is not a cmdesk database ({text_}). "
            "Restore a backup, or choose another file with --db."
        )
    if "unable to open database file" in text_:
        return f"Cannot open the database {safe}: check that the folder exists and is writable."
    if "readonly" in text_ or "read-only" in text_:
        return f"The database {safe} is read-only: cmdesk needs to write to it."
    return f"Cannot use the database {safe}: {text_}"


@dataclass
class Database:
    """An engine plus session factories for read and write transactions."""

    url: str
    engine: Engine

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{_WRITE_OPTION: True})
        self._write = sessionmaker(writer, expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue here, on a lock that
        # hands over at once, instead of in SQLite's busy handler, which sleeps in growing steps
        # (up to 100 ms) and made eight publishing threads wait more than they worked
        # (benchmarks/RESULTS.md). Other processes still wait through busy_timeout.
        self._write_lock = threading.Lock() if self.is_sqlite else contextlib.nullcontext()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def session(self, *, write: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if it raises.

        ``write=False`` opens a read transaction (a plain deferred BEGIN on SQLite), which never
        waits for a writer under WAL.
        """
        factory = self._write if write else self._read
        session = factory()
        try:
            with self._write_lock if write else contextlib.nullcontext(), session.begin():
                yield session
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc.orig, sqlite3.DatabaseError) or "could not connect" in str(exc):
                raise DatabaseError(describe_db_error(exc, self.url)) from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, migrate: bool = True, echo: bool = False) -> Database:
    """Open (and by default upgrade) the database at ``url``; a ``DatabaseError`` says why not."""
    from cmdesk import migrations

    db = Database(url, make_engine(url, echo=echo))
    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
            if db.is_sqlite:
                conn.exec_driver_sql("PRAGMA schema_version").fetchone()
            conn.rollback()
        if migrate:
            migrations.upgrade_to_head(db.engine)
        else:
            migrations.check_not_newer(db.engine)
    except DatabaseError:
        db.dispose()
        raise
    except (OperationalError, DBAPIError) as exc:
        db.dispose()
        raise DatabaseError(describe_db_error(exc, url)) from None
    return db


def sqlite_file(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory ones."""
    parsed = make_url(url)
    if (
        parsed.get_backend_name() != "sqlite"
        or not parsed.database
        or parsed.database == ":memory:"
    ):
        return None
    return Path(os.path.expanduser(parsed.database))
