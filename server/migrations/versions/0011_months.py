"""months: closed month snapshots and rectification orders

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'month_closes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('closed_by', sa.String(length=64), nullable=False),
        sa.Column('config_version', sa.String(length=32), nullable=False),
        sa.Column('figures', sa.JSON(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['hall_id'], ['halls.id'], name=op.f('fk_month_closes_hall_id_halls')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_month_closes')),
        sa.UniqueConstraint('hall_id', 'month', name='uq_month_closes_hall_month'),
    )
    op.create_index(op.f('ix_month_closes_hall_id'), 'month_closes', ['hall_id'])
    op.create_table(
        'rectifications',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('counter_id', sa.String(length=64), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('dimension', sa.String(length=32), nullable=False),
        sa.Column('low_rate', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('owner', sa.String(length=200), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actions', sa.Text(), nullable=False),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('rectified_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('remeasure_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reopened', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ['hall_id'], ['halls.id'], name=op.f('fk_rectifications_hall_id_halls')
        ),
        sa.ForeignKeyConstraint(
            ['counter_id'], ['counters.id'], name=op.f('fk_rectifications_counter_id_counters')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rectifications')),
        sa.UniqueConstraint('counter_id', 'month', name='uq_rectifications_counter_month'),
    )
    op.create_index(op.f('ix_rectifications_hall_id'), 'rectifications', ['hall_id'])
    op.create_index(op.f('ix_rectifications_counter_id'), 'rectifications', ['counter_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_rectifications_counter_id'), table_name='rectifications')
    op.drop_index(op.f('ix_rectifications_hall_id'), table_name='rectifications')
    op.drop_table('rectifications')
    op.drop_index(op.f('ix_month_closes_hall_id'), table_name='month_closes')
    op.drop_table('month_closes')
