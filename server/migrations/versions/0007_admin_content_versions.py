"""administration: disable halls, counters and staff; staff photos; versioned content

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    for table in ('halls', 'counters', 'staff'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true())
            )
    with op.batch_alter_table('staff') as batch:
        batch.add_column(sa.Column('photo_sha256', sa.String(length=64), nullable=True))
    op.create_table(
        'content_versions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('version', sa.String(length=32), nullable=False),
        sa.Column('scoring', sa.JSON(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_content_versions')),
        sa.UniqueConstraint('version', name=op.f('uq_content_versions_version')),
    )


def downgrade() -> None:
    op.drop_table('content_versions')
    with op.batch_alter_table('staff') as batch:
        batch.drop_column('photo_sha256')
    for table in ('staff', 'counters', 'halls'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('active')
