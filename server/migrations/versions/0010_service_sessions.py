"""service sessions end to end: matter, outcome, handling time, unknown staff; the matter
catalog

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('service_sessions') as batch:
        batch.add_column(sa.Column('matter_code', sa.String(length=40), nullable=True))
        batch.add_column(sa.Column('outcome', sa.String(length=16), nullable=True))
        batch.add_column(sa.Column('handling_s', sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column('unknown_staff', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # Sessions stored before outcomes existed: the outcome their one-visit flag implies.
    op.execute(
        "UPDATE service_sessions SET outcome = CASE WHEN finished_in_one_visit THEN 'one_visit' "
        "ELSE 'another_visit' END WHERE ended_at IS NOT NULL AND finished_in_one_visit IS NOT NULL"
    )
    op.create_table(
        'matters',
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('standard_minutes', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_matters')),
    )


def downgrade() -> None:
    op.drop_table('matters')
    with op.batch_alter_table('service_sessions') as batch:
        batch.drop_column('unknown_staff')
        batch.drop_column('outcome')
        batch.drop_column('handling_s')
        batch.drop_column('matter_code')
