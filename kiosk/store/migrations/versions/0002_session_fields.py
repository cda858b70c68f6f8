"""service sessions: matter, outcome and times for finding the one awaiting a rating

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('service_sessions') as batch:
        batch.add_column(sa.Column('matter_code', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('started_ts', sa.Float(), nullable=True))
        batch.add_column(sa.Column('ended_ts', sa.Float(), nullable=True))
        batch.create_index('ix_service_sessions_counter_ended', ['counter_id', 'ended_ts'])
    with op.batch_alter_table('ratings') as batch:
        batch.create_index('ix_ratings_session_id', ['session_id'])


def downgrade() -> None:
    with op.batch_alter_table('ratings') as batch:
        batch.drop_index('ix_ratings_session_id')
    with op.batch_alter_table('service_sessions') as batch:
        batch.drop_index('ix_service_sessions_counter_ended')
        batch.drop_column('ended_ts')
        batch.drop_column('started_ts')
        batch.drop_column('outcome')
        batch.drop_column('matter_code')
