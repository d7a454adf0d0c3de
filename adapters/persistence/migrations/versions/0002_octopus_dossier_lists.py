"""octopus dossier lists

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('octopus_dossier_lists',
    sa.Column('partner_id', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_octopus_dossier_lists'))
    )


def downgrade() -> None:
    op.drop_table('octopus_dossier_lists')
