"""audit log; alerts get a cause (GB/T 39734) and an assignee; alert events a detail

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'audit_log',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('object_type', sa.String(length=32), nullable=False),
        sa.Column('object_id', sa.String(length=64), nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=True),
        sa.Column('before', sa.JSON(), nullable=True),
        sa.Column('after', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log')),
    )
    op.create_index('ix_audit_log_at', 'audit_log', ['at'], unique=False)
    op.create_index(op.f('ix_audit_log_hall_id'), 'audit_log', ['hall_id'], unique=False)
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('cause', sa.String(length=32), nullable=True))
        batch.create_foreign_key(
            op.f('fk_alerts_assignee_id_users'), 'users', ['assignee_id'], ['id']
        )
    with op.batch_alter_table('alert_events') as batch:
        batch.add_column(sa.Column('detail', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('alert_events') as batch:
        batch.drop_column('detail')
    with op.batch_alter_table('alerts') as batch:
        batch.drop_constraint(op.f('fk_alerts_assignee_id_users'), type_='foreignkey')
        batch.drop_column('cause')
        batch.drop_column('assignee_id')
    op.drop_index(op.f('ix_audit_log_hall_id'), table_name='audit_log')
    op.drop_index('ix_audit_log_at', table_name='audit_log')
    op.drop_table('audit_log')
