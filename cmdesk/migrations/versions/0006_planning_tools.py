"""Planning tools: hashtag groups, snippets, series, queue placement, routine periods, entry dates.

Columns are added in place, never by copying a table: the post table is referenced by many others
(a copy under SQLite's foreign keys would cascade). So ``post.series_id`` is a plain indexed column
kept by the series service, and uniqueness comes as unique indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"],
        ["workspace.id"],
        name=op.f(f"fk_{table}_workspace_id_workspace"),
        ondelete="CASCADE",
    )


def _named_table(table: str, text_column: str, name_length: int) -> None:
    op.create_table(
        table,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=name_length), nullable=False),
        sa.Column(text_column, sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        _workspace_fk(table),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
        sa.UniqueConstraint("workspace_id", "name", name=op.f(f"uq_{table}_workspace_id_name")),
    )
    op.create_index(op.f(f"ix_{table}_workspace_id"), table, ["workspace_id"], unique=False)


def upgrade() -> None:
    _named_table("hashtag_group", "hashtags", 80)
    _named_table("snippet", "text", 120)
    op.create_table(
        "post_series",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("starts_local", sa.String(length=19), nullable=False),
        sa.Column("horizon_until", sa.BigInteger(), nullable=True),
        sa.Column("exdates", sa.JSON(), nullable=False),
        sa.Column("every_days", sa.Integer(), nullable=True),
        sa.Column("variations", sa.JSON(), nullable=False),
        sa.Column("next_variation", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("kind IN ('recurring', 'evergreen')", name=op.f("ck_post_series_kind")),
        _workspace_fk("post_series"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_series")),
    )
    op.create_index(
        op.f("ix_post_series_workspace_id"), "post_series", ["workspace_id"], unique=False
    )

    op.add_column("post", sa.Column("series_id", sa.Integer(), nullable=True))
    op.add_column("post", sa.Column("series_key", sa.String(length=32), nullable=True))
    op.add_column(
        "post",
        sa.Column("series_detached", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(op.f("ix_post_series_id"), "post", ["series_id"], unique=False)
    op.create_index("ux_post_series_key", "post", ["series_id", "series_key"], unique=True)

    op.add_column(
        "target", sa.Column("from_queue", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column("routine_task", sa.Column("remind_at", sa.String(length=5), nullable=True))
    op.add_column("routine_task", sa.Column("template_key", sa.String(length=40), nullable=True))
    op.add_column("routine_completion", sa.Column("period", sa.String(length=10), nullable=True))
    op.create_index(
        "ux_routine_completion_period", "routine_completion", ["task_id", "period"], unique=True
    )
    op.add_column("idea", sa.Column("published_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_column("published_at")
    op.drop_index("ux_routine_completion_period", table_name="routine_completion")
    with op.batch_alter_table("routine_completion", schema=None) as batch_op:
        batch_op.drop_column("period")
    with op.batch_alter_table("routine_task", schema=None) as batch_op:
        batch_op.drop_column("template_key")
        batch_op.drop_column("remind_at")
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_column("from_queue")
    op.drop_index("ux_post_series_key", table_name="post")
    op.drop_index(op.f("ix_post_series_id"), table_name="post")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_column("series_detached")
        batch_op.drop_column("series_key")
        batch_op.drop_column("series_id")
    op.drop_index(op.f("ix_post_series_workspace_id"), table_name="post_series")
    op.drop_table("post_series")
    op.drop_index(op.f("ix_snippet_workspace_id"), table_name="snippet")
    op.drop_table("snippet")
    op.drop_index(op.f("ix_hashtag_group_workspace_id"), table_name="hashtag_group")
    op.drop_table("hashtag_group")
