"""phone rating and receipts: receipt codes, published replies, spent phone tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('receipt_code', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_ratings_receipt_code'), ['receipt_code'], unique=False)

    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_reply_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('mobile_token_uses',
    sa.Column('token_id', sa.String(length=32), nullable=False),
    sa.Column('counter_id', sa.String(length=64), nullable=False),
    sa.Column('rating_id', sa.String(length=36), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['counter_id'], ['counters.id'], name=op.f('fk_mobile_token_uses_counter_id_counters')),
    sa.ForeignKeyConstraint(['rating_id'], ['ratings.id'], name=op.f('fk_mobile_token_uses_rating_id_ratings')),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_mobile_token_uses'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('mobile_token_uses')
    with op.batch_alter_table('alerts', schema=None) as batch_op:
        batch_op.drop_column('public_reply_at')
        batch_op.drop_column('public_reply')

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ratings_receipt_code'))
        batch_op.drop_column('receipt_code')
