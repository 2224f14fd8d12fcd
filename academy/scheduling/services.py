"""Book, reschedule, cancel: the only ways a booking changes, each one transaction.

Each raises a DomainError whose message a person understands; the view shows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.extensions import db
from academy.notifications.bookings import notify_booked, notify_cancelled, notify_rescheduled
from academy.scheduling.access import can_use
from academy.scheduling.attendance import fee_for, record_no_show
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
    HostClaim,
    NoShowSource,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import (
    N_,
    POLICY,
    ChangeDecision,
    Channel,
    Decision,
    booking_decision,
    change_decision,
)
from academy.scheduling.slots import cells, load_slots
from academy.scheduling.workshops import release_and_promote_at


class SlotTaken(DomainError):
    """Someone else got this time first (POLICY R7)."""

    def __init__(self) -> None:
        super().__init__(_l("This time was just taken. Please choose another one."), "slot")


def _refuse(decision: Decision) -> NoReturn:
    raise DomainError(explain(decision))


def _offered(offering: Offering, host_id: int, start: datetime, at: datetime) -> bool:
    return any(s.starts_at == start for s in load_slots(offering, at, host_ids=[host_id]))


def _claim(occurrence: Occurrence, duration: timedelta) -> None:
    """Take the host's grid cells; a cell taken by anyone else fails the flush (R7)."""
    db.session.add_all(
        HostClaim(host_id=occurrence.host_id, starts_at=c, occurrence_id=occurrence.id)
        for c in cells(occurrence.starts_at, duration, POLICY.slot_grid)
    )
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise SlotTaken() from exc


def book_one_on_one(
    user: User,
    offering: Offering,
    host_id: int,
    start: datetime,
    note: str = "",
    fee_acknowledged: bool = False,
) -> Booking:
    """Book a free 1:1 slot for `user` (POLICY R2, R7, R15), with confirmation and reminders.

    When a fee applies (R15), the client must have acknowledged it; it is recorded as owed.
    """
    if not (decision := can_use(user, Channel.SESSIONS)):
        _refuse(decision)
    fee = fee_for(user) if getattr(decision, "fee_required", False) else None
    if fee is not None and not fee_acknowledged:
        raise DomainError(_l("Please confirm that you accept the fee for this session."), "fee")
    at = now()
    if not (decision := booking_decision(start, at)):
        _refuse(decision)
    if offering.kind != OfferingKind.ONE_ON_ONE or not offering.active:
        raise DomainError(_l("This kind of session cannot be booked here."))
    if not _offered(offering, host_id, start, at):
        raise SlotTaken()
    host = db.session.get(User, host_id)
    assert host is not None  # _offered found slots for this host
    duration = timedelta(minutes=offering.duration_minutes)
    occurrence = Occurrence(
        offering=offering,
        host=host,
        starts_at=start,
        ends_at=start + duration,
        capacity=1,
        meeting_url=host.meeting_url,
    )
    db.session.add(occurrence)
    db.session.flush()
    _claim(occurrence, duration)
    booking = Booking(occurrence=occurrence, user=user, note=note.strip(), fee_owed=fee)
    db.session.add(booking)
    db.session.add(
        BookingEvent(
            booking=booking,
            kind=BookingEventKind.BOOKED,
            by_user_id=user.id,
            via="account",
            to_start=start,
        )
    )
    db.session.flush()
    notify_booked(booking)
    db.session.commit()
    return booking


def preview_change(booking: Booking) -> ChangeDecision:
    """What changing or cancelling now would mean (R10), for the page that asks first."""
    if booking.status == BookingStatus.CANCELLED:
        return ChangeDecision(False, "R10", N_("This session has been cancelled."))
    decision = change_decision(booking.occurrence.starts_at, now())
    if booking.status == BookingStatus.WAITLISTED and decision.allowed:
        return ChangeDecision(True, "R10")  # leaving a queue is never a late change
    return decision


def check_change(booking: Booking) -> ChangeDecision:
    """R10 before any change: refused once started; `late` when under 24 hours' notice."""
    decision = preview_change(booking)
    if not decision.allowed:
        raise DomainError(explain(decision))
    return decision


