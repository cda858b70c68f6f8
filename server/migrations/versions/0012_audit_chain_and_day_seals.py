"""audit log hash chain (chain position, previous and own hash; the chain head) and the
sealed days of received ratings

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

"""
import hashlib
import json
from datetime import UTC, datetime
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

GENESIS = '0' * 64


def upgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('chain_seq', sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column('prev_hash', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('entry_hash', sa.String(length=64), nullable=True))
        batch.create_unique_constraint('uq_audit_log_chain_seq', ['chain_seq'])
    op.create_table(
        'audit_chain_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.BigInteger(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head')),
    )
    op.create_table(
        'rating_day_seals',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('seal_hash', sa.String(length=64), nullable=False),
        sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_rating_day_seals')),
    )
    _chain_existing_entries()


def _chain_existing_entries() -> None:
    """Entries written before the chain join it in id order, with the digest the server
    computes (server/audit/chain.py `entry_digest`, repeated here as it was then)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            'SELECT id, at, user_id, username, action, object_type, object_id, hall_id,'
            ' before, after FROM audit_log ORDER BY id'
        )
    ).mappings().all()
    head, seq = GENESIS, 0
    for row in rows:
        seq += 1
        digest = _digest(head, dict(row))
        bind.execute(
            sa.text(
                'UPDATE audit_log SET chain_seq = :seq, prev_hash = :prev, entry_hash = :hash'
                ' WHERE id = :id'
            ),
            {'seq': seq, 'prev': head, 'hash': digest, 'id': row['id']},
        )
        head = digest
    bind.execute(
        sa.text('INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, :seq, :hash)'),
        {'seq': seq, 'hash': head},
    )


def _digest(prev: str, row: dict) -> str:
    at = row['at']
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    body = {
        'id': row['id'],
        'at': at.strftime('%Y-%m-%dT%H:%M:%S.%fZ'),
        'user_id': row['user_id'],
        'username': row['username'],
        'action': row['action'],
        'object_type': row['object_type'],
        'object_id': row['object_id'],
        'hall_id': row['hall_id'],
        'before': _json(row['before']),
        'after': _json(row['after']),
    }
    data = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(',', ':'))
    return hashlib.sha256((prev + data).encode()).hexdigest()


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value


def downgrade() -> None:
    op.drop_table('rating_day_seals')
    op.drop_table('audit_chain_head')
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_constraint('uq_audit_log_chain_seq', type_='unique')
        batch.drop_column('entry_hash')
        batch.drop_column('prev_hash')
        batch.drop_column('chain_seq')
