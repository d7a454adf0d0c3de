"""refused mailboxes, held exports, delivery reports, backfills and the outbox's lanes

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa

from adapters.persistence.types import MailboxRefusalType, UtcDateTime


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

WAITING = "status = 'failed' OR held IS NOT NULL"
REFUSED = "mailbox_refusal IS NOT NULL"
RUNNING = "state = 'running'"


def upgrade() -> None:
    with op.batch_alter_table('client_integrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox_refusal', MailboxRefusalType(), nullable=True))
        batch_op.create_index(
            'ix_client_integrations_refused',
            ['partner_id'],
            postgresql_where=sa.text(REFUSED),
            sqlite_where=sa.text(REFUSED),
        )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('held', sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column('origin', sa.String(length=32), server_default='event', nullable=False)
        )
        batch_op.create_index(
            'ix_exports_waiting',
            ['partner_id', 'client_id', 'created_at'],
            postgresql_where=sa.text(WAITING),
            sqlite_where=sa.text(WAITING),
        )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lane', sa.SmallInteger(), server_default=sa.text('0'), nullable=False))
        batch_op.create_index(batch_op.f('ix_outbox_lane_available_at'), ['lane', 'available_at'])
    op.create_table(
        'delivery_reports',
        sa.Column('export_id', sa.String(length=36), nullable=False),
        sa.Column('action', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('received_at', UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['export_id'],
            ['exports.id'],
            name=op.f('fk_delivery_reports_export_id_exports'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint(
            'export_id', 'action', 'status', 'recipient', name=op.f('pk_delivery_reports')
        ),
    )
    op.create_table(
        'backfills',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('partner_id', sa.String(length=200), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('first_day', sa.Date(), nullable=False),
        sa.Column('last_day', sa.Date(), nullable=False),
        sa.Column('requested_at', UtcDateTime(), nullable=False),
        sa.Column('state', sa.String(length=32), nullable=False),
        sa.Column('listed', sa.Integer(), nullable=False),
        sa.Column('queued', sa.Integer(), nullable=False),
        sa.Column('already_exported', sa.Integer(), nullable=False),
        sa.Column('ignored', sa.Integer(), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('cursor', sa.Text(), nullable=True),
        sa.Column('finished_at', UtcDateTime(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_backfills')),
    )
    op.create_index(
        'uq_backfills_running',
        'backfills',
        ['partner_id', 'client_id'],
        unique=True,
        postgresql_where=sa.text(RUNNING),
        sqlite_where=sa.text(RUNNING),
    )
    op.create_index(
        op.f('ix_backfills_partner_id_client_id_requested_at'),
        'backfills',
        ['partner_id', 'client_id', 'requested_at'],
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_backfills_partner_id_client_id_requested_at'), table_name='backfills')
    op.drop_index('uq_backfills_running', table_name='backfills')
    op.drop_table('backfills')
    op.drop_table('delivery_reports')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_lane_available_at'))
        batch_op.drop_column('lane')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index('ix_exports_waiting')
        batch_op.drop_column('origin')
        batch_op.drop_column('held')
    with op.batch_alter_table('client_integrations', schema=None) as batch_op:
        batch_op.drop_index('ix_client_integrations_refused')
        batch_op.drop_column('mailbox_refusal')
