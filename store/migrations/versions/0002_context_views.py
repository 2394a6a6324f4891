"""context views: each opening of a conversation's context page

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "context_views",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("conversation_id", sa.String(length=200), nullable=False),
        sa.Column("episode", sa.Integer(), nullable=False),
        sa.Column("viewed_at", store.schema.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_context_views_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_context_views")),
    )
    with op.batch_alter_table("context_views", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_context_views_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("context_views", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_context_views_conversation_id"))
    op.drop_table("context_views")
