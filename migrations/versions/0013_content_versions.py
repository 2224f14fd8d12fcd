"""content versions: counters that let workers keep rarely-changing content in memory

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        "content_versions",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_content_versions")),
    )
    op.bulk_insert(table, [{"name": n, "version": 0} for n in ("plans", "help", "terms")])


def downgrade():
    op.drop_table("content_versions")
