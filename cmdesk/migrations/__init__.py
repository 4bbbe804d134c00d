"""Alembic migrations shipped inside the package, run at start.

``upgrade_to_head`` brings any older cmdesk database up to date in one transaction per revision.
A database stamped with a revision this cmdesk does not know was written by a newer version: it is
refused untouched, with a message, rather than guessed at.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from cmdesk.errors import DatabaseError

HERE = Path(__file__).resolve().parent


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = script_directory().get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_newer(engine: Engine) -> str | None:
    """Raise ``DatabaseError`` if the database's revision is unknown here; return the revision."""
    current = current_revision(engine)
    if current is None:
        return None
    known = {rev.revision for rev in script_directory().walk_revisions()}
    if current not in known:
        raise DatabaseError(
            f"This database was written by a newer version of cmdesk (schema revision {current}). "
            "Update cmdesk to open it, or choose another database with --db. Nothing was changed."
        )
    return current


def upgrade_to_head(engine: Engine) -> None:
    """Upgrade the schema to this version's head (a no-op when it is already there)."""
    if check_not_newer(engine) == head_revision():
        return
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def upgrade_to(engine: Engine, revision: str) -> None:
    """Upgrade to a given revision (used by tests that build an old database)."""
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
