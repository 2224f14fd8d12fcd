"""Workshops: register, the waitlist, and staff scheduling, moving or cancelling a date.

A workshop is an offering with capacity > 1. The terms apply as to 1:1 sessions, through the
same checks (access.can_use: R2, R5, R6, R15, R18), the same policy (change_decision R10,
reminders R8) and the same notifications (R9, R11); cancelling a registration is
`services.cancel`. What is particular to workshops is the seat count and the waitlist:

* a seat is taken by one conditional UPDATE (`seats_taken < capacity`), so however many
  requests race for the last seats, the database hands out exactly the seats there are;
* when a seat frees up, the first client in the queue is promoted in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.util import identity_key

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.extensions import db
from academy.notifications.bookings import (
    notify_booked,
    notify_occurrence_cancelled,
    notify_promoted,
    notify_waitlisted,
)
from academy.scheduling.access import can_use
from academy.scheduling.attendance import fee_for
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
    HostClaim,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import POLICY, Channel, Decision


def _refuse(decision: Decision) -> NoReturn:
    raise DomainError(explain(decision))


# --- Seats ---------------------------------------------------------------------------------------


def _expire_seats(occurrence_id: int) -> None:
    """The count changed in the database: an Occurrence already loaded reads it again."""
    loaded = db.session.identity_map.get(identity_key(Occurrence, occurrence_id))
    if loaded is not None:
        db.session.expire(loaded, ["seats_taken"])


def _take_seat(occurrence_id: int) -> bool:
    """One seat, if there is one: the UPDATE's condition is checked by the database."""
    _expire_seats(occurrence_id)
    result = db.session.execute(
        update(Occurrence)
        .where(
            Occurrence.id == occurrence_id,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.seats_taken < Occurrence.capacity,
        )
        .values(seats_taken=Occurrence.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _release_seat(occurrence_id: int) -> None:
    _expire_seats(occurrence_id)
    db.session.execute(
        update(Occurrence)
        .where(Occurrence.id == occurrence_id, Occurrence.seats_taken > 0)
        .values(seats_taken=Occurrence.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _reload(booking_id: int) -> Booking:
    from academy.scheduling.services import booking_query

    booking = db.session.scalar(
        booking_query().where(Booking.id == booking_id).execution_options(populate_existing=True)
    )
    assert booking is not None
    return booking


def promote_waiting(occurrence_id: int) -> list[Booking]:
    """Give free seats to the queue, first come first served; each promoted client gets the
    confirmation, the invite and the reminders still ahead (R8: none sent late)."""
    promoted: list[Booking] = []
    while True:
        first = db.session.scalar(
            select(Booking.id)
            .where(
                Booking.occurrence_id == occurrence_id,
                Booking.status == BookingStatus.WAITLISTED,
            )
            .order_by(Booking.queued_at, Booking.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if first is None or not _take_seat(occurrence_id):
            break
        moved = db.session.execute(
            update(Booking)
            .where(Booking.id == first, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.CONFIRMED, queued_at=None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # someone else promoted or cancelled it meanwhile
            _release_seat(occurrence_id)
            continue
        booking = _reload(first)
        db.session.add(
            BookingEvent(
                booking=booking,
                kind=BookingEventKind.PROMOTED,
                via="waitlist",
                to_start=booking.occurrence.starts_at,
            )
        )
        db.session.flush()
        notify_promoted(booking)
        promoted.append(booking)
    return promoted


def release_and_promote_at(occurrence_id: int) -> None:
    """A confirmed workshop place was given up (cancelled, or moved to another date): the
    seat goes to the queue."""
    _release_seat(occurrence_id)
    promote_waiting(occurrence_id)


# --- Clients -------------------------------------------------------------------------------------


def waitlist_positions(occurrence_ids: Iterable[int], user_id: int) -> dict[int, int]:
    """{occurrence id: the user's place in its queue (1 = next)}, in one query."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    ranked = (
        select(
            Booking.occurrence_id,
            Booking.user_id,
            func.row_number()
            .over(partition_by=Booking.occurrence_id, order_by=(Booking.queued_at, Booking.id))
            .label("position"),
        )
        .where(Booking.occurrence_id.in_(ids), Booking.status == BookingStatus.WAITLISTED)
        .subquery()
    )
    rows = db.session.execute(
        select(ranked.c.occurrence_id, ranked.c.position).where(ranked.c.user_id == user_id)
    )
    return {occurrence_id: position for occurrence_id, position in rows}


def register(user: User, occurrence: Occurrence, *, fee_acknowledged: bool = False) -> Booking:
    """Register `user` for a workshop date: a seat if one is left, else the waitlist.

    The checks are those of any live session (POLICY R2, R5, R6, R15, R18).
    """
    if not (decision := can_use(user, Channel.WORKSHOPS)):
        _refuse(decision)
    fee = fee_for(user) if getattr(decision, "fee_required", False) else None
    if fee is not None and not fee_acknowledged:
        raise DomainError(_l("Please confirm that you accept the fee for this session."), "fee")
    at = now()
    if (
        occurrence.offering.kind != OfferingKind.WORKSHOP
        or occurrence.status != OccurrenceStatus.SCHEDULED
    ):
        raise DomainError(_l("This workshop date is not open for registration."))
    if occurrence.starts_at <= at:
        raise DomainError(_l("This workshop has already started."))
    existing = db.session.scalar(
        select(Booking).where(Booking.occurrence_id == occurrence.id, Booking.user_id == user.id)
    )
    if existing is not None and existing.status != BookingStatus.CANCELLED:
        raise DomainError(_l("You are already registered for this date."))
    seated = _take_seat(occurrence.id)
    if existing is not None:  # coming back after cancelling: the same calendar event, revived
        booking = existing
        booking.ical_sequence += 1
        booking.cancelled_at = None
        booking.outcome = None
    else:
        booking = Booking(occurrence=occurrence, user=user)
        db.session.add(booking)
    booking.status = BookingStatus.CONFIRMED if seated else BookingStatus.WAITLISTED
    booking.queued_at = None if seated else at
    booking.fee_owed = fee
    db.session.add(
        BookingEvent(
            booking=booking,
            kind=BookingEventKind.BOOKED if seated else BookingEventKind.WAITLISTED,
            by_user_id=user.id,
            via="account",
            to_start=occurrence.starts_at,
        )
    )
    try:
        db.session.flush()
    except IntegrityError as exc:  # the same client twice at once: one registration
        db.session.rollback()
        raise DomainError(_l("You are already registered for this date.")) from exc
    if seated:
        notify_booked(booking)
    else:
        position = waitlist_positions([occurrence.id], user.id).get(occurrence.id, 1)
        notify_waitlisted(booking, position)
    db.session.commit()
    return booking


def move_registration(booking: Booking, target: Occurrence, *, by: User, via: str) -> Booking:
    """Change to another date of the same workshop (R9): a seat there, or nothing changes.

    The calendar event is the same one, updated (R11); a late change counts as a no-show
    (R10, R12), as for 1:1 sessions.
    """
    from academy.scheduling.services import check_change, record_move

    decision = check_change(booking)
    old = booking.occurrence
    if target.id == old.id:
        raise DomainError(_l("That is already the date of this registration."), "occurrence")
    if target.offering_id != old.offering_id or target.starts_at <= now():
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
    if not _take_seat(target.id):
        db.session.rollback()
        raise DomainError(_l("That date has just filled up. Please choose another."), "occurrence")
    booking.occurrence = target
    booking.status = BookingStatus.CONFIRMED
    booking.queued_at = None
    # Leaving a queue for a seat elsewhere is never a late change.
    late = decision.late and not was_waiting
    record_move(booking, by=by, via=via, from_start=old.starts_at, late=late)
    if not was_waiting:
        release_and_promote_at(old.id)
    db.session.commit()
    return booking


# --- Staff ---------------------------------------------------------------------------------------


def _grid_cells(start: datetime, end: datetime) -> list[datetime]:
    """The host's 30-minute grid cells a workshop overlaps, so no 1:1 slot is offered then."""
    grid = POLICY.slot_grid
    epoch = datetime(2000, 1, 1, tzinfo=start.tzinfo)
    cell = epoch + ((start - epoch) // grid) * grid
    cells = []
    while cell < end:
        cells.append(cell)
        cell += grid
    return cells


def _claim_host(occurrence: Occurrence) -> None:
    db.session.add_all(
        HostClaim(host_id=occurrence.host_id, starts_at=c, occurrence_id=occurrence.id)
        for c in _grid_cells(occurrence.starts_at, occurrence.ends_at)
    )
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise DomainError(
            _l("The host already has a session at that time. Choose another time or host."),
            "day",
        ) from exc


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
    """Add a date to a workshop; the host's time is claimed (no 1:1 slot offered then)."""
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
    db.session.flush()
    _claim_host(occurrence)
    db.session.commit()
    return occurrence


def _confirmed(occurrence_id: int) -> list[Booking]:
    from academy.scheduling.services import booking_query

    return list(
        db.session.scalars(
            booking_query()
            .where(
                Booking.occurrence_id == occurrence_id,
                Booking.status == BookingStatus.CONFIRMED,
            )
            .order_by(Booking.id)
        )
    )


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
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise DomainError(_l("This date has been cancelled."))
    if occurrence.starts_at <= now():
        raise DomainError(_l("This date has already started, so it can no longer be changed."))
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
    old_start = occurrence.starts_at
    host_changed = host.id != occurrence.host_id
    occurrence.capacity = capacity
    occurrence.meeting_url = meeting_url.strip()
    if moved or host_changed:
        db.session.execute(delete(HostClaim).where(HostClaim.occurrence_id == occurrence.id))
        occurrence.host = host
        occurrence.starts_at, occurrence.ends_at = start, end
        db.session.flush()
        _claim_host(occurrence)
    promote_waiting(occurrence.id)  # more seats: the queue moves up
    if moved:
        from academy.scheduling.services import record_move

        for booking in _confirmed(occurrence.id):
            record_move(booking, by=by, via="staff", from_start=old_start, late=False, by_us=True)
    db.session.commit()
    return occurrence


def cancel_occurrence(occurrence: Occurrence, *, by: User) -> int:
    """Cancel a date: every registrant gets a CANCEL of the event and an apology, pending
    reminders are withdrawn (R8, R11); nobody is charged a no-show. Returns how many were
    registered."""
    if occurrence.status != OccurrenceStatus.SCHEDULED:
        raise DomainError(_l("This date has already been cancelled."))
    if occurrence.starts_at <= now():
        raise DomainError(_l("This date has already started, so it can no longer be changed."))
    occurrence.status = OccurrenceStatus.CANCELLED
    db.session.execute(delete(HostClaim).where(HostClaim.occurrence_id == occurrence.id))
    confirmed = _confirmed(occurrence.id)
    at = now()
    for booking in confirmed:
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = at
        booking.ical_sequence += 1
        db.session.add(
            BookingEvent(
                booking=booking,
                kind=BookingEventKind.CANCELLED,
                by_user_id=by.id,
                via="staff",
                from_start=occurrence.starts_at,
            )
        )
        db.session.flush()
        notify_occurrence_cancelled(booking)
    db.session.execute(
        update(Booking)
        .where(
            Booking.occurrence_id == occurrence.id,
            Booking.status == BookingStatus.WAITLISTED,
        )
        .values(status=BookingStatus.CANCELLED, cancelled_at=at)
        .execution_options(synchronize_session=False)
    )
    occurrence.seats_taken = 0
    db.session.commit()
    return len(confirmed)
