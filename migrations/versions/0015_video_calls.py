"""video calls: who called whom about which request, and each callee's answer (issue 14)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'video_call',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('caller_id', sa.Integer(), nullable=False),
        sa.Column('target', sa.String(length=12), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['caller_id'], ['ab_user.id']),
        sa.ForeignKeyConstraint(['request_id'], ['consultation_request.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('video_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_call_caller_id'), ['caller_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_call_request_id'), ['request_id'], unique=False)
        batch_op.create_index('ix_video_call_unsettled', ['settled_at', 'expires_at'], unique=False)
    op.create_table(
        'video_callee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('call_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['call_id'], ['video_call.id']),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('call_id', 'user_id', name='uq_video_callee'),
    )
    with op.batch_alter_table('video_callee', schema=None) as batch_op:
        batch_op.create_index('ix_video_callee_user_state', ['user_id', 'state'], unique=False)


def downgrade():
    with op.batch_alter_table('video_callee', schema=None) as batch_op:
        batch_op.drop_index('ix_video_callee_user_state')
    op.drop_table('video_callee')
    with op.batch_alter_table('video_call', schema=None) as batch_op:
        batch_op.drop_index('ix_video_call_unsettled')
        batch_op.drop_index(batch_op.f('ix_video_call_request_id'))
        batch_op.drop_index(batch_op.f('ix_video_call_caller_id'))
    op.drop_table('video_call')
