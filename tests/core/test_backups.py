"""Backups: online copies while another connection writes, rotation, daily upkeep, restore."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from cmdesk.bootstrap import AppContext, build_context
from cmdesk.clock import FakeClock
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.db import sqlite_file
from cmdesk.errors import DatabaseError, UserError, ValidationError
from cmdesk.housekeeping import Housekeeper
from cmdesk.services.backups import BackupService, register_upkeep
from tests.core.helpers import workspace


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _names(ctx: AppContext) -> list[str]:
    return [w.name for w in ctx.workspaces.list()]


def _db(ctx: AppContext) -> Path:
    path = sqlite_file(ctx.db.url)
    assert path is not None
    return path


def test_a_backup_while_another_connection_writes_is_whole_and_checked(ctx: AppContext) -> None:
    workspace(ctx, "Before")
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        conn = sqlite3.connect(_db(ctx), timeout=15)
        conn.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
        n = 0
        while not stop.is_set():
            with conn:
                conn.execute("INSERT INTO scratch VALUES (?)", (n,))
            n += 1
            written.append(n)
        conn.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 50:
            threading.Event().wait(0.01)
        infos = [ctx.backups.backup_now() for _ in range(3)]
        ctx.backups.backup_now()
    finally:
        stop.set()
        thread.join()
    for info in infos:
        conn = sqlite3.connect(info.path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        rows = conn.execute("SELECT count(*), max(n) FROM scratch").fetchone()
        assert rows[0] == rows[1] + 1  # a consistent snapshot: no gap in the numbers
        assert conn.execute("SELECT name FROM workspace").fetchall() == [("Before",)]
        conn.close()
        assert not Path(f"{info.path}-wal").exists()
    assert not list(ctx.backups.folder.glob("*.partial"))


def test_rotation_keeps_the_newest_automatic_backups_only(
    db_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    ctx = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    try:
        ctx.settings.set("backup_keep", 3)
        aside = ctx.backups.folder / "cmdesk-before-restore-20260101-000000.sqlite3"
        made = []
        for _ in range(5):
            made.append(ctx.backups.backup_now().path)
            clock.advance(timedelta(minutes=1))
        aside.write_bytes(made[-1].read_bytes())
        mine = tmp_path / "mine.sqlite3"
        ctx.backups.backup_now(mine)
        left = ctx.backups.list_backups()
        assert [b.path for b in left if b.kind == "automatic"] == made[:1:-1]
        assert aside in [b.path for b in left] and mine.exists()
        assert ctx.backups.last_backup() is not None
        assert ctx.backups.last_backup().path == made[-1]  # type: ignore[union-attr]
    finally:
        ctx.close()


def test_two_backups_in_one_second_get_two_names(ctx: AppContext) -> None:
    a, b = ctx.backups.backup_now(), ctx.backups.backup_now()
    assert a.path != b.path and a.path.exists() and b.path.exists()


def test_the_daily_backup_runs_once_a_day_and_skips_an_unchanged_plan(
    ctx: AppContext, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=UTC))
    assert ctx.backups.auto_backup() is not None
    time.sleep(0.05)  # file times move in clock ticks of a few milliseconds
    workspace(ctx, "Changed today")
    assert ctx.backups.auto_backup() is None  # one a day
    clock.set(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    second = ctx.backups.auto_backup()
    assert second is not None
    time.sleep(0.05)
    clock.set(datetime(2026, 11, 26, 12, 0, tzinfo=UTC))
    assert ctx.backups.auto_backup() is None  # nothing changed since the last one
    workspace(ctx, "Changed again")
    third = ctx.backups.auto_backup()
    assert third is not None and third.path != second.path


def test_the_upkeep_task_runs_through_a_real_housekeeper(ctx: AppContext) -> None:
    keeper = Housekeeper()
    register_upkeep(keeper, ctx)
    assert keeper.names == ["backups"]
    assert keeper.run_now("backups") is True
    assert len(ctx.backups.list_backups()) == 1


def test_restore_brings_the_plan_back_and_keeps_the_current_file_aside(
    db_url: str, clock: FakeClock
) -> None:
    ctx = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    workspace(ctx, "Kept")
    backup = ctx.backups.backup_now()
    workspace(ctx, "Added after")
    clock.advance(timedelta(seconds=5))
    result = ctx.backups.restore(backup.path)
    assert result.kept_aside.name.startswith("cmdesk-before-restore-")
    assert result.revision
    ctx.close()
    again = build_context(db_url, clock=clock, credentials=MemoryCredentialStore())
    try:
        assert _names(again) == ["Kept"]
        aside = sqlite3.connect(result.kept_aside)
        names = {r[0] for r in aside.execute("SELECT name FROM workspace")}
        aside.close()
        assert names == {"Kept", "Added after"}
        kinds = {b.kind for b in again.backups.list_backups()}
        assert kinds == {"automatic", "before-restore"}
    finally:
        again.close()


def _newer(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes())
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.commit()
    conn.close()


def _not_cmdesk(path: Path, _source: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (t TEXT)")
    conn.commit()
    conn.close()


def _text(path: Path, _source: Path) -> None:
    path.write_text("date,text\n2026-11-24,hello\n")


def _truncated(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes()[:5000])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text, "not a SQLite database"),
        (_not_cmdesk, "not a cmdesk database"),
        (_newer, "newer version"),
        (_truncated, "damaged|cannot be read|malformed"),
    ],
)
def test_a_bad_file_is_refused_and_the_database_is_untouched(
    ctx: AppContext, tmp_path: Path, make: Any, message: str
) -> None:
    workspace(ctx, "Mine")
    good = ctx.backups.backup_now(tmp_path / "good.sqlite3")
    bad = tmp_path / "bad.sqlite3"
    make(bad, good.path)
    ctx.db.dispose()
    before = _digest(_db(ctx))
    with pytest.raises(ValidationError, match=message):
        ctx.backups.restore(bad)
    assert _digest(_db(ctx)) == before
    assert not [b for b in ctx.backups.list_backups() if b.kind == "before-restore"]
    assert _names(ctx) == ["Mine"]


def test_a_missing_file_or_the_database_itself_is_refused(ctx: AppContext, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no file"):
        ctx.backups.restore(tmp_path / "nope.sqlite3")
    with pytest.raises(ValidationError, match="in use"):
        ctx.backups.restore(_db(ctx))
    with pytest.raises(ValidationError, match="over the database"):
        ctx.backups.backup_now(_db(ctx))


def test_restore_waits_for_another_program_to_let_go(ctx: AppContext, tmp_path: Path) -> None:
    workspace(ctx, "Mine")
    backup = ctx.backups.backup_now()
    workspace(ctx, "Second")
    other = sqlite3.connect(_db(ctx))
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM workspace").fetchone()  # holds a read snapshot
    try:
        with pytest.raises(DatabaseError, match="Another program"):
            ctx.backups.restore(backup.path)
    finally:
        other.rollback()
        other.close()
    assert _names(ctx) == ["Mine", "Second"]
    assert [b.kind for b in ctx.backups.list_backups()] == ["automatic"]
    assert not list(_db(ctx).parent.glob("*.restoring"))


def test_postgresql_is_refused_with_a_pointer_to_pg_dump(clock: FakeClock, tmp_path: Path) -> None:
    fake_db: Any = SimpleNamespace(url="postgresql+psycopg://me@localhost/cmdesk", is_sqlite=False)
    service = BackupService(fake_db, clock, None, tmp_path)  # type: ignore[arg-type]
    assert not service.supported()
    with pytest.raises(UserError, match="pg_dump"):
        service.backup_now()
    with pytest.raises(UserError, match="pg_dump"):
        service.restore(tmp_path / "x.sqlite3")
    keeper = Housekeeper()
    register_upkeep(keeper, SimpleNamespace(backups=service))  # type: ignore[arg-type]
    assert keeper.names == []
