"""Workshop seats and the waitlist, counted by the database.

* A seat is taken by one conditional UPDATE (`seats_taken < capacity`), so however many
  requests race for the last seats, the database hands out exactly the seats there are.
* Joining the queue takes a ticket from `occurrences.queue_counter` (incremented in SQL): the
  row lock serialises joiners, so the place each is told is the place they have.
* When a seat frees up, the first ticket in the queue is promoted in the same transaction, by a
  compare-and-set on its status: a client leaving the queue at that instant either leaves (and
  the next one gets the seat) or is promoted, never both.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm.util import identity_key

from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.bookings import add_event, reload
from academy.scheduling.messages import notify_promoted
from academy.scheduling.models import (
    Booking,
    BookingEventKind,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
)


def _expire(occurrence_id: int, *keys: str) -> None:
    """The row changed in the database: an Occurrence already loaded reads it again."""
    loaded = db.session.identity_map.get(identity_key(Occurrence, occurrence_id))
    if loaded is not None:
        db.session.expire(loaded, list(keys))


def take_seat(occurrence_id: int) -> bool:
    """One seat, if there is one: the UPDATE's condition is checked by the database."""
    _expire(occurrence_id, "seats_taken")
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


def release_seat(occurrence_id: int) -> None:
    _expire(occurrence_id, "seats_taken")
    db.session.execute(
        update(Occurrence)
        .where(Occurrence.id == occurrence_id, Occurrence.seats_taken > 0)
        .values(seats_taken=Occurrence.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def next_ticket(occurrence_id: int) -> int:
    """The next place in the queue; the UPDATE locks the occurrence until this commits."""
    _expire(occurrence_id, "queue_counter")
    return int(
        db.session.execute(
            update(Occurrence)
            .where(Occurrence.id == occurrence_id)
            .values(queue_counter=Occurrence.queue_counter + 1)
            .returning(Occurrence.queue_counter)
            .execution_options(synchronize_session=False)
        ).scalar_one()
    )


def promote_waiting(occurrence_id: int) -> list[Booking]:
    """Give free seats to the queue, first ticket first; each promoted client gets the
    confirmation, the invite and the reminders still ahead (R8: none sent late)."""
    promoted: list[Booking] = []
    while True:
        first = db.session.scalar(
            select(Booking.id)
            .where(
                Booking.occurrence_id == occurrence_id,
                Booking.status == BookingStatus.WAITLISTED,
            )
            .order_by(Booking.queue_ticket, Booking.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if first is None or not take_seat(occurrence_id):
            break
        moved = db.session.execute(
            update(Booking)
            .where(Booking.id == first, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.CONFIRMED, queued_at=None, queue_ticket=None)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # the client left the queue at this very moment
            release_seat(occurrence_id)
            continue
        booking = reload(first)
        add_event(
            booking,
            BookingEventKind.PROMOTED,
            by=None,
            via="waitlist",
            to_start=booking.occurrence.starts_at,
        )
        notify_promoted(booking)
        promoted.append(booking)
    return promoted


def release_and_promote(occurrence_id: int) -> None:
    """A confirmed workshop place was given up (cancelled, or moved to another date): the
    seat goes to the queue."""
    release_seat(occurrence_id)
    promote_waiting(occurrence_id)


QUEUE_RANKS = (
    select(
        Booking.occurrence_id,
        Booking.user_id,
        func.row_number()
        .over(partition_by=Booking.occurrence_id, order_by=(Booking.queue_ticket, Booking.id))
        .label("position"),
    )
    .where(
        Booking.occurrence_id.in_(bindparam("ids", expanding=True)),
        Booking.status == BookingStatus.WAITLISTED,
    )
    .subquery()
)
"""Every waiting booking of the dates `ids` (an expanding parameter) with its place in the
date's queue (1 = next): the one statement of the queue's order (ticket, then id). Built once,
since building it on each call cost more than running it (issue 15); a page that also loads
the viewer's bookings joins it instead of asking a second query."""

_POSITIONS = select(QUEUE_RANKS.c.occurrence_id, QUEUE_RANKS.c.position).where(
    QUEUE_RANKS.c.user_id == bindparam("user_id")
)


def waitlist_positions(occurrence_ids: Iterable[int], user_id: int) -> dict[int, int]:
    """{occurrence id: the user's place in its queue (1 = next)}, in one query."""
    ids = list(occurrence_ids)
    if not ids:
        return {}
    rows = db.session.execute(_POSITIONS, {"ids": ids, "user_id": user_id})
    return {occurrence_id: position for occurrence_id, position in rows}


def queue_values(occurrence_id: int) -> dict[str, object]:
    """The columns of a booking that joins the queue now."""
    return {"queued_at": now(), "queue_ticket": next_ticket(occurrence_id)}
