"""video: the sessions of a request's room and who was in them

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'video_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('request_id', sa.Integer(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['request_id'], ['consultation_request.id']),
        sa.ForeignKeyConstraint(['started_by_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('video_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_session_request_id'), ['request_id'], unique=False)
        batch_op.create_index('uq_video_session_open', ['request_id'], unique=True,
                              sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
    op.create_table(
        'video_presence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('left_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['session_id'], ['video_session.id']),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('video_presence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_presence_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_presence_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_video_presence_last_seen_at'), ['last_seen_at'], unique=False)


def downgrade():
    op.drop_table('video_presence')
    op.drop_table('video_session')
