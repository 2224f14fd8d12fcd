"""`flask scheduling check` finds each kind of broken state, and nothing in a healthy one."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling.models import Booking, BookingStatus, Occurrence


def _check(app):
    return app.test_cli_runner().invoke(args=["scheduling", "check"])


def test_a_healthy_schedule_passes(app, clock, make_workshop, make_user, register, make_host, book):
    occ = make_workshop(capacity=2)
    for _ in range(4):
        register(make_user(), occ)
    book(make_user(), make_host(), occ.starts_at + timedelta(days=1))
    r = _check(app)
    assert r.exit_code == 0 and "consistent" in r.output


def test_each_broken_invariant_is_reported_and_fails_the_command(
    app, db, clock, make_workshop, make_user, register, make_host, book
):
    occ = make_workshop(capacity=2)
    first = register(make_user(), occ)
    register(make_user(), occ)
    waiting = register(make_user(), occ)
    host = make_host()
    one = book(make_user(phone="+40 721 000 222"), host, occ.starts_at + timedelta(days=1))
    # Break things the way the races used to: a seat counter off by one, a waitlisted client
    # with no ticket, a cancelled 1:1 still holding its time with reminders pending. (Two
    # overlapping sessions of a host cannot even be written: tests/scheduling/test_host_time.)
    db.session.execute(sa.update(Occurrence).where(Occurrence.id == occ.id).values(seats_taken=1))
    db.session.execute(sa.update(Booking).where(Booking.id == waiting.id).values(queue_ticket=None))
    db.session.execute(
        sa.update(Booking).where(Booking.id == one.id).values(status=BookingStatus.CANCELLED)
    )
    db.session.commit()

    r = _check(app)

    assert r.exit_code == 1
    assert f"occurrence {occ.id}: seats_taken 1 but 2 confirmed" in r.output
    assert f"occurrence {occ.id} has free seats and 1 waiting" in r.output
    assert f"waitlisted booking {waiting.id} has no ticket" in r.output
    assert f"1:1 occurrence {one.occurrence_id} holds the host's time with 0 confirmed" in r.output
    live = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.booking_id == one.id,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.kind == "booking_reminder",
        )
    )
    assert live > 0 and f"for cancelled booking {one.id}" in r.output
    assert first.id  # the healthy registration is not reported
    assert f"booking {first.id}" not in r.output
