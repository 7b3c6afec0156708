"""accounts: the browser sessions listed in the profile's «Доступ» (replacing the revoked sessions)

A session cookie is accepted only while its account_session row is open, so the cookies of the
sessions signed in before this revision (they have no row) are refused: everyone signs in once more.
The revoked sessions' records are no longer needed (a cookie without a row is refused anyway).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_session',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=False),
        sa.Column('user_agent', sa.String(length=200), server_default='', nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['ab_user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_session_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_session_last_seen_at'), ['last_seen_at'], unique=False)
    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_revoked_session_revoked_at'))
    op.drop_table('revoked_session')


def downgrade():
    revoked = op.create_table(
        'revoked_session',
        sa.Column('session_id', sa.String(length=64), nullable=False),
        sa.Column('revoked_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('session_id'),
    )
    with op.batch_alter_table('revoked_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_revoked_session_revoked_at'), ['revoked_at'], unique=False)
    # the ended sessions stay refused under the older revision, which knows only the revoked ones
    sessions = sa.table('account_session', sa.column('id', sa.String), sa.column('ended_at', sa.DateTime))
    op.execute(revoked.insert().from_select(
        ['session_id', 'revoked_at'], sa.select(sessions.c.id, sessions.c.ended_at).where(sessions.c.ended_at.isnot(None))))
    with op.batch_alter_table('account_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_session_last_seen_at'))
        batch_op.drop_index(batch_op.f('ix_account_session_user_id'))
    op.drop_table('account_session')
