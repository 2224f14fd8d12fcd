"""What every change of a booking shares: loading it, locking, the compare-and-set, its history.

A booking changes only by `transition()`: one conditional UPDATE on the status and SEQUENCE
this request read (ARCHITECTURE 5). Two requests acting on the same booking at once (a double
click, a reschedule racing a cancellation, a client leaving the waitlist as a seat frees up)
both run it; the database lets exactly one match, and only the winner goes on to free a seat,
promote, write a no-show or queue an email. The loser raises `BookingChanged`, whose message
says what happened instead.

Lock order, so that concurrent transactions never deadlock on PostgreSQL: occurrences first
(`lock_occurrences`, by ascending id), then bookings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.core.markers import N_
from academy.core.timezones import localtime
from academy.extensions import db
from academy.scheduling.access import terms_of
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
    Occurrence,
)
from academy.scheduling.policy import ChangeDecision, change_decision


class BookingChanged(DomainError):
    """Someone (another tab, a double click, staff, the waitlist) changed this booking first."""


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


def reload(booking_id: int) -> Booking:
    """The booking as the database has it now (after a change made in SQL)."""
    booking = db.session.scalar(
        booking_query().where(Booking.id == booking_id).execution_options(populate_existing=True)
    )
    assert booking is not None
    return booking


def lock_occurrences(*occurrence_ids: int) -> None:
    """Row locks on occurrences, in id order, before any booking is changed (PostgreSQL;
    SQLite has one writer at a time and ignores FOR UPDATE)."""
    db.session.execute(
        select(Occurrence.id)
        .where(Occurrence.id.in_(sorted(set(occurrence_ids))))
        .order_by(Occurrence.id)
        .with_for_update()
    ).all()


def transition(
    booking: Booking,
    expect: BookingStatus | tuple[BookingStatus, ...],
    *,
    bump: bool = False,
    **values: Any,
) -> bool:
    """Compare-and-set: write `values` only if the booking is still in `expect` at the SEQUENCE
    this request read; `bump` raises SEQUENCE in SQL (R11: a new version of the invite).

    True when this request won; the object then holds the new values. False when another
    change came first: nothing was written, and the caller must not act.
    """
    statuses = expect if isinstance(expect, tuple) else (expect,)
    if bump:
        values["ical_sequence"] = Booking.ical_sequence + 1
    row = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.status.in_(statuses),
            Booking.ical_sequence == booking.ical_sequence,
        )
        .values(**values)
        .returning(Booking.ical_sequence)
        .execution_options(synchronize_session=False)
    ).first()
    if row is None:
        return False
    values["ical_sequence"] = row[0]
    for key, value in values.items():
        if key != "occurrence_id":
            set_committed_value(booking, key, value)
    return True


def changed(booking_id: int) -> BookingChanged:
    """The error for the request that lost a race: what the booking is now, in words."""
    db.session.rollback()
    booking = reload(booking_id)
    if booking.status == BookingStatus.CANCELLED:
        return BookingChanged(_l("This booking is already cancelled."))
    when = localtime(booking.occurrence.starts_at, "full")
    if booking.status == BookingStatus.CONFIRMED:
        return BookingChanged(
            _l(
                "This booking was changed a moment ago and is now confirmed for %(when)s. "
                "Nothing else was changed.",
                when=when,
            )
        )
    return BookingChanged(
        _l(
            "This booking was changed a moment ago: you are on the waitlist for %(when)s. "
            "Nothing else was changed.",
            when=when,
        )
    )


class LateChange(DomainError):
    """R10: this change counts as a no-show, and the client has not confirmed it yet."""


def preview_change(booking: Booking, by: User | None = None) -> ChangeDecision:
    """What changing or cancelling now would mean (R10), for the page that asks first.
    `by`: who acts (the client by default); staff acting for a client is never late."""
    if booking.status == BookingStatus.CANCELLED:
        return ChangeDecision(False, "R10", N_("This session has been cancelled."))
    by_client = by is None or by.id == booking.user_id
    policy = terms_of(booking.user).policy  # R10's notice is the client's plan's (R2)
    decision = change_decision(booking.occurrence.starts_at, now(), policy, by_client=by_client)
    if booking.status == BookingStatus.WAITLISTED and decision.allowed:
        return ChangeDecision(True, "R10")  # leaving a queue is never a late change
    return decision


def check_change(booking: Booking, by: User, *, late_ok: bool) -> ChangeDecision:
    """R10 before any change: refused once started; a late change (it counts as a no-show)
    only when the client confirmed it, having been told (`late_ok`)."""
    decision = preview_change(booking, by)
    if not decision.allowed:
        raise DomainError(explain(decision))
    if decision.late and not late_ok:
        raise LateChange(explain(decision))
    return decision


def add_event(
    booking: Booking,
    kind: BookingEventKind,
    *,
    by: User | None,
    via: str,
    from_start: datetime | None = None,
    to_start: datetime | None = None,
    late: bool = False,
) -> None:
    """The booking's history: one row per change, never updated."""
    db.session.add(
        BookingEvent(
            booking_id=booking.id,
            kind=kind,
            by_user_id=by.id if by else None,
            via=via,
            from_start=from_start,
            to_start=to_start,
            late=late,
        )
    )
