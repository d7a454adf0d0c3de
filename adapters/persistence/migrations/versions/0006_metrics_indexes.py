"""metrics indexes: the open exports counted and the last hour's deliveries timed, at any size

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

OPEN = "status IN ('queued', 'failed')"


def upgrade() -> None:
    op.create_index(
        'ix_exports_open_status',
        'exports',
        ['status'],
        postgresql_where=sa.text(OPEN),
        sqlite_where=sa.text(OPEN),
    )
    op.create_index(op.f('ix_exports_delivered_at'), 'exports', ['delivered_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_exports_delivered_at'), table_name='exports')
    op.drop_index('ix_exports_open_status', table_name='exports')
