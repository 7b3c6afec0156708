"""the profile's tabs: work address, photo, portal notification switches

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('work_address', sa.String(length=300)))
        batch_op.add_column(sa.Column('photo_sha256', sa.String(length=64)))
        batch_op.add_column(sa.Column('portal_muted', sa.String(length=200), server_default='', nullable=False))
        batch_op.create_index('ix_ab_user_photo_sha256', ['photo_sha256'])
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_portal', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_column('in_portal')
    with op.batch_alter_table('ab_user', schema=None) as batch_op:
        batch_op.drop_index('ix_ab_user_photo_sha256')
        batch_op.drop_column('portal_muted')
        batch_op.drop_column('photo_sha256')
        batch_op.drop_column('work_address')
