"""design strata: the recorded sampling design (N_h, letters n_h, undeliverable per batch and stratum);
open start counts: bursts of open starts from one address per day (counts under a daily HMAC, no address)

Revision ID: 5d1e8a7c2b94
Revises: 7c2e9d41a5b3
Create Date: 2026-11-29 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '5d1e8a7c2b94'
down_revision = '7c2e9d41a5b3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('design_strata',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('batch', sa.String(length=64), nullable=False),
    sa.Column('variables', sa.String(length=200), nullable=False),
    sa.Column('stratum', sa.String(length=200), nullable=False),
    sa.Column('population', sa.Float(), nullable=False),
    sa.Column('letters', sa.Integer(), nullable=False),
    sa.Column('undeliverable', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'batch', 'stratum', name='uq_design_batch_stratum')
    )
    with op.batch_alter_table('design_strata', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_design_strata_survey_id'), ['survey_id'], unique=False)

    op.create_table('open_start_counts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('address_key', sa.String(length=64), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'day', 'address_key', name='uq_open_start_day_address')
    )
    with op.batch_alter_table('open_start_counts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_open_start_counts_survey_id'), ['survey_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('open_start_counts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_open_start_counts_survey_id'))
    op.drop_table('open_start_counts')
    with op.batch_alter_table('design_strata', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_design_strata_survey_id'))
    op.drop_table('design_strata')
