"""The support inbox: requests, their messages and attachments (POLICY R1, R3)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db


class RequestStatus(StrEnum):
    OPEN = "open"  # waiting for staff
    PENDING = "pending"  # waiting for the client
    SOLVED = "solved"
    CLOSED = "closed"


class SupportRequest(db.Model):
    """A request to the support inbox, from the web form or by email; R3's clock runs on it."""

    __tablename__ = "support_requests"
    __table_args__ = (Index("ix_support_requests_status_due", "status", "first_response_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The client; None for an email from an unknown sender until staff match it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    from_email: Mapped[str] = mapped_column(String(254), default="")
    from_name: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(String(10), default="web")  # web or email
    # The Message-ID of the email it came from: importing a mailbox twice files it once.
    message_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    status: Mapped[RequestStatus] = mapped_column(String(10), default=RequestStatus.OPEN)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    first_response_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    user: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[user_id])
    assignee: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[assignee_id])
    messages: Mapped[list[SupportMessage]] = relationship(
        back_populates="request", lazy="raise", order_by="SupportMessage.id"
    )


class SupportMessage(db.Model):
    """One message of a request's thread: the client's (or sender's) or a staff reply."""

    __tablename__ = "support_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_staff: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    # The Message-ID of the email it came from (a request's first message, or a client's
    # emailed reply): importing a mailbox twice files each message once.
    email_message_id: Mapped[str | None] = mapped_column(String(300), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    request: Mapped[SupportRequest] = relationship(back_populates="messages", lazy="raise")
    author: Mapped[User | None] = relationship(lazy="raise")
    attachments: Mapped[list[SupportAttachment]] = relationship(
        lazy="raise", order_by="SupportAttachment.id"
    )


class SupportAttachment(db.Model):
    """A file sent with a message: stored outside static/, served to its owner and staff."""

    __tablename__ = "support_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("support_messages.id"), index=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("support_requests.id"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(default=0)
