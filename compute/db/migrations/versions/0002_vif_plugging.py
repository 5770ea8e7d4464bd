"""vif plugging: whether each port of a server is wired, and when its guest spawned

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    # Ports recorded before this revision belong to servers already built.
    op.add_column('instance_ports', sa.Column('vif_state', sa.String(length=16),
                                              server_default='plugged', nullable=False))
    op.add_column('instances', sa.Column(
        'spawned_at', sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb')
        .with_variant(mysql.DATETIME(fsp=6), 'mysql'), nullable=True))
