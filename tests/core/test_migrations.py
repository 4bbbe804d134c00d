"""Schema migrations: an older database with data in it is upgraded and keeps its data.

``FILLERS`` holds, for each revision, raw SQL that fills a database at that revision the way that
version of cmdesk wrote it. Every revision's database is upgraded to head and checked. A new
revision adds its own filler, so every schema change is tested against real older data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from cmdesk import migrations
from cmdesk.bootstrap import build_context
from cmdesk.credentials import MemoryCredentialStore
from cmdesk.models import Base
from cmdesk.status import PostStatus

FILL_0001 = [
    "INSERT INTO workspace (id, name, timezone, color, description, objectives, kpi_targets,"
    " week_start, default_post_time, is_demo, created_at, updated_at)"
    " VALUES (1, 'Panadería', 'Europe/Madrid', '#c0792f', '', '', '{}', 0, '09:00', 0,"
    " 1774000000, 1774000000)",
    "INSERT INTO channel (id, workspace_id, network, name, handle, base_url, credential_ref, limits,"
    " health, health_detail, color, is_demo, created_at, updated_at)"
    " VALUES (1, 1, 'mastodon', 'Masto', '@p@x.social', 'https://x.social', 'channel:abc', '{}',"
    " 'ok', '', '', 0, 1774000000, 1774000000)",
    "INSERT INTO post (id, workspace_id, title, text, status, scheduled_at, notes, author,"
    " revision, created_at, updated_at) VALUES (1, 1, 'Roscón', 'Reserva ya', 'scheduled',"
    " 1800000000, '', '', 3, 1774000000, 1774000000)",
    "INSERT INTO target (id, post_id, channel_id, state, due_at, attempts, last_error,"
    " created_at, updated_at) VALUES (1, 1, 1, 'queued', 1800000000, 0, '', 1774000000, 1774000000)",
]

# 0003 adds the trash: a second post, deleted into it, must stay out of every list after upgrades.
FILL_0003 = [
    *FILL_0001,
    "INSERT INTO post (id, workspace_id, title, text, status, scheduled_at, notes, author,"
    " revision, created_at, updated_at, trashed_at) VALUES (2, 1, 'Borrado', '', 'draft', NULL,"
    " '', '', 2, 1774000000, 1774000000, 1774000500)",
]

# 0004 adds the reply outbox: an inbox item from before it must still list and take a reply row.
FILL_0004 = [
    *FILL_0003,
    "INSERT INTO inbox_item (id, channel_id, kind, remote_id, remote_url, author_handle,"
    " author_name, text, html, received_at, state, target_id) VALUES (1, 1, 'reply', '42', '',"
    " '@fan@x.social', 'Fan', 'Hola', '<p>Hola</p>', 1774000100, 'new', 1)",
    "INSERT INTO inbox_reply (item_id, token, text, created_at) VALUES (1, 'k', 'Gracias',"
    " 1774000200)",
]

# 0005 adds listening: a saved search and a post it found, beside an inbox item it must not touch.
FILL_0005 = [
    *FILL_0004,
    "INSERT INTO saved_search (id, workspace_id, channel_id, kind, text, cursor, note, created_at)"
    " VALUES (1, 1, 1, 'hashtag', 'roscon', '9', '', 1774000300)",
    "INSERT INTO listened_post (id, search_id, remote_id, remote_url, author_handle, author_name,"
    " text, html, created_at, fetched_at) VALUES (1, 1, '9', '', '@a@x.social', 'A', 'Roscón!',"
    " '<p>Roscón!</p>', 1774000250, 1774000300)",
]

# 0006 adds the planning tools: a recurring series with one made occurrence, a queued target,
# a routine task done for a day, a hashtag group and a snippet.
FILL_0006 = [
    *FILL_0005,
    "INSERT INTO post_series (id, workspace_id, kind, rrule, starts_local, exdates, variations,"
    " next_variation, is_active, created_at) VALUES (1, 1, 'recurring', 'FREQ=WEEKLY;BYDAY=MO',"
    " '2027-01-04T09:00', '[]', '[]', 0, 1, 1774000400)",
    "UPDATE post SET series_id = 1, series_key = '2027-01-04T09:00' WHERE id = 1",
    "UPDATE target SET from_queue = 1 WHERE id = 1",
    "INSERT INTO routine_task (id, workspace_id, title, description, cadence, rrule, position,"
    " is_active, remind_at, template_key) VALUES (1, 1, 'Answer replies', '', 'daily', '', 0, 1,"
    " '09:30', 'daily.answer_replies')",
    "INSERT INTO routine_completion (id, task_id, done_at, note, period)"
    " VALUES (1, 1, 1774000500, '', '2026-03-20')",
    "INSERT INTO hashtag_group (id, workspace_id, name, hashtags, position)"
    " VALUES (1, 1, 'Pan', '#pan #masamadre', 0)",
    "INSERT INTO snippet (id, workspace_id, name, text, position)"
    " VALUES (1, 1, 'Firma', '¡Os esperamos!', 0)",
]

# 0002 only adds an index: the 0001 data fits it unchanged.
FILLERS: dict[str, list[str]] = {
    "0001": FILL_0001,
    "0002": FILL_0001,
    "0003": FILL_0003,
    "0004": FILL_0004,
    "0005": FILL_0005,
    "0006": FILL_0006,
}


def test_every_revision_has_a_filler() -> None:
    revisions = {r.revision for r in migrations.script_directory().walk_revisions()}
    assert revisions == set(FILLERS), "add a filler for each new revision"


@pytest.mark.parametrize("revision", sorted(FILLERS))
def test_upgrade_from_each_revision_keeps_the_data(revision: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    migrations.upgrade_to(engine, revision)
    with engine.begin() as conn:
        for sql in FILLERS[revision]:
            conn.exec_driver_sql(sql)
    engine.dispose()

    ctx = build_context(url, credentials=MemoryCredentialStore())  # upgrades to head at start
    try:
        assert migrations.current_revision(ctx.db.engine) == migrations.head_revision()
        (ws,) = ctx.workspaces.list()
        assert (ws.name, ws.timezone) == ("Panadería", "Europe/Madrid")
        post = ctx.plan.get_post(1)
        assert (post.title, post.status, post.revision) == ("Roscón", PostStatus.SCHEDULED, 3)
        assert post.scheduled_at is not None and int(post.scheduled_at.timestamp()) == 1800000000
        assert post.targets[0].due_at == post.scheduled_at
        (ch,) = ctx.channels.list(ws.id)
        assert ch.has_credential and ch.network == "mastodon"
        # Posts from before the trash are not in it; a trashed one stays out of the lists.
        assert [p.id for p in ctx.plan.list_posts(ws.id)] == [1]
        assert ctx.plan.count_by_status(ws.id)[PostStatus.DRAFT] == 0
        assert ctx.history.trashed_ids(ws.id) == ([2] if revision >= "0003" else [])
        items = ctx.inbox.list_items(ws.id)
        assert [(i.remote_id, i.post_id) for i in items] == (
            [("42", 1)] if revision >= "0004" else []
        )
        searches = [(x.label, x.result_count) for x in ctx.listening.list_searches(ws.id)]
        assert searches == ([("#roscon", 1)] if revision >= "0005" else [])
        assert ctx.inbox.count_unread(ws.id) == (1 if revision >= "0004" else 0)
    finally:
        ctx.close()


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'head.sqlite3'}")
    migrations.upgrade_to_head(engine)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    engine.dispose()
    assert diff == [], f"models and migrations differ; write a revision: {diff}"


def test_upgrade_at_head_is_a_no_op(db_url: str) -> None:
    engine = create_engine(db_url)
    migrations.upgrade_to_head(engine)
    migrations.upgrade_to_head(engine)
    assert migrations.current_revision(engine) == migrations.head_revision()
    engine.dispose()


def test_revisions_read_from_the_files_match_alembic() -> None:
    # Start-up reads the revision ids without importing Alembic; they must agree with it.
    script = migrations.script_directory()
    revisions, head = migrations.known_revisions()
    assert revisions == {r.revision for r in script.walk_revisions()}
    assert head == script.get_current_head()
