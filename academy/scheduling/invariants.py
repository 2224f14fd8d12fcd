"""`flask scheduling check`: what must always be true of seats, host time and reminders.

Each check is one query that returns the rows breaking it, so an operator can run it on a live
database at any time (it only reads) and the race tests run it after every attack.
"""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased

from academy.core.clock import now
from academy.extensions import db
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling.messages import TIMED_KINDS
from academy.scheduling.models import Booking, BookingStatus, Occurrence, OccurrenceStatus

scheduling_cli = AppGroup("scheduling", help="The scheduling module's data.")

LIVE = (OutboxStatus.PENDING, OutboxStatus.SENDING)


def _confirmed_count():
    return (
        select(func.count(Booking.id))
        .where(Booking.occurrence_id == Occurrence.id, Booking.status == BookingStatus.CONFIRMED)
        .correlate(Occurrence)
        .scalar_subquery()
    )


def problems() -> list[str]:
    """Everything that breaks an invariant, as sentences; empty when all is well."""
    found: list[str] = []
    confirmed = _confirmed_count()

    # Seats: the counter is the confirmed registrations, within capacity (workshops).
    for occ_id, taken, capacity, real in db.session.execute(
        select(Occurrence.id, Occurrence.seats_taken, Occurrence.capacity, confirmed).where(
            Occurrence.capacity > 1,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            (Occurrence.seats_taken != confirmed) | (Occurrence.seats_taken > Occurrence.capacity),
        )
    ):
        found.append(
            f"occurrence {occ_id}: seats_taken {taken} but {real} confirmed (capacity {capacity})"
        )

    # A cancelled date has nobody confirmed on it.
    for occ_id, real in db.session.execute(
        select(Occurrence.id, confirmed).where(
            Occurrence.status == OccurrenceStatus.CANCELLED, confirmed > 0
        )
    ):
        found.append(f"occurrence {occ_id} is cancelled but has {real} confirmed bookings")

    # A 1:1 time is held for exactly one confirmed client (R7): not for a cancelled booking.
    for occ_id, real in db.session.execute(
        select(Occurrence.id, confirmed).where(
            Occurrence.capacity == 1,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            confirmed != 1,
        )
    ):
        found.append(f"1:1 occurrence {occ_id} holds the host's time with {real} confirmed")

    # Nobody waits while a seat is free on a date still ahead.
    waiting = (
        select(func.count(Booking.id))
        .where(Booking.occurrence_id == Occurrence.id, Booking.status == BookingStatus.WAITLISTED)
        .correlate(Occurrence)
        .scalar_subquery()
    )
    for occ_id, n in db.session.execute(
        select(Occurrence.id, waiting).where(
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.starts_at > now(),
            Occurrence.seats_taken < Occurrence.capacity,
            waiting > 0,
        )
    ):
        found.append(f"occurrence {occ_id} has free seats and {n} waiting")

    # A host is never in two sessions at once.
    other = aliased(Occurrence)
    for a, b, host in db.session.execute(
        select(Occurrence.id, other.id, Occurrence.host_id)
        .join(
            other,
            and_(
                other.host_id == Occurrence.host_id,
                other.id > Occurrence.id,
                other.status == OccurrenceStatus.SCHEDULED,
                other.starts_at < Occurrence.ends_at,
                Occurrence.starts_at < other.ends_at,
            ),
        )
        .where(Occurrence.status == OccurrenceStatus.SCHEDULED)
    ):
        found.append(f"host {host} has overlapping occurrences {a} and {b}")

    # No reminder waits for a booking that no longer wants it (R8): cancelled or waiting.
    for msg_id, booking_id, status in db.session.execute(
        select(OutboxMessage.id, Booking.id, Booking.status)
        .join(Booking, Booking.id == OutboxMessage.booking_id)
        .where(
            OutboxMessage.kind.in_(TIMED_KINDS),
            OutboxMessage.status.in_(LIVE),
            Booking.status != BookingStatus.CONFIRMED,
        )
    ):
        found.append(f"outbox {msg_id} is still to be sent for {status} booking {booking_id}")

    # ... nor for a time the booking no longer has (R8: a moved session, the new time only).
    for msg_id, booking_id in db.session.execute(
        select(OutboxMessage.id, Booking.id)
        .join(Booking, Booking.id == OutboxMessage.booking_id)
        .join(Occurrence, Occurrence.id == Booking.occurrence_id)
        .where(
            OutboxMessage.kind == "booking_reminder",
            OutboxMessage.status.in_(LIVE),
            OutboxMessage.due_at >= Occurrence.starts_at,
        )
    ):
        found.append(f"outbox {msg_id} reminds booking {booking_id} after its session starts")

    # Each reminder exists once per booking and time (the dedupe key is unique; a reminder
    # of an earlier SEQUENCE must have been withdrawn).
    for booking_id, due, n in db.session.execute(
        select(OutboxMessage.booking_id, OutboxMessage.due_at, func.count())
        .where(OutboxMessage.kind.in_(TIMED_KINDS), OutboxMessage.status.in_(LIVE))
        .group_by(OutboxMessage.booking_id, OutboxMessage.channel, OutboxMessage.due_at)
        .having(func.count() > 1)
    ):
        found.append(f"booking {booking_id} has {n} live reminders due at {due}")

    # The waitlist's tickets: one each, unique per date.
    for booking_id in db.session.scalars(
        select(Booking.id).where(
            Booking.status == BookingStatus.WAITLISTED, Booking.queue_ticket.is_(None)
        )
    ):
        found.append(f"waitlisted booking {booking_id} has no ticket")
    for occ_id, ticket, n in db.session.execute(
        select(Booking.occurrence_id, Booking.queue_ticket, func.count())
        .where(Booking.status == BookingStatus.WAITLISTED)
        .group_by(Booking.occurrence_id, Booking.queue_ticket)
        .having(func.count() > 1)
    ):
        found.append(f"occurrence {occ_id}: waitlist ticket {ticket} given {n} times")
    return found


@scheduling_cli.command("check")
def check_command() -> None:
    """Check the invariants of seats, host time and reminders; exit 1 if any is broken."""
    found = problems()
    for line in found:
        click.echo(line)
    if found:
        click.echo(f"{len(found)} problem(s) found", err=True)
        sys.exit(1)
    click.echo("scheduling data is consistent")
