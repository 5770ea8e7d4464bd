"""agent bindings: the DHCP agent of a network, the L3 agent of a router

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('network_dhcp_agent_bindings',
    sa.Column('network_id', sa.String(length=36), nullable=False),
    sa.Column('dhcp_agent_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['dhcp_agent_id'], ['agents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['network_id'], ['networks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('network_id')
    )
    with op.batch_alter_table('network_dhcp_agent_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_network_dhcp_agent_bindings_dhcp_agent_id'), ['dhcp_agent_id'], unique=False)

    op.create_table('router_l3_agent_bindings',
    sa.Column('router_id', sa.String(length=36), nullable=False),
    sa.Column('l3_agent_id', sa.String(length=36), nullable=False),
    sa.ForeignKeyConstraint(['l3_agent_id'], ['agents.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['router_id'], ['routers.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('router_id')
    )
    with op.batch_alter_table('router_l3_agent_bindings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_router_l3_agent_bindings_l3_agent_id'), ['l3_agent_id'], unique=False)
