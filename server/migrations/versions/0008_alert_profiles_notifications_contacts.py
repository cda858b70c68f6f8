"""alert profiles and stage deadlines, escalation levels, notification channels and
outbox, citizens' call-back contacts and satisfaction

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-03

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('alerts') as batch:
        batch.add_column(sa.Column('rating_made_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column('learn_delay_s', sa.Integer(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('stage_due', sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column('escalation_level', sa.SmallInteger(), nullable=False, server_default='0')
        )
        batch.add_column(sa.Column('level_due_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('citizen_satisfied', sa.Boolean(), nullable=True))
        batch.add_column(
            sa.Column('citizen_feedback_at', sa.DateTime(timezone=True), nullable=True)
        )
    # Alerts escalated before levels existed were told to no one above: level 1 now.
    op.execute("UPDATE alerts SET escalation_level = 1 WHERE escalated")

    op.create_table(
        'alert_profiles',
        sa.Column('hall_id', sa.String(length=64), nullable=False),
        sa.Column('profile', sa.JSON(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['hall_id'], ['halls.id'], name=op.f('fk_alert_profiles_hall_id_halls')
        ),
        sa.PrimaryKeyConstraint('hall_id', name=op.f('pk_alert_profiles')),
    )
    op.create_table(
        'notification_channels',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('hall_id', sa.String(length=64), nullable=True),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('url', sa.Text(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('quiet_start', sa.String(length=5), nullable=True),
        sa.Column('quiet_end', sa.String(length=5), nullable=True),
        sa.Column('digest', sa.Boolean(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['hall_id'], ['halls.id'], name=op.f('fk_notification_channels_hall_id_halls')
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_channels')),
    )
    op.create_index(
        op.f('ix_notification_channels_hall_id'), 'notification_channels', ['hall_id']
    )
    op.create_table(
        'notification_outbox',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('dedup_key', sa.String(length=200), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('alert_id', sa.Integer(), nullable=True),
        sa.Column('event', sa.String(length=32), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ['alert_id'], ['alerts.id'], name=op.f('fk_notification_outbox_alert_id_alerts')
        ),
        sa.ForeignKeyConstraint(
            ['channel_id'],
            ['notification_channels.id'],
            name=op.f('fk_notification_outbox_channel_id_notification_channels'),
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox')),
        sa.UniqueConstraint('dedup_key', name=op.f('uq_notification_outbox_dedup_key')),
    )
    op.create_index(
        op.f('ix_notification_outbox_alert_id'), 'notification_outbox', ['alert_id']
    )
    op.create_index(
        op.f('ix_notification_outbox_channel_id'), 'notification_outbox', ['channel_id']
    )
    op.create_index(
        'ix_notification_outbox_state_next', 'notification_outbox', ['state', 'next_attempt_at']
    )
    op.create_table(
        'rating_contacts',
        sa.Column('rating_id', sa.String(length=36), nullable=False),
        sa.Column('phone_encrypted', sa.Text(), nullable=False),
        sa.Column('phone_masked', sa.String(length=16), nullable=False),
        sa.Column('consent_text', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['rating_id'], ['ratings.id'], name=op.f('fk_rating_contacts_rating_id_ratings')
        ),
        sa.PrimaryKeyConstraint('rating_id', name=op.f('pk_rating_contacts')),
    )


def downgrade() -> None:
    op.drop_table('rating_contacts')
    op.drop_index('ix_notification_outbox_state_next', table_name='notification_outbox')
    op.drop_index(op.f('ix_notification_outbox_channel_id'), table_name='notification_outbox')
    op.drop_index(op.f('ix_notification_outbox_alert_id'), table_name='notification_outbox')
    op.drop_table('notification_outbox')
    op.drop_index(op.f('ix_notification_channels_hall_id'), table_name='notification_channels')
    op.drop_table('notification_channels')
    op.drop_table('alert_profiles')
    with op.batch_alter_table('alerts') as batch:
        for column in (
            'citizen_feedback_at', 'citizen_satisfied', 'level_due_at', 'escalation_level',
            'stage_due', 'learn_delay_s', 'rating_made_at',
        ):
            batch.drop_column(column)