def reschedule(booking: Booking, host_id: int, start: datetime, *, by: User, via: str) -> Booking:
    """Move a 1:1 booking to another free slot: the old one is freed and the new one taken
    in one transaction, or nothing changes. Late moves are recorded (R10)."""
    decision = check_change(booking)
    occurrence = booking.occurrence
    offering = occurrence.offering
    old_start = occurrence.starts_at
    if host_id == occurrence.host_id and start == old_start:
        raise DomainError(_l("That is already the time of this session."), "slot")
    at = now()
    if not (ok := booking_decision(start, at)):
        _refuse(ok)
    if not _offered(offering, host_id, start, at):
        raise SlotTaken()
    duration = occurrence.ends_at - occurrence.starts_at
    db.session.execute(delete(HostClaim).where(HostClaim.occurrence_id == occurrence.id))
    host = db.session.get(User, host_id)
    assert host is not None
    occurrence.host = host
    occurrence.starts_at, occurrence.ends_at = start, start + duration
    occurrence.meeting_url = host.meeting_url
    _claim(occurrence, duration)
    record_move(booking, by=by, via=via, from_start=old_start, late=decision.late)
    db.session.commit()
    return booking


def record_move(
    booking: Booking, *, by: User, via: str, from_start: datetime, late: bool, by_us: bool = False
) -> None:
    """What follows any move of a booking (a 1:1 time, another workshop date, staff moving a
    date): a higher SEQUENCE and the updated invite (R11), reminders for the new time (R8),
    the history, and a late change counted as a no-show (R10, R12). The caller commits."""
    booking.ical_sequence += 1
    db.session.add(
        BookingEvent(
            booking=booking,
            kind=BookingEventKind.RESCHEDULED,
            by_user_id=by.id,
            via=via,
            from_start=from_start,
            to_start=booking.occurrence.starts_at,
            late=late,
        )
    )
    db.session.flush()
    if late:  # R10, R12: a late change counts as a no-show
        record_no_show(booking, NoShowSource.LATE_CHANGE, now(), None)
    notify_rescheduled(booking, late=late, by_us=by_us)


def cancel(booking: Booking, *, by: User, via: str) -> Booking:
    """Cancel a booking; its time is freed at once. Late cancellations are recorded (R10).

    A workshop seat goes to the first client on the waitlist; leaving the waitlist itself
    is not a cancellation of a session (no invite was sent, no no-show is counted).
    """
    decision = check_change(booking)
    occurrence = booking.occurrence
    if booking.status == BookingStatus.WAITLISTED:
        return _leave_waitlist(booking, by=by, via=via)
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now()
    booking.ical_sequence += 1
    if occurrence.capacity == 1:
        occurrence.status = OccurrenceStatus.CANCELLED
        db.session.execute(delete(HostClaim).where(HostClaim.occurrence_id == occurrence.id))
    else:
        db.session.flush()
        release_and_promote_at(booking.occurrence_id)
    db.session.add(
        BookingEvent(
            booking=booking,
            kind=BookingEventKind.CANCELLED,
            by_user_id=by.id,
            via=via,
            from_start=occurrence.starts_at,
            late=decision.late,
        )
    )
    if decision.late:  # R10, R12: a late change counts as a no-show
        record_no_show(booking, NoShowSource.LATE_CHANGE, now(), None)
    notify_cancelled(booking, late=decision.late)
    db.session.commit()
    return booking


def _leave_waitlist(booking: Booking, *, by: User, via: str) -> Booking:
    booking.status = BookingStatus.CANCELLED
    booking.cancelled_at = now()
    booking.queued_at = None
    db.session.add(
        BookingEvent(
            booking=booking,
            kind=BookingEventKind.CANCELLED,
            by_user_id=by.id,
            via=via,
            from_start=booking.occurrence.starts_at,
        )
    )
    db.session.commit()
    return booking


def booking_query() -> Select[tuple[Booking]]:
    """Bookings with what their pages show, loaded in a fixed number of queries."""
    return select(Booking).options(
        selectinload(Booking.occurrence).selectinload(Occurrence.offering),
        selectinload(Booking.occurrence).selectinload(Occurrence.host),
        selectinload(Booking.user),
    )


def get_booking(booking_id: int, viewer: User) -> Booking | None:
    """A booking the viewer may see: their own, or any for staff (others: None, i.e. 404)."""
    query = booking_query().where(Booking.id == booking_id)
    if not viewer.is_staff:
        query = query.where(Booking.user_id == viewer.id)
    return db.session.scalar(query)
