"""Feedback (POLICY R17): every rating and comment a client or visitor leaves, in one table.

General feedback from the feedback form and the ratings left on a 1:1 session, a workshop,
a course, a lesson or a help article all land here, so staff triage them in one place.
`subject_title` keeps what the item was about at the time it was written (a workshop's
title and date, a course's title), so the triage list needs no join per kind; the foreign
key columns link back to the thing itself where it still exists.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db


class FeedbackKind(StrEnum):
    GENERAL = "general"
    SESSION = "session"
    WORKSHOP = "workshop"
    COURSE = "course"
    LESSON = "lesson"
    ARTICLE = "article"
    CHAT = "chat"  # a conversation with the team (academy.chat), rated when it ends


class FeedbackStatus(StrEnum):
    NEW = "new"
    IN_REVIEW = "in_review"
    PLANNED = "planned"
    ANSWERED = "answered"
    CLOSED = "closed"


class FeedbackItem(db.Model):
    __tablename__ = "feedback_items"
    __table_args__ = (
        CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
        Index("ix_feedback_items_status_created", "status", "created_at"),
        Index("ix_feedback_items_created", "created_at", "id"),  # the triage, newest first
        # One rating per booking, hence per client (POLICY R17): only ratings name a booking.
        UniqueConstraint("booking_id", name="uq_feedback_items_booking_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FeedbackKind] = mapped_column(String(12), index=True)
    # A client, or a visitor who is not logged in and left an email address.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    category: Mapped[str] = mapped_column(String(20), default="")
    rating: Mapped[int | None]
    message: Mapped[str] = mapped_column(Text, default="")
    subject_title: Mapped[str] = mapped_column(String(300), default="")
    # What a rating is about (the kind says which of these is set).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"))
    occurrence_id: Mapped[int | None] = mapped_column(ForeignKey("occurrences.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id"), index=True)
    lesson_id: Mapped[int | None] = mapped_column(ForeignKey("lessons.id"), index=True)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("help_articles.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    # Staff triage.
    status: Mapped[FeedbackStatus] = mapped_column(String(12), default=FeedbackStatus.NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[user_id])
    assignee: Mapped[User | None] = relationship(lazy="raise", foreign_keys=[assignee_id])


class FeedbackNote(db.Model):
    """An internal note on a feedback item: staff only, never shown to the client."""

    __tablename__ = "feedback_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("feedback_items.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User] = relationship(lazy="raise")
