"""patient identity mismatches for the МО administrator

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 15:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


# 0002 left the unique constraints unnamed: PostgreSQL called them <table>_<column>_key; on SQLite
# the batch copy names them by this convention so that they can be dropped
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _unique_name(column: str) -> str:
    return f"uq_patient_{column}" if op.get_bind().dialect.name == "sqlite" else f"patient_{column}_key"


def upgrade():
    op.create_table('patient_identity_mismatch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('matched_by', sa.String(length=30), nullable=False),
    sa.Column('differences', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['medical_organization.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['consultation_request.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('patient_identity_mismatch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_identity_mismatch_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_identity_mismatch_request_id'), ['request_id'], unique=False)

    # a number typed with other data gets its own patient row: the numbers are no longer unique
    with op.batch_alter_table('patient', schema=None, naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint(_unique_name('snils'), type_='unique')
        batch_op.drop_constraint(_unique_name('oms_policy'), type_='unique')
        batch_op.create_index(batch_op.f('ix_patient_snils'), ['snils'], unique=False)
        batch_op.create_index(batch_op.f('ix_patient_oms_policy'), ['oms_policy'], unique=False)


def downgrade():
    # fails while two patient rows share a number: merge them first
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_oms_policy'))
        batch_op.drop_index(batch_op.f('ix_patient_snils'))
        batch_op.create_unique_constraint(_unique_name('oms_policy'), ['oms_policy'])
        batch_op.create_unique_constraint(_unique_name('snils'), ['snils'])

    with op.batch_alter_table('patient_identity_mismatch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patient_identity_mismatch_request_id'))
        batch_op.drop_index(batch_op.f('ix_patient_identity_mismatch_organization_id'))

    op.drop_table('patient_identity_mismatch')
