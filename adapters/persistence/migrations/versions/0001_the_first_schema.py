"""the first schema

Revision ID: 0001
Revises: 
"""

import sqlalchemy as sa
from alembic import op

import adapters.persistence.types

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('client_integrations',
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('mailboxes', adapters.persistence.types.MailboxHistoryType(), nullable=False),
    sa.Column('activation', adapters.persistence.types.ActivationHistoryType(), nullable=False),
    sa.Column('vat_number', sa.String(length=20), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', 'client_id', name=op.f('pk_client_integrations'))
    )
    op.create_table('connect_attempts',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('code_verifier', sa.String(length=128), nullable=False),
    sa.Column('return_url', sa.Text(), nullable=False),
    sa.Column('expires_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_connect_attempts'))
    )
    op.create_table('exports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('client_id', sa.String(length=200), nullable=False),
    sa.Column('document_id', sa.String(length=200), nullable=False),
    sa.Column('direction', sa.Enum('purchase', 'sales', name='direction', native_enum=False, length=32), nullable=False),
    sa.Column('kind', sa.Enum('invoice', 'creditNote', name='documentkind', native_enum=False, length=32), nullable=False),
    sa.Column('occurred_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.Enum('queued', 'delivered', 'failed', 'skipped', name='exportstatus', native_enum=False, length=32), nullable=False),
    sa.Column('mailbox', adapters.persistence.types.MailboxType(), nullable=True),
    sa.Column('skip_reason', sa.Enum('not-approval-or-sending', 'extension-inactive', 'client-inactive', 'before-activation', 'repeat', name='skipreason', native_enum=False, length=32), nullable=True),
    sa.Column('attempts', adapters.persistence.types.AttemptsType(), nullable=False),
    sa.Column('delivered_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('message_id', sa.Text(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('violations', adapters.persistence.types.ViolationsType(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exports')),
    sa.UniqueConstraint('partner_id', 'client_id', 'document_id', 'direction', name=op.f('uq_exports_partner_id_client_id_document_id_direction'))
    )
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exports_partner_id_client_id_created_at'), ['partner_id', 'client_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_exports_status_created_at'), ['status', 'created_at'], unique=False)

    op.create_table('extensions',
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('installed_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.Enum('installed', 'connected', 'needsReconnect', name='connectionstate', native_enum=False, length=32), nullable=False),
    sa.Column('activation', adapters.persistence.types.ActivationHistoryType(), nullable=False),
    sa.Column('uninstalled_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_extensions'))
    )
    op.create_table('octopus_tokens',
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_octopus_tokens'))
    )
    op.create_table('received_messages',
    sa.Column('message_id', sa.String(length=200), nullable=False),
    sa.Column('received_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('message_id', name=op.f('pk_received_messages'))
    )
    op.create_table('outbox',
    sa.Column('export_id', sa.String(length=36), nullable=False),
    sa.Column('available_at', adapters.persistence.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['export_id'], ['exports.id'], name=op.f('fk_outbox_export_id_exports')),
    sa.PrimaryKeyConstraint('export_id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_available_at'), ['available_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_available_at'))

    op.drop_table('outbox')
    op.drop_table('received_messages')
    op.drop_table('octopus_tokens')
    op.drop_table('extensions')
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_status_created_at'))
        batch_op.drop_index(batch_op.f('ix_exports_partner_id_client_id_created_at'))

    op.drop_table('exports')
    op.drop_table('connect_attempts')
    op.drop_table('client_integrations')
