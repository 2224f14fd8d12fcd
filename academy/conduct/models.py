"""Conduct incidents, their reviews and restrictions (POLICY R4-R6). Nothing here is deleted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
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
    # A chat message quoted as evidence (academy.chat): kept as it was, who wrote it and when.
    chat_message_id: Mapped[int | None] = mapped_column(ForeignKey("chat_messages.id"))
    quoted_author: Mapped[str | None] = mapped_column(String(200))
    quoted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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
