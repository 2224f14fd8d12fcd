"""chat: one open conversation per client

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 13:10:00

A double-clicked first message inserted two open conversations: a partial unique index on
the client's open conversations makes the database refuse the second (the service then posts
into the first). Older duplicates, should there be any, are ended first (the newest stays
open: it is the one the widget showed).
"""

import sqlalchemy as sa

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE chat_conversations SET status = 'ended', ended_by = 'duplicate', "
        "ended_at = created_at WHERE status <> 'ended' AND id NOT IN "
        "(SELECT max(id) FROM chat_conversations WHERE status <> 'ended' GROUP BY client_id)"
    )
    op.create_index(
        "uq_chat_conversations_one_open",
        "chat_conversations",
        ["client_id"],
        unique=True,
        postgresql_where=sa.text("status <> 'ended'"),
        sqlite_where=sa.text("status <> 'ended'"),
    )


def downgrade():
    op.drop_index("uq_chat_conversations_one_open", table_name="chat_conversations")
