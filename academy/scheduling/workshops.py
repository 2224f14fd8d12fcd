"""Workshops: register, change to another date, and staff scheduling, moving or cancelling a date.

A workshop is an offering with capacity > 1. The terms apply as to 1:1 sessions, through the
same checks (access.can_use: R2, R5, R6, R15, R18), the same policy (change_decision R10,
reminders R8) and the same notifications (R9, R11); cancelling a registration is
`services.cancel`. Seats and the waitlist are `academy.scheduling.seats`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.extensions import db
from academy.scheduling import seats
from academy.scheduling.access import can_use, facts_for
from academy.scheduling.bookings import (
    add_event,
    booking_query,
    changed,
    check_change,
    lock_occurrences,
    reload,
    transition,
)
from academy.scheduling.messages import (
    notify_booked,
    notify_date,
    notify_occurrence_cancelled,
    notify_waitlisted,
)
from academy.scheduling.models import (
    Booking,
    BookingEventKind,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import Channel
from academy.scheduling.services import SlotTaken, flush_host_time, record_move


def _refuse(decision: Decision) -> NoReturn:
    raise DomainError(explain(decision))


def _already_registered() -> DomainError:
    return DomainError(_l("You are already registered for this date."))


def register(user: User, occurrence: Occurrence, *, fee_acknowledged: bool = False) -> Booking:
    """Register `user` for a workshop date: a seat if one is left, else the waitlist.

    The checks are those of any live session (POLICY R2, R5, R6, R15, R18).
    """
    if not (decision := can_use(user, Channel.WORKSHOPS)):
        _refuse(decision)
    fee = facts_for(user).terms.fee if decision.fee_required else None
    if fee is not None and not fee_acknowledged:
        raise DomainError(_l("Please confirm that you accept the fee for this session."), "fee")
    offering = occurrence.offering
    if (
        offering.kind != OfferingKind.WORKSHOP
        or not offering.active  # an unlisted workshop takes no registrations
        or occurrence.status != OccurrenceStatus.SCHEDULED
    ):
        raise DomainError(_l("This workshop date is not open for registration."))
    if occurrence.starts_at <= now():
        raise DomainError(_l("This workshop has already started."))
    existing = db.session.scalar(
        booking_query().where(Booking.occurrence_id == occurrence.id, Booking.user_id == user.id)
    )
    if existing is not None and existing.status != BookingStatus.CANCELLED:
        raise _already_registered()
    lock_occurrences(occurrence.id)
    seated = seats.take_seat(occurrence.id)
    place = (
        {"status": BookingStatus.CONFIRMED, "queued_at": None, "queue_ticket": None}
        if seated
        else {"status": BookingStatus.WAITLISTED, **seats.queue_values(occurrence.id)}
    )
    if existing is not None:  # coming back after cancelling: the same calendar event, revived
        booking = existing
        if not transition(
            booking,
            BookingStatus.CANCELLED,
            bump=True,
            cancelled_at=None,
            outcome=None,
            fee_owed=fee,
            **place,
        ):
            db.session.rollback()
            raise _already_registered()
    else:
        booking = Booking(occurrence=occurrence, user=user, fee_owed=fee, **place)
        db.session.add(booking)
        try:
            db.session.flush()
        except IntegrityError as exc:  # the same client twice at once: one registration
            db.session.rollback()
            raise _already_registered() from exc
    add_event(
        booking,
        BookingEventKind.BOOKED if seated else BookingEventKind.WAITLISTED,
        by=user,
        via="account",
        to_start=occurrence.starts_at,
    )
    if seated:
        notify_booked(booking)
    else:
        # Exact: the ticket's UPDATE holds the occurrence's row lock until this commits, so
        # every earlier ticket is already committed and counted.
        position = seats.waitlist_positions([occurrence.id], user.id).get(occurrence.id, 1)
        notify_waitlisted(booking, position)
    db.session.commit()
    return booking


def open_dates(offering_id: int, excluding: int) -> list[Occurrence]:
    """The other dates of a workshop a registration can move to (R9), soonest first."""
    return list(
        db.session.scalars(
            select(Occurrence)
            .where(
                Occurrence.offering_id == offering_id,
                Occurrence.id != excluding,
                Occurrence.status == OccurrenceStatus.SCHEDULED,
                Occurrence.starts_at > now(),
            )
            .options(selectinload(Occurrence.host))
            .order_by(Occurrence.starts_at)
            .limit(50)
        )
    )


def move_registration(
    booking: Booking, target_id: int, *, by: User, via: str, late_ok: bool = False
) -> Booking:
    """Change to another date of the same workshop (R9): a seat there, or nothing changes.

    The calendar event is the same one, updated (R11); a late change counts as a no-show
    (R10, R12), as for 1:1 sessions.
    """
    decision = check_change(booking, by, late_ok=late_ok)
    old = booking.occurrence
    target = db.session.get(Occurrence, target_id)
    if target is not None and target.id == old.id:
        raise DomainError(_l("That is already the date of this registration."), "occurrence")
    if (
        target is None
        or target.offering_id != old.offering_id
        or target.status != OccurrenceStatus.SCHEDULED
        or target.starts_at <= now()
    ):
        raise DomainError(_l("Choose one of the dates listed."), "occurrence")
    was_waiting = booking.status == BookingStatus.WAITLISTED
    earlier = db.session.scalar(
        select(Booking.status).where(
            Booking.occurrence_id == target.id, Booking.user_id == booking.user_id
        )
    )
    if earlier == BookingStatus.CANCELLED:  # its history stays; registering revives it
        raise DomainError(
            _l("You cancelled that date before: register for it again from the workshop page."),
            "occurrence",
        )
    if earlier is not None:
        raise DomainError(_l("You are already registered for that date."), "occurrence")
    lock_occurrences(old.id, target.id)
    if not seats.take_seat(target.id):
        db.session.rollback()
        raise DomainError(_l("That date has just filled up. Please choose another."), "occurrence")
    try:
        won = transition(
            booking,
            booking.status,
            bump=True,
            occurrence_id=target.id,
            status=BookingStatus.CONFIRMED,
            queued_at=None,
            queue_ticket=None,
        )
    except IntegrityError as exc:  # registered for that date in another tab just now
        db.session.rollback()
        raise DomainError(_l("You are already registered for that date."), "occurrence") from exc
    if not won:
        raise changed(booking.id)
    booking = reload(booking.id)
    # Leaving a queue for a seat elsewhere is never a late change.
    late = decision.late and not was_waiting
    record_move(booking, by=by, via=via, from_start=old.starts_at, late=late)
    if not was_waiting:
        seats.release_and_promote(old.id)
    db.session.commit()
    return booking


# --- Staff ---------------------------------------------------------------------------------------


def _host_busy() -> DomainError:
    return DomainError(
        _l("The host already has a session at that time. Choose another time or host."), "day"
    )


def _check_time(start: datetime, minutes: int) -> None:
    if start <= now():
        raise DomainError(_l("Choose a time in the future."), "day")
    if not 15 <= minutes <= 8 * 60:
        raise DomainError(_l("A workshop lasts from 15 minutes to 8 hours."), "duration")


def schedule(
    offering: Offering,
    *,
    start: datetime,
    minutes: int,
    host: User,
    capacity: int,
    meeting_url: str,
) -> Occurrence:
    """Add a date to a workshop; it takes the host's time (no 1:1 slot offered then, and
    none can be booked over it: the database compares the intervals)."""
    _check_time(start, minutes)
    if capacity < 2:
        raise DomainError(_l("A workshop has at least 2 seats."), "capacity")
    occurrence = Occurrence(
        offering=offering,
        host=host,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        capacity=capacity,
        meeting_url=meeting_url.strip(),
    )
    db.session.add(occurrence)
    try:
        flush_host_time()
    except SlotTaken as exc:
        raise _host_busy() from exc
    notify_date(occurrence, "scheduled")
    db.session.commit()
    return occurrence


def _bump_confirmed(occurrence_id: int, **values: object) -> list[Booking]:
    """Every confirmed registration of a date moves on together (a staff move or cancel):
    SEQUENCE raised in SQL, and only the rows that were still confirmed are returned, so a
    client cancelling at that instant is either cancelled by them or by us, not both."""
    ids = db.session.scalars(
        update(Booking)
        .where(Booking.occurrence_id == occurrence_id, Booking.status == BookingStatus.CONFIRMED)
        .values(ical_sequence=Booking.ical_sequence + 1, **values)
        .returning(Booking.id)
        .execution_options(synchronize_session=False)
    ).all()
    return list(
        db.session.scalars(
            booking_query()
            .where(Booking.id.in_(ids))
            .order_by(Booking.id)
            .execution_options(populate_existing=True)
        )
    )


def _lock_scheduled(occurrence: Occurrence) -> None:
    """Lock the date and read it again: refuse if it was cancelled or has started."""
    lock_occurrences(occurrence.id)
    db.session.refresh(occurrence, ["status", "starts_at", "ends_at", "seats_taken", "host_id"])
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        db.session.rollback()
        raise DomainError(_l("This date has already been cancelled."))
    if occurrence.starts_at <= now():
        db.session.rollback()
        raise DomainError(_l("This date has already started, so it can no longer be changed."))


def update_occurrence(
    occurrence: Occurrence,
    *,
    start: datetime,
    minutes: int,
    host: User,
    capacity: int,
    meeting_url: str,
    by: User,
) -> Occurrence:
    """Edit or move a date. A move sends every registrant an update of the same calendar
    event (same UID, higher SEQUENCE, R11) and an email, and their reminders follow the new
    time (R8). Staff moving a date is not the client's late change: no no-show (R10)."""
    _lock_scheduled(occurrence)
    end = start + timedelta(minutes=minutes)
    moved = (start, end) != (occurrence.starts_at, occurrence.ends_at)
    if moved:
        _check_time(start, minutes)
    if capacity < max(occurrence.seats_taken, 2):
        raise DomainError(
            _l(
                "%(count)d people already have a seat: the capacity cannot be lower.",
                count=occurrence.seats_taken,
            ),
            "capacity",
        )
    old_start, old_host = occurrence.starts_at, occurrence.host
    host_changed = host.id != old_host.id
    occurrence.capacity = capacity
    occurrence.meeting_url = meeting_url.strip()
    occurrence.host = host
    occurrence.starts_at, occurrence.ends_at = start, end
    if moved or host_changed:  # R11: the host's calendar copy gets a newer version
        occurrence.ical_sequence = Occurrence.ical_sequence + 1
    try:
        flush_host_time()
    except SlotTaken as exc:
        raise _host_busy() from exc
    seats.promote_waiting(occurrence.id)  # more seats: the queue moves up
    if moved:
        for booking in _bump_confirmed(occurrence.id):
            record_move(booking, by=by, via="staff", from_start=old_start, late=False, by_us=True)
    if host_changed:
        notify_date(occurrence, "cancelled", host=old_host)
        notify_date(occurrence, "scheduled")
    elif moved:
        notify_date(occurrence, "moved")
    db.session.commit()
    return occurrence


def cancel_occurrence(occurrence: Occurrence, *, by: User) -> int:
    """Cancel a date: every registrant gets a CANCEL of the event and an apology, pending
    reminders are withdrawn (R8, R11); nobody is charged a no-show. Returns how many were
    registered."""
    _lock_scheduled(occurrence)
    at = now()
    occurrence.status = OccurrenceStatus.CANCELLED
    occurrence.seats_taken = 0
    occurrence.ical_sequence = Occurrence.ical_sequence + 1
    db.session.flush()
    notify_date(occurrence, "cancelled")
    confirmed = _bump_confirmed(occurrence.id, status=BookingStatus.CANCELLED, cancelled_at=at)
    for booking in confirmed:
        add_event(
            booking,
            BookingEventKind.CANCELLED,
            by=by,
            via="staff",
            from_start=occurrence.starts_at,
        )
        notify_occurrence_cancelled(booking)
    db.session.execute(
        update(Booking)
        .where(
            Booking.occurrence_id == occurrence.id,
            Booking.status == BookingStatus.WAITLISTED,
        )
        .values(status=BookingStatus.CANCELLED, cancelled_at=at, queue_ticket=None)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return len(confirmed)
