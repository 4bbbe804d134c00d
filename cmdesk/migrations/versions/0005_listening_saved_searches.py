"""Listening: saved searches (a hashtag or a text query read through a channel) and their posts.

Posts a search finds are kept in their own table, once per search, so they never count as unread
inbox items.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 02:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_search",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Integer(), nullable=False),
        sa.Column("channel_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("text", sa.String(length=255), nullable=False),
        sa.Column("cursor", sa.String(length=255), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("synced_at", sa.BigInteger(), nullable=True),
        sa.CheckConstraint("kind IN ('hashtag', 'query')", name=op.f("ck_saved_search_kind")),
        sa.ForeignKeyConstraint(
            ["channel_id"],
            ["channel.id"],
            name=op.f("fk_saved_search_channel_id_channel"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspace.id"],
            name=op.f("fk_saved_search_workspace_id_workspace"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_search")),
        sa.UniqueConstraint(
            "channel_id", "kind", "text", name=op.f("uq_saved_search_channel_id_kind_text")
        ),
    )
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_saved_search_workspace_id"), ["workspace_id"], unique=False
        )
    op.create_table(
        "listened_post",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("search_id", sa.Integer(), nullable=False),
        sa.Column("remote_id", sa.String(length=255), nullable=False),
        sa.Column("remote_url", sa.String(length=1000), nullable=False),
        sa.Column("author_handle", sa.String(length=255), nullable=False),
        sa.Column("author_name", sa.String(length=255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("fetched_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["search_id"],
            ["saved_search.id"],
            name=op.f("fk_listened_post_search_id_saved_search"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_listened_post")),
        sa.UniqueConstraint(
            "search_id", "remote_id", name=op.f("uq_listened_post_search_id_remote_id")
        ),
    )
    with op.batch_alter_table("listened_post", schema=None) as batch_op:
        batch_op.create_index(
            "ix_listened_post_search_created", ["search_id", "created_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("listened_post", schema=None) as batch_op:
        batch_op.drop_index("ix_listened_post_search_created")
    op.drop_table("listened_post")
    with op.batch_alter_table("saved_search", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saved_search_workspace_id"))
    op.drop_table("saved_search")
