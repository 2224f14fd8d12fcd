"""Book, reschedule, cancel: the only ways a booking changes, each one transaction.

Every change of an existing booking is a compare-and-set (`bookings.transition`): of two
requests acting on one booking at once, one wins and the other is told what happened
(`BookingChanged`); only the winner frees a seat, promotes, records a no-show or queues an
email. Each raises a DomainError whose message a person understands; the view shows it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.extensions import db
from academy.scheduling import seats
from academy.scheduling.access import can_use, facts_for
from academy.scheduling.attendance import record_no_show
from academy.scheduling.bookings import (
    add_event,
    changed,
    check_change,
    lock_occurrences,
    transition,
)
from academy.scheduling.messages import notify_booked, notify_cancelled, notify_rescheduled
from academy.scheduling.models import (
    Booking,
    BookingEventKind,
    BookingStatus,
    NoShowSource,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import Channel, booking_decision
from academy.scheduling.slots import load_slots


class SlotTaken(DomainError):
    """Someone else got this time first (POLICY R7)."""

    def __init__(self) -> None:
        super().__init__(_l("This time was just taken. Please choose another one."), "slot")


def is_host_overlap(error: IntegrityError) -> bool:
    """The database refused a second session of a host at the same time (migration 0010:
    PostgreSQL's exclusion constraint, SQLite's trigger)."""
    text = str(error.orig)
    return "ex_occurrences_host_time" in text or "host_time_overlap" in text


def flush_host_time() -> None:
    """Write the occurrence now, so an overlap with another of the host's sessions fails here,
    as SlotTaken, with the whole transaction rolled back (R7)."""
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        if is_host_overlap(exc):
            raise SlotTaken() from exc
        raise


def _refuse(decision: Decision) -> NoReturn:
    raise DomainError(explain(decision))


def _offered(offering: Offering, host_id: int, start: datetime, at: datetime) -> bool:
    return any(s.starts_at == start for s in load_slots(offering, at, host_ids=[host_id]))


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
    fee = facts_for(user).terms.fee if decision.fee_required else None
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
    occurrence = Occurrence(
        offering=offering,
        host=host,
        starts_at=start,
        ends_at=start + timedelta(minutes=offering.duration_minutes),
        capacity=1,
        meeting_url=host.meeting_url,
    )
    db.session.add(occurrence)
    flush_host_time()  # R7: one client per slot, settled by the database
    booking = Booking(occurrence=occurrence, user=user, note=note.strip(), fee_owed=fee)
    db.session.add(booking)
    db.session.flush()
    add_event(booking, BookingEventKind.BOOKED, by=user, via="account", to_start=start)
    notify_booked(booking)
    db.session.commit()
    return booking


def reschedule(
    booking: Booking,
    host_id: int,
    start: datetime,
    *,
    by: User,
    via: str,
    late_ok: bool = False,
) -> Booking:
    """Move a 1:1 booking to another free slot: the old time is freed and the new one taken
    in one transaction, or nothing changes. A late move (R10) needs `late_ok`: the client
    was told it counts as a no-show, and it is recorded as one (R12)."""
    decision = check_change(booking, by, late_ok=late_ok)
    occurrence = booking.occurrence
    old_start = occurrence.starts_at
    if host_id == occurrence.host_id and start == old_start:
        raise DomainError(_l("That is already the time of this session."), "slot")
    at = now()
    if not (ok := booking_decision(start, at)):
        _refuse(ok)
    if not _offered(occurrence.offering, host_id, start, at):
        raise SlotTaken()
    host = db.session.get(User, host_id)
    assert host is not None
    lock_occurrences(occurrence.id)
    if not transition(booking, BookingStatus.CONFIRMED, bump=True):
        raise changed(booking.id)
    duration = occurrence.ends_at - occurrence.starts_at
    previous_host = occurrence.host
    occurrence.host = host
    occurrence.starts_at, occurrence.ends_at = start, start + duration
    occurrence.meeting_url = host.meeting_url
    flush_host_time()
    record_move(
        booking,
        by=by,
        via=via,
        from_start=old_start,
        late=decision.late,
        previous_host=previous_host,
    )
    db.session.commit()
    return booking


def record_move(
    booking: Booking,
    *,
    by: User,
    via: str,
    from_start: datetime,
    late: bool,
    by_us: bool = False,
    previous_host: User | None = None,
) -> None:
    """What follows any move of a booking (a 1:1 time, another workshop date, staff moving a
    date), once its transition has won and raised SEQUENCE: the updated invite (R11),
    reminders for the new time (R8), the history, and a late change counted as a no-show
    (R10, R12). The caller commits."""
    add_event(
        booking,
        BookingEventKind.RESCHEDULED,
        by=by,
        via=via,
        from_start=from_start,
        to_start=booking.occurrence.starts_at,
        late=late,
    )
    if late:  # R10, R12: a late change counts as a no-show
        record_no_show(booking, NoShowSource.LATE_CHANGE, now(), None)
    notify_rescheduled(booking, late=late, by_us=by_us, previous_host=previous_host)


def cancel(booking: Booking, *, by: User, via: str, late_ok: bool = False) -> Booking:
    """Cancel a booking; its time is freed at once. A late cancellation (R10) needs `late_ok`
    and is recorded as a no-show (R12).

    A workshop seat goes to the first client on the waitlist; leaving the waitlist itself
    is not a cancellation of a session (no invite was sent, no no-show is counted).
    """
    decision = check_change(booking, by, late_ok=late_ok)
    occurrence = booking.occurrence
    lock_occurrences(occurrence.id)
    at = now()
    if booking.status == BookingStatus.WAITLISTED:
        if not transition(
            booking,
            BookingStatus.WAITLISTED,
            status=BookingStatus.CANCELLED,
            cancelled_at=at,
            queued_at=None,
            queue_ticket=None,
        ):
            raise changed(booking.id)
        add_event(
            booking, BookingEventKind.CANCELLED, by=by, via=via, from_start=occurrence.starts_at
        )
        db.session.commit()
        return booking
    if not transition(
        booking,
        BookingStatus.CONFIRMED,
        bump=True,
        status=BookingStatus.CANCELLED,
        cancelled_at=at,
    ):
        raise changed(booking.id)
    if occurrence.capacity == 1:  # the host's time is free again (R7)
        occurrence.status = OccurrenceStatus.CANCELLED
    else:
        seats.release_and_promote(occurrence.id)
    add_event(
        booking,
        BookingEventKind.CANCELLED,
        by=by,
        via=via,
        from_start=occurrence.starts_at,
        late=decision.late,
    )
    if decision.late:  # R10, R12: a late change counts as a no-show
        record_no_show(booking, NoShowSource.LATE_CHANGE, at, None)
    notify_cancelled(booking, late=decision.late)
    db.session.commit()
    return booking
