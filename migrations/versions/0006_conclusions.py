"""conclusions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 01:00:54.306687

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('conclusion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('condition', sa.Text(), nullable=False),
    sa.Column('diagnosis_code', sa.String(length=10), nullable=False),
    sa.Column('diagnosis_text', sa.String(length=500), nullable=False),
    sa.Column('concomitant', sa.Text(), nullable=False),
    sa.Column('recommendations_diagnostics', sa.Text(), nullable=False),
    sa.Column('recommendations_treatment', sa.Text(), nullable=False),
    sa.Column('recommendations_transfer', sa.Text(), nullable=False),
    sa.Column('recommendations_in_person', sa.Text(), nullable=False),
    sa.Column('documents_reviewed', sa.Text(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=False),
    sa.Column('pdf_document_id', sa.Integer(), nullable=True),
    sa.Column('docx_document_id', sa.Integer(), nullable=True),
    sa.Column('scan_document_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('rendered_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['ab_user.id'], ),
    sa.ForeignKeyConstraint(['docx_document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['pdf_document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['consultation_request.id'], ),
    sa.ForeignKeyConstraint(['scan_document_id'], ['document.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id')
    )
    op.create_table('signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conclusion_id', sa.Integer(), nullable=False),
    sa.Column('signed_document_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('signer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=1000), nullable=False),
    sa.Column('issuer', sa.String(length=1000), nullable=False),
    sa.Column('serial', sa.String(length=128), nullable=False),
    sa.Column('algorithm', sa.String(length=50), nullable=False),
    sa.Column('signing_time', sa.DateTime(), nullable=True),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conclusion_id'], ['conclusion.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['signed_document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['ab_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signature_conclusion_id'), ['conclusion_id'], unique=False)



def downgrade():
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_conclusion_id'))

    op.drop_table('signature')
    op.drop_table('conclusion')
