"""unlinkable invitations, staff session versions, login throttle

- ``invitations``: ``used_at`` and ``used_channel`` go (they lined up with the response
  started in the same moment), and existing rows are renumbered in a random order so their
  ids no longer follow the sampling frame (nothing refers to an invitation id).
- ``staff_users``: ``session_version`` (server-side revocation of cookies); the failed-login
  counter moves to ``login_throttle`` (per e-mail and address, counted atomically).

Revision ID: 7c2e9d41a5b3
Revises: 7c1e5a9d2b40
Create Date: 2026-11-29 19:05:00
"""
from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

revision = '7c2e9d41a5b3'
down_revision = '7c1e5a9d2b40'
branch_labels = None
depends_on = None


def _shuffle_invitation_ids() -> None:
    """Give every invitation another row's id, in a random order (two steps: ids are unique)."""
    conn = op.get_bind()
    ids = [row[0] for row in conn.execute(sa.text("SELECT id FROM invitations"))]
    targets = list(ids)
    secrets.SystemRandom().shuffle(targets)
    moves = [{"old": old, "tmp": -new} for old, new in zip(ids, targets, strict=True)]
    secrets.SystemRandom().shuffle(moves)
    if moves:
        conn.execute(sa.text("UPDATE invitations SET id = :tmp WHERE id = :old"), moves)
        conn.execute(sa.text("UPDATE invitations SET id = -id WHERE id < 0"))
    # One creation instant per batch: per-row instants were in frame order.
    conn.execute(sa.text("UPDATE invitations SET created_at = (SELECT MIN(i2.created_at) FROM invitations i2 "
                         "WHERE i2.survey_id = invitations.survey_id AND "
                         "COALESCE(i2.batch, '') = COALESCE(invitations.batch, ''))"))


def upgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('used_at')
        batch_op.drop_column('used_channel')
    _shuffle_invitation_ids()
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('locked_until')
    op.create_table('login_throttle',
    sa.Column('subject', sa.String(length=64), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('subject', 'address')
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.drop_column('session_version')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('used_channel', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('used_at', sa.DateTime(timezone=True), nullable=True))
