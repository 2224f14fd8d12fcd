"""Conduct incidents, their reviews and restrictions (POLICY R4-R6). Nothing here is deleted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db
from academy.scheduling.policy import Measure


class IncidentCategory(StrEnum):
    OFFENSIVE_LANGUAGE = "offensive_language"
    PERSONAL_ATTACK = "personal_attack"
    HARASSMENT = "harassment"
    OTHER = "other"


class Incident(db.Model):
    """R4: reported by a staff member, with evidence; nothing happens until it is reviewed."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    category: Mapped[IncidentCategory] = mapped_column(String(24))
    description: Mapped[str] = mapped_column(Text)
    evidence_text: Mapped[str] = mapped_column(Text, default="")
    # An uploaded file, kept outside static/ and served to staff only.
    evidence_file: Mapped[str | None] = mapped_column(String(80))
    evidence_name: Mapped[str | None] = mapped_column(String(200))
    evidence_type: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    client: Mapped[User] = relationship(lazy="raise", foreign_keys=[client_id])
    reported_by: Mapped[User] = relationship(lazy="raise", foreign_keys=[reported_by_id])
    review: Mapped[IncidentReview | None] = relationship(back_populates="incident", lazy="raise")


class IncidentReview(db.Model):
    """R5: the decision on an incident, who made it, when and why; one per incident."""

    __tablename__ = "incident_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), unique=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    measure: Mapped[Measure] = mapped_column(String(20))
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    incident: Mapped[Incident] = relationship(back_populates="review", lazy="raise")
    reviewer: Mapped[User] = relationship(lazy="raise")


class Restriction(db.Model):
    """R6: the client's access to support services is blocked until `until` (or for good)."""

    __tablename__ = "restrictions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("incident_reviews.id"))
    permanent: Mapped[bool] = mapped_column(default=False)
    until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str] = mapped_column(Text, default="", server_default="")


class TermsVersion(db.Model):
    """R18: a published version of the support terms; the newest is the one in force."""

    __tablename__ = "terms_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(40), unique=True)  # e.g. "2024-03-01"
    summary: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class TermsAcceptance(db.Model):
    """R18: which version a client accepted, and when."""

    __tablename__ = "terms_acceptances"
    __table_args__ = (UniqueConstraint("user_id", "version_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("terms_versions.id"))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


# --- The support inbox (POLICY R1, R3) -----------------------------------------------------------


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
