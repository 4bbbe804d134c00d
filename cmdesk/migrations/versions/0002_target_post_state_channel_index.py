"""Covering index for the channels of each post in the calendar window.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 23:00:00
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.create_index(
            "ix_target_post_state_channel", ["post_id", "state", "channel_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("target", schema=None) as batch_op:
        batch_op.drop_index("ix_target_post_state_channel")
