"""Invitations to a firm, requests to join it by email domain, and learning an owner assigns
(issue 17). Roles and the membership history live with the users (accounts.models)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import Firm, User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.courses.models import Course
from academy.extensions import db


class Invitation(db.Model):
    """One emailed invitation. Its link is signed and expires; the row makes it single-use
    (`used_at`, set by a compare-and-set) and revocable. While pending it holds a seat."""

    __tablename__ = "firm_invitations"
    __table_args__ = (
        Index("ix_firm_invitations_firm_pending", "firm_id", "used_at", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"))
    email: Mapped[str] = mapped_column(String(254), index=True)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    firm: Mapped[Firm] = relationship(lazy="raise")
    invited_by: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[invited_by_id])

    def pending(self, at: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > at


class JoinRequest(db.Model):
    """A sign-up from a firm's email domain asks to join; an owner approves or declines."""

    __tablename__ = "firm_join_requests"
    __table_args__ = (UniqueConstraint("firm_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved: Mapped[bool | None] = mapped_column()

    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class Assignment(db.Model):
    """A course an owner asks a member to complete by a date. Done is the course's
    certificate; its two reminders (soon, overdue) are outbox rows, withdrawn when done."""

    __tablename__ = "course_assignments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        Index("ix_course_assignments_firm", "firm_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firms.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    course: Mapped[Course] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
