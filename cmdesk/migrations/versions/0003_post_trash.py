"""Trash for posts: a deleted post keeps its row (``trashed_at``) so the delete can be undone.

The calendar and status-count indexes gain ``trashed_at`` so that skipping trashed posts keeps
those reads index-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trashed_at", sa.BigInteger(), nullable=True))
        batch_op.create_index("ix_post_trashed_at", ["trashed_at"], unique=False)
        batch_op.drop_index("ix_post_workspace_scheduled")
        batch_op.create_index(
            "ix_post_workspace_scheduled", ["workspace_id", "scheduled_at", "trashed_at"]
        )
        batch_op.drop_index("ix_post_workspace_status")
        batch_op.create_index("ix_post_workspace_status", ["workspace_id", "status", "trashed_at"])


def downgrade() -> None:
    # Trashed posts are gone for good when going back to a cmdesk without a trash.
    op.execute("DELETE FROM post WHERE trashed_at IS NOT NULL")
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.drop_index("ix_post_workspace_status")
        batch_op.create_index("ix_post_workspace_status", ["workspace_id", "status"])
        batch_op.drop_index("ix_post_workspace_scheduled")
        batch_op.create_index("ix_post_workspace_scheduled", ["workspace_id", "scheduled_at"])
        batch_op.drop_index("ix_post_trashed_at")
        batch_op.drop_column("trashed_at")
