"""The support terms' versions and their acceptances (POLICY R18)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.core.versions import watch
from academy.extensions import db


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


# A new version changes the terms page (cached for visitors, academy.core.caching).
watch("terms", "terms_versions")
