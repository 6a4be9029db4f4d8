"""survey settings, indicator values set by staff, one-time passwords

Revision ID: 7c1e5a9d2b40
Revises: 205a77f127c3
Create Date: 2026-11-29 19:00:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '7c1e5a9d2b40'
down_revision = '205a77f127c3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'key', name='uq_survey_setting')
    )
    with op.batch_alter_table('survey_settings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_settings_survey_id'), ['survey_id'], unique=False)

    op.create_table('indicator_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.String(length=64), nullable=False),
    sa.Column('indicator_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('survey_id', 'indicator_id', 'kind', 'year', name='uq_indicator_value')
    )
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_values_survey_id'), ['survey_id'], unique=False)

    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('staff_users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
    with op.batch_alter_table('indicator_values', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_values_survey_id'))
    op.drop_table('indicator_values')
    with op.batch_alter_table('survey_settings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_settings_survey_id'))
    op.drop_table('survey_settings')
