"""Offerings, occurrences, bookings and their history: every live session goes through these."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.extensions import db


class OfferingKind(StrEnum):
    ONE_ON_ONE = "one_on_one"
    WORKSHOP = "workshop"


class WorkshopLevel(StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class Offering(db.Model):
    """A kind of live session: "Implementation session", "Quick assist", a workshop.

    A workshop is an offering with capacity > 1; its level, product area, language, default
    host and meeting link are copied to each occurrence it is scheduled at.
    """

    __tablename__ = "offerings"
    __table_args__ = (
        CheckConstraint("capacity >= 1", name="capacity_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        # The target of occurrences' (offering_id, kind) key: an occurrence's kind is its
        # offering's, by the database's word.
        UniqueConstraint("id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[OfferingKind] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    title_ro: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    description_ro: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int]
    capacity: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)
    # Workshops only.
    level: Mapped[str] = mapped_column(String(20), default="", server_default="")
    product_area: Mapped[str] = mapped_column(String(60), default="", server_default="")
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    host_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    meeting_url: Mapped[str] = mapped_column(String(500), default="", server_default="")

    host: Mapped[User | None] = relationship(lazy="raise")

    def title_in(self, language: str) -> str:
        return self.title_ro if language == "ro" and self.title_ro else self.title

    def description_in(self, language: str) -> str:
        return self.description_ro if language == "ro" and self.description_ro else self.description


class OccurrenceStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


class Occurrence(db.Model):
    """One scheduled time of an offering, with its host and meeting link."""

    __tablename__ = "occurrences"
    # A host is never in two sessions at once (POLICY R7 for 1:1 slots; workshops claim the
    # host's time too): the database compares absolute intervals of scheduled occurrences.
    # PostgreSQL: the exclusion constraint `ex_occurrences_host_time` (tstzrange &&); SQLite:
    # triggers that abort an overlapping insert or update (writers are serialised there, so the
    # check and the write are one step). Both are made by migration 0010.
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # A workshop's capacity is never exceeded: seats are taken by a conditional UPDATE
        # (academy.scheduling.workshops) and this constraint is the database's backstop.
        CheckConstraint("seats_taken >= 0 AND seats_taken <= capacity", name="seats_within"),
        Index("ix_occurrences_host_start", "host_id", "starts_at"),
        # `kind` is the offering's, copied so that the workshop listing reads its dates in
        # order from one index instead of stepping over every 1:1 session between them (issue
        # 15). The key makes the copy exact: a wrong kind is refused, and a changed one follows.
        ForeignKeyConstraint(
            ["offering_id", "kind"], ["offerings.id", "offerings.kind"], onupdate="CASCADE"
        ),
        Index("ix_occurrences_kind_status_start", "kind", "status", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    offering_id: Mapped[int] = mapped_column(index=True)
    kind: Mapped[OfferingKind] = mapped_column(String(20))
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(default=1)
    # Confirmed places in a workshop occurrence (1:1 occurrences leave it at 0).
    seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    # The last waitlist ticket handed out: incremented in SQL, so joining the queue locks
    # this row and every client gets the next number (their place is then exact).
    queue_counter: Mapped[int] = mapped_column(default=0, server_default="0")
    # R11 for the host: their own copy of a workshop date (UID from `host_uid`), updated
    # with a higher SEQUENCE when staff move it. (A 1:1's host copy follows its booking.)
    ical_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[OccurrenceStatus] = mapped_column(String(12), default=OccurrenceStatus.SCHEDULED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    offering: Mapped[Offering] = relationship(
        primaryjoin="Offering.id == Occurrence.offering_id",
        foreign_keys=[offering_id],
        lazy="raise",
    )
    host: Mapped[User] = relationship(lazy="raise")

    @validates("offering")
    def _copy_kind(self, _key: str, offering: Offering) -> Offering:
        self.kind = offering.kind
        return offering

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.seats_taken, 0)

    @property
    def host_uid(self) -> str:
        """The calendar UID of the host's copy of this date: stable for the row's life."""
        return f"occurrence-{self.id}-{self.created_at:%Y%m%d%H%M%S}@academy.taxdome.com"


class Outcome(StrEnum):
    ATTENDED = "attended"
    NO_SHOW = "no_show"
    INTERRUPTED = "interrupted"  # R13: unresponsive for more than five minutes


class NoShowSource(StrEnum):
    ABSENT = "absent"  # marked by staff after the start (R12)
    LATE_CHANGE = "late_change"  # rescheduled or cancelled with less than 24 h notice (R10)


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"  # a full workshop; promoted in queue order when a seat frees
    CANCELLED = "cancelled"


def _uid() -> str:
    return f"{uuid.uuid4()}@academy.taxdome.com"


class Booking(db.Model):
    """A client's place in an occurrence. Changed only by academy.scheduling.services, each
    change a compare-and-set on the status and SEQUENCE it read (ARCHITECTURE 5)."""

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("occurrences.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    status: Mapped[BookingStatus] = mapped_column(String(12), default=BookingStatus.CONFIRMED)
    note: Mapped[str] = mapped_column(Text, default="")
    # R11: one calendar event per booking: the same UID for its whole life, SEQUENCE rising.
    ical_uid: Mapped[str] = mapped_column(String(120), unique=True, default=_uid)
    ical_sequence: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Waitlist: when the client joined the queue of a full workshop, and their ticket, which
    # orders the queue (occurrences.queue_counter hands them out one at a time).
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queue_ticket: Mapped[int | None] = mapped_column()
    # Attendance, marked by staff after the start (R12, R13).
    outcome: Mapped[Outcome | None] = mapped_column(String(12))
    outcome_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    outcome_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # R15: a fee owed for this session (whole currency units); no payment is taken here.
    fee_owed: Mapped[int | None] = mapped_column()

    occurrence: Mapped[Occurrence] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])
    events: Mapped[list[BookingEvent]] = relationship(
        back_populates="booking", lazy="raise", order_by="BookingEvent.id"
    )


class BookingEventKind(StrEnum):
    BOOKED = "booked"
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"
    RESCHEDULED = "rescheduled"
    CANCELLED = "cancelled"


class BookingEvent(db.Model):
    """The history of a booking; never updated or deleted.

    `late` records a reschedule or cancellation with less than 24 hours' notice (POLICY
    R10), which the attendance ledger counts as a no-show (R12).
    """

    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), index=True)
    kind: Mapped[BookingEventKind] = mapped_column(String(12))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(12))  # account, email, staff
    from_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    to_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    late: Mapped[bool] = mapped_column(default=False)

    booking: Mapped[Booking] = relationship(back_populates="events", lazy="raise")


# --- When hosts can take 1:1 sessions ----------------------------------------------------------


class AvailabilityWindow(db.Model):
    """Weekly hours: on `weekday` (0 = Monday) from `start` to `end`, in the host's zone."""

    __tablename__ = "availability_windows"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
        CheckConstraint("end_time > start_time", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]
    start_time: Mapped[time]
    end_time: Mapped[time]


class DayOff(db.Model):
    """A date (in the host's zone) on which the host offers no slots."""

    __tablename__ = "days_off"
    __table_args__ = (UniqueConstraint("host_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]
    reason: Mapped[str] = mapped_column(String(200), default="")


# --- Attendance and no-shows (POLICY R12-R16) -----------------------------------------------------


class NoShow(db.Model):
    """One counted no-show (R12); excusing it keeps the row, it only stops counting."""

    __tablename__ = "no_shows"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # One no-show per booking, whatever marks it: the database keeps it so.
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id"), unique=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[NoShowSource] = mapped_column(String(12))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    excused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    excuse_reason: Mapped[str] = mapped_column(Text, default="")

    booking: Mapped[Booking] = relationship(lazy="raise")
    user: Mapped[User] = relationship(lazy="raise", foreign_keys=[user_id])


class Notice(db.Model):
    """A message in the client's account (R14 warning, R15 penalty), beside its email."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    dismissed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
