"""e-mail switches per group of request events

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_muted', sa.String(length=200), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_column('email_muted')
