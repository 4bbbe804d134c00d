"""Alembic migrations shipped inside the package, run at start.

``upgrade_to_head`` brings any older cmdesk database up to date in one transaction per revision.
A database stamped with a revision this cmdesk does not know was written by a newer version: it is
refused untouched, with a message, rather than guessed at.

Alembic itself takes about a tenth of a second to import, which a window start-up cannot spare, so
the usual case (the database is already at this version's head) is settled by reading the
revision ids straight from the version files and the stamp with one SQL query; Alembic is loaded
only when there is something to upgrade.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from cmdesk.errors import DatabaseError

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
_REVISION = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*["\']?([\w]+)', re.MULTILINE)


@cache
def known_revisions() -> tuple[frozenset[str], str]:
    """Every revision id in ``versions/`` and the head (the one no other revision builds on)."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (HERE / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found: dict[str, str] = {m.group(1): m.group(2) for m in _REVISION.finditer(source)}
        if "revision" in found:
            revisions.add(found["revision"])
            parents.add(found.get("down_revision", "None"))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"the migrations must have exactly one head, found {sorted(heads)}")
    return frozenset(revisions), heads.pop()


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def script_directory() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    return known_revisions()[1]


def current_revision(engine: Engine) -> str | None:
    """The database's stamped revision, or None for a database without cmdesk's tables."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def check_not_newer(engine: Engine) -> str | None:
    """Raise ``DatabaseError`` if the database's revision is unknown here; return the revision."""
    current = current_revision(engine)
    if current is None:
        return None
    if current not in known_revisions()[0]:
        raise DatabaseError(
            f"This database was written by a newer version of cmdesk (schema revision {current}). "
            "Update cmdesk to open it, or choose another database with --db. Nothing was changed."
        )
    return current


def upgrade_to_head(engine: Engine) -> None:
    """Upgrade the schema to this version's head (a no-op when it is already there)."""
    if check_not_newer(engine) == head_revision():
        return
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "head")


def upgrade_to(engine: Engine, revision: str) -> None:
    """Upgrade to a given revision (used by tests that build an old database)."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), revision)
