"""SQLite configuration, and databases that cannot be used: each refused clearly, nothing changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, event, text

from cmdesk.bootstrap import build_context
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.db import open_database
from cmdesk.errors import DatabaseError


def test_sqlite_pragmas(db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    db.dispose()


def test_write_transactions_begin_immediate_and_reads_do_not(db_url: str) -> None:
    db = open_database(db_url)
    statements: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def record(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        statements.append(statement)

    # The write lock is taken at BEGIN: another connection cannot start writing meanwhile.
    with db.session(write=True) as s:
        s.execute(text("SELECT 1"))
        raw = db.engine.raw_connection()
        try:
            raw.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(Exception, match="locked"):
                raw.execute("BEGIN IMMEDIATE")
        finally:
            raw.close()
    assert any(st.startswith("BEGIN IMMEDIATE") for st in statements)
    statements.clear()
    with db.session(write=False) as s:
        s.execute(text("SELECT 1"))
    assert "BEGIN" in statements and not any("IMMEDIATE" in st for st in statements)
    db.dispose()


def test_foreign_keys_cascade(db_url: str) -> None:
    db = open_database(db_url)
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO workspace (id, name, timezone, color, description, objectives, kpi_targets,"
            " week_start, default_post_time, is_demo, created_at, updated_at)"
            " VALUES (1, 'w', 'UTC', '#000000', '', '', '{}', 0, '09:00', 0, 0, 0)"
        )
        conn.exec_driver_sql(
            "INSERT INTO post (id, workspace_id, title, text, status, notes, author, revision,"
            " created_at, updated_at) VALUES (1, 1, 't', '', 'draft', '', '', 1, 0, 0)"
        )
        conn.exec_driver_sql("DELETE FROM workspace WHERE id = 1")
        assert conn.exec_driver_sql("SELECT count(*) FROM post").scalar() == 0
    db.dispose()


def test_corrupt_file_is_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "broken.sqlite3"
    garbage = b"this is not a database at all" * 100
    path.write_bytes(garbage)
    with pytest.raises(DatabaseError, match="damaged or is not a cmdesk database"):
        build_context(f"sqlite:///{path}", credentials=MemoryCredentialStore())
    assert path.read_bytes() == garbage


def test_database_from_a_newer_cmdesk_is_refused_untouched(db_url: str, tmp_path: Path) -> None:
    open_database(db_url).dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999_future'")
        conn.exec_driver_sql("CREATE TABLE future_feature (id INTEGER)")
    engine.dispose()
    before = Path(db_url.removeprefix("sqlite:///")).read_bytes()
    with pytest.raises(DatabaseError, match="newer version of cmdesk"):
        open_database(db_url)
    assert Path(db_url.removeprefix("sqlite:///")).read_bytes() == before


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("nosuchdriver://x/y", "does not know how to open"),
        ("sqlite:////proc/forbidden/cmdesk.sqlite3", "Cannot"),
        ("postgresql+nodriver://u@localhost/db", "does not know how to open"),
        ("://", "not a database URL"),
    ],
)
def test_unusable_urls_give_one_clear_message(url: str, message: str) -> None:
    with pytest.raises(DatabaseError, match=message):
        open_database(url)


def test_unreachable_postgresql_is_a_clear_error() -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(DatabaseError, match="Cannot use the database"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")


def test_plain_path_is_taken_as_sqlite(tmp_path: Path) -> None:
    ctx = build_context(str(tmp_path / "sub" / "plan.db"), credentials=MemoryCredentialStore())
    assert ctx.db.is_sqlite and (tmp_path / "sub" / "plan.db").exists()
    ctx.close()
