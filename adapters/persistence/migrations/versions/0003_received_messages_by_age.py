"""received messages by age

Revision ID: 0003
Revises: 0002
"""

from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        op.f('ix_received_messages_received_at'), 'received_messages', ['received_at'], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_received_messages_received_at'), table_name='received_messages')
