"""live chat with the customer success team: conversations, messages, presence, hours; a chat
message quoted as conduct evidence

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:00:00
"""

import sqlalchemy as sa
from alembic import op

from academy.core.types import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "chat_conversations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_answer_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.String(length=12), nullable=False),
        sa.Column("transcript_sent_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("feedback_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_chat_conversations_client_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_chat_conversations_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["feedback_id"],
            ["feedback_items.id"],
            name=op.f("fk_chat_conversations_feedback_id_feedback_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_conversations")),
    )
    op.create_index(op.f("ix_chat_conversations_client_id"), "chat_conversations", ["client_id"])
    op.create_index(
        op.f("ix_chat_conversations_assignee_id"), "chat_conversations", ["assignee_id"]
    )
    op.create_index(
        "ix_chat_conversations_status_created", "chat_conversations", ["status", "created_at"]
    )
    op.create_table(
        "chat_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("from_staff", sa.Boolean(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=True),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("content_type", sa.String(length=80), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["chat_conversations.id"],
            name=op.f("fk_chat_messages_conversation_id_chat_conversations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_chat_messages_author_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_messages")),
    )
    op.create_index(op.f("ix_chat_messages_conversation_id"), "chat_messages", ["conversation_id"])
    op.create_table(
        "chat_presence",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_presence_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_chat_presence")),
    )
    op.create_table(
        "chat_hours",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_chat_hours_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_hours")),
        sa.UniqueConstraint("user_id", "weekday", name="uq_chat_hours_user_weekday"),
    )
    op.create_index(op.f("ix_chat_hours_user_id"), "chat_hours", ["user_id"])
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("chat_message_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quoted_author", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("quoted_at", UTCDateTime(timezone=True), nullable=True))
        batch.create_foreign_key(
            op.f("fk_incidents_chat_message_id_chat_messages"),
            "chat_messages",
            ["chat_message_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("incidents") as batch:
        batch.drop_constraint(
            op.f("fk_incidents_chat_message_id_chat_messages"), type_="foreignkey"
        )
        batch.drop_column("quoted_at")
        batch.drop_column("quoted_author")
        batch.drop_column("chat_message_id")
    op.drop_index(op.f("ix_chat_hours_user_id"), table_name="chat_hours")
    op.drop_table("chat_hours")
    op.drop_table("chat_presence")
    op.drop_index(op.f("ix_chat_messages_conversation_id"), table_name="chat_messages")
    op.drop_table("chat_messages")
    op.drop_index("ix_chat_conversations_status_created", table_name="chat_conversations")
    op.drop_index(op.f("ix_chat_conversations_assignee_id"), table_name="chat_conversations")
    op.drop_index(op.f("ix_chat_conversations_client_id"), table_name="chat_conversations")
    op.drop_table("chat_conversations")
