"""history indexes ending in the keyset cursor's (created_at, id)

Revision ID: 0005
Revises: 0004
"""

from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_partner_id_client_id_created_at'))
        batch_op.create_index(
            batch_op.f('ix_exports_partner_id_client_id_created_at_id'),
            ['partner_id', 'client_id', 'created_at', 'id'],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f('ix_exports_partner_id_client_id_status_created_at_id'),
            ['partner_id', 'client_id', 'status', 'created_at', 'id'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('exports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exports_partner_id_client_id_status_created_at_id'))
        batch_op.drop_index(batch_op.f('ix_exports_partner_id_client_id_created_at_id'))
        batch_op.create_index(
            batch_op.f('ix_exports_partner_id_client_id_created_at'),
            ['partner_id', 'client_id', 'created_at'],
            unique=False,
        )
