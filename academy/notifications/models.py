"""The outbox: every email (and later SMS) is a row first, sent by the dispatcher."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    CANCELLED = "cancelled"


class OutboxMessage(db.Model):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10), default="email")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # The booking a message is about: its reminders are withdrawn when it changes (R8).
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    # [{"filename": ..., "content_type": "text/calendar; method=REQUEST", "content": "..."}]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # Set where a message must exist at most once (e.g. one reminder per booking and offset).
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)

    status: Mapped[OutboxStatus] = mapped_column(String(10), default=OutboxStatus.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class DispatcherBeat(db.Model):
    """One row per running dispatcher (host:pid): when it last completed a cycle, and its last
    error, so staff can see on the notification log that mail is flowing."""

    __tablename__ = "dispatcher_beats"

    name: Mapped[str] = mapped_column(String(120), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    last_cycle_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
