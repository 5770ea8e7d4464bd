"""block device mappings keep the connection_info of their volume's attachment

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('block_device_mappings', sa.Column('connection_info', sa.Text(),
                                                     nullable=True))
