"""locale columns hold BCP 47 tags up to 16 characters (ja-x-easy is 9)

Revision ID: 5b1e0c7a9d21
Revises: 5d1e8a7c2b94
Create Date: 2026-11-29 19:30:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5b1e0c7a9d21'
down_revision = '5d1e8a7c2b94'
branch_labels = None
depends_on = None

_COLUMNS = (("responses", False), ("staff_users", False), ("bot_sessions", True))


def upgrade() -> None:
    for table, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('locale', existing_type=sa.String(length=8), type_=sa.String(length=16),
                                  existing_nullable=nullable)


def downgrade() -> None:
    for table, nullable in _COLUMNS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('locale', existing_type=sa.String(length=16), type_=sa.String(length=8),
                                  existing_nullable=nullable)
