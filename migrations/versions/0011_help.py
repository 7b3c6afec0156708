"""«Помощь»: the FAQ and the search index over it and the guide

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('help_article',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.String(length=300), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('help_search_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source', 'key', name='uq_help_search_entry')
    )
    if op.get_bind().dialect.name == "postgresql":
        # the expression app/help/search.py matches: the same text, the same configuration
        op.execute("CREATE INDEX ix_help_search_entry_tsv ON help_search_entry "
                   "USING gin (to_tsvector('russian', title || ' ' || body))")
    else:
        # SQLite: the words already stemmed by app/help/search.py (snowball, Russian), rowid = the entry's id
        op.execute("CREATE VIRTUAL TABLE help_search_fts USING fts5(title, body, tokenize = 'unicode61')")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_help_search_entry_tsv")
    else:
        op.execute("DROP TABLE IF EXISTS help_search_fts")
    op.drop_table('help_search_entry')
    op.drop_table('help_article')
