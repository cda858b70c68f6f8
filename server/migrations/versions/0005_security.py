"""security: token generations, device revocation, wrapped bundle keys, shared rate-limit
counts, one rating per service session (一次一评) enforced by a primary key

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(
            sa.Column('token_generation', sa.Integer(), nullable=False, server_default='0')
        )
    with op.batch_alter_table('devices') as batch:
        batch.add_column(sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('bundle_key_wrapped', sa.String(64), nullable=True))
        batch.add_column(sa.Column('bundle_key_secret_id', sa.String(16), nullable=True))
    op.create_table(
        'session_ratings',
        sa.Column('session_id', sa.String(36), nullable=False),
        sa.Column('rating_id', sa.String(36), nullable=False),
        sa.PrimaryKeyConstraint('session_id', name=op.f('pk_session_ratings')),
    )
    # Sessions rated before: the first rating stored keeps the claim.
    op.execute(
        "INSERT INTO session_ratings (session_id, rating_id) "
        "SELECT session_id, MIN(id) FROM ratings WHERE session_id IS NOT NULL "
        "GROUP BY session_id"
    )
    op.create_table(
        'rate_limit_counts',
        sa.Column('scope', sa.String(32), nullable=False),
        sa.Column('key', sa.String(128), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('scope', 'key', 'window_start', name=op.f('pk_rate_limit_counts')),
    )


def downgrade() -> None:
    op.drop_table('rate_limit_counts')
    op.drop_table('session_ratings')
    with op.batch_alter_table('devices') as batch:
        batch.drop_column('bundle_key_secret_id')
        batch.drop_column('bundle_key_wrapped')
        batch.drop_column('revoked_at')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('token_generation')
