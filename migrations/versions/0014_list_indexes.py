"""indexes for the lists that EXPLAIN showed scanning a whole table at scale

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 11:10:00
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_users_role_name", "users", ["role", "name"])
    op.create_index("ix_feedback_items_created", "feedback_items", ["created_at", "id"])


def downgrade():
    op.drop_index("ix_feedback_items_created", table_name="feedback_items")
    op.drop_index("ix_users_role_name", table_name="users")
