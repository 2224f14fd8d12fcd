"""Capacity is never exceeded: 100 clients registering for the last 5 seats at the same
instant get exactly 5 seats, the other 95 a place on the waitlist, each place once.

Real concurrent HTTP requests against the app served on loopback; the database settles it
(a conditional UPDATE of the seat count), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import threading
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from academy.accounts.models import User
from academy.notifications.models import OutboxMessage
from academy.scheduling.invariants import problems
from academy.scheduling.models import Booking, BookingStatus, Occurrence
from academy.scheduling.seats import waitlist_positions
from tests.live import at_once, login_cookie, post
from tests.sessions.test_race import _post

CLIENTS = 100
CAPACITY, TAKEN = 20, 15
CANCELS = 20


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 30})
def test_a_hundred_clients_race_for_the_last_five_seats(
    app, db, live_server, make_workshop, make_user, register
):
    occ = make_workshop(capacity=CAPACITY)
    for _ in range(TAKEN):
        register(make_user(password="race-password-1"), occ)
    users = [make_user(password="race-password-1") for _ in range(CLIENTS)]
    cookies = []
    for user in users:
        status, _, set_cookie = _post(
            live_server, "/login", {"email": user.email, "password": "race-password-1"}
        )
        assert status == 302
        cookies.append(f"session={SimpleCookie(set_cookie)['session'].value}")

    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def go(cookie: str) -> None:
        barrier.wait()
        outcome = _post(live_server, f"/workshops/dates/{occ.id}/register", {}, cookie)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=go, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)

    # Everyone was answered with a redirect to their registration: no error page, no loser.
    assert sorted(r[0] for r in results) == [302] * CLIENTS
    assert all("/sessions/bookings/" in r[1] for r in results)
    db.session.expire_all()
    assert db.session.get(Occurrence, occ.id).seats_taken == CAPACITY
    ids = [u.id for u in users]
    statuses = db.session.scalars(sa.select(Booking.status).where(Booking.user_id.in_(ids))).all()
    assert statuses.count(BookingStatus.CONFIRMED) == CAPACITY - TAKEN
    assert statuses.count(BookingStatus.WAITLISTED) == CLIENTS - (CAPACITY - TAKEN)
    confirmed = db.session.scalar(
        sa.select(sa.func.count(Booking.id)).where(
            Booking.occurrence_id == occ.id, Booking.status == BookingStatus.CONFIRMED
        )
    )
    assert confirmed == CAPACITY
    positions = sorted(p for u in ids for p in waitlist_positions([occ.id], u).values())
    assert positions == list(range(1, CLIENTS - (CAPACITY - TAKEN) + 1))

    # Each waiting client was emailed the place they have, not one counted before commit.
    for user in users:
        place = waitlist_positions([occ.id], user.id).get(occ.id)
        if place is None:
            continue
        [mail] = db.session.scalars(
            sa.select(OutboxMessage.body_text).where(
                OutboxMessage.user_id == user.id, OutboxMessage.kind == "workshop_waitlisted"
            )
        ).all()
        assert f"number {place} in the queue" in mail, (user.id, place)
    assert problems() == []

    # Then every seated client (20) cancels at the same instant: 20 seats free, the first 20
    # tickets are promoted, in order, and the counts still add up.
    first_waiting = db.session.scalars(
        sa.select(Booking.id)
        .where(Booking.occurrence_id == occ.id, Booking.status == BookingStatus.WAITLISTED)
        .order_by(Booking.queue_ticket)
        .limit(CANCELS)
    ).all()
    to_cancel = db.session.scalars(
        sa.select(Booking).where(
            Booking.occurrence_id == occ.id, Booking.status == BookingStatus.CONFIRMED
        )
    ).all()
    assert len(to_cancel) == CANCELS
    cookie_of = dict(zip([u.id for u in users], cookies, strict=True))
    for user in db.session.scalars(
        sa.select(User).where(User.id.in_(b.user_id for b in to_cancel))
    ):
        cookie_of.setdefault(user.id, login_cookie(live_server, user.email, "race-password-1"))
    cookies_for = [cookie_of[b.user_id] for b in to_cancel]
    results = at_once(
        [
            lambda b=b, c=c: post(live_server, f"/sessions/bookings/{b.id}/cancel", {}, c)
            for b, c in zip(to_cancel, cookies_for, strict=True)
        ]
    )
    assert all(r[0] in (200, 302) for r in results)
    db.session.expire_all()
    assert db.session.get(Occurrence, occ.id).seats_taken == CAPACITY
    promoted = db.session.scalars(
        sa.select(Booking.status).where(Booking.id.in_(first_waiting))
    ).all()
    assert promoted == [BookingStatus.CONFIRMED] * CANCELS
    remaining = sorted(p for u in ids for p in waitlist_positions([occ.id], u).values())
    assert remaining == list(range(1, CLIENTS - (CAPACITY - TAKEN) - CANCELS + 1))
    assert problems() == []
