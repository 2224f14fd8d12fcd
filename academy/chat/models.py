"""Live chat with the customer success team (POLICY R1): conversations, their messages, and
when each staff member answers (presence and support hours)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db


class ChatStatus(StrEnum):
    WAITING = "waiting"  # nobody of the team has answered yet
    ACTIVE = "active"  # a staff member has taken it
    ENDED = "ended"


class ChatConversation(db.Model):
    __tablename__ = "chat_conversations"
    __table_args__ = (
        Index("ix_chat_conversations_status_created", "status", "created_at"),
        # One open conversation per client (a double-clicked first message: migration 0017).
        Index(
            "uq_chat_conversations_one_open",
            "client_id",
            unique=True,
            postgresql_where=text("status <> 'ended'"),
            sqlite_where=text("status <> 'ended'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The staff member it was routed to (fewest open conversations first), then who took it.
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[ChatStatus] = mapped_column(String(10), default=ChatStatus.WAITING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # client, staff or restriction (POLICY R6)
    ended_by: Mapped[str] = mapped_column(String(12), default="")
    transcript_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The client's rating (POLICY R17), kept in the one feedback table.
    feedback_id: Mapped[int | None] = mapped_column(ForeignKey("feedback_items.id"))

    client: Mapped[User] = relationship(lazy="raise", foreign_keys=[client_id])
    assignee: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[assignee_id])


class ChatMessage(db.Model):
    """Stored (committed) before it is delivered: its id is the stream's cursor."""

    __tablename__ = "chat_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("chat_conversations.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_staff: Mapped[bool] = mapped_column(default=False)
    # text, or a line from the system ("joined", "ended")
    kind: Mapped[str] = mapped_column(String(10), default="text")
    body: Mapped[str] = mapped_column(Text, default="")
    # A file, through the support attachments' checked store.
    stored_name: Mapped[str | None] = mapped_column(String(80))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User | None] = relationship(lazy="raise")


class StaffPresence(db.Model):
    """Whether a staff member takes chats now (available / away)."""

    __tablename__ = "chat_presence"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    available: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class SupportHours(db.Model):
    """A staff member's chat hours on one weekday (0 = Monday), in their own zone, as
    minutes after midnight; no row for a weekday: not on chat that day."""

    __tablename__ = "chat_hours"
    __table_args__ = (UniqueConstraint("user_id", "weekday", name="uq_chat_hours_user_weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    weekday: Mapped[int]
    start_minute: Mapped[int]
    end_minute: Mapped[int]
