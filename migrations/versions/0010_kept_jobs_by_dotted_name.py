"""kept jobs are named by their function's dotted path

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 20:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PREFIX = "app.jobs.tasks."


def upgrade():
    # jobs kept while Redis was down before this release were named by the function alone
    op.execute(f"UPDATE job_outbox SET task = '{PREFIX}' || task WHERE task NOT LIKE '%.%'")


def downgrade():
    op.execute(f"UPDATE job_outbox SET task = substr(task, {len(PREFIX) + 1}) WHERE task LIKE '{PREFIX}%'")
