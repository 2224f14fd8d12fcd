"""Every transition of a booking, attacked with real concurrent HTTP requests (ARCHITECTURE 5).

A double click posts the same change twice; two tabs (or a client and staff) post two
different changes of one booking at once. The database decides (a compare-and-set on the
status and SEQUENCE read): exactly one change happens, the other request is told what happened
instead, nobody gets an error page, nothing is sent twice, and `flask scheduling check` finds
nothing wrong afterwards. On SQLite and PostgreSQL, against the app served on loopback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling.invariants import problems
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    NoShow,
    Notice,
    Occurrence,
    OccurrenceStatus,
)
from tests.live import at_once, login_cookie, post, request

PW = "race-password-1"
FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC
POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}}

pytestmark = pytest.mark.app_config(**POOL)


def _fresh(db, model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def _events(db, booking_id: int, kind: str) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(BookingEvent.id)).where(
            BookingEvent.booking_id == booking_id, BookingEvent.kind == kind
        )
    )


def _mails(db, booking_id: int, kind: str) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id, OutboxMessage.kind == kind)
        .order_by(OutboxMessage.id)
    ).all()


def _no_errors(results) -> None:
    """Every request got a page or a redirect: no 500, no bare error."""
    assert all(r[0] in (200, 302, 303) for r in results), [r[0] for r in results]


def _said(base: str, cookie: str, redirect: tuple) -> str:
    """The page a redirect leads to, with the flash message the redirect set (it travels in
    the session cookie that response set)."""
    location, set_cookie = redirect[1], redirect[2]
    if set_cookie:
        cookie = f"session={SimpleCookie(set_cookie)['session'].value}"
    status, _, _, body = request(base, "GET", location.replace(base, ""), cookie=cookie)
    assert status == 200
    return body


# --- The same POST several times at once (a double click) --------------------------------------


def test_r14_the_home_notice_dismissed_twice_at_once_is_dismissed_once(
    db, clock, live_server, make_user
):
    """POLICY R14: the client's Dismiss on their no-show notice, double-clicked: both clicks
    land on the home page (no error), the notice is dismissed, and the record behind it stays."""
    me = make_user(password=PW)
    older = Notice(user_id=me.id, kind="warning")
    notice = Notice(user_id=me.id, kind="warning")
    db.session.add_all([older, notice])
    db.session.commit()
    cookie = login_cookie(live_server, me.email, PW)

    path = f"/notices/{notice.id}/dismiss"
    results = at_once([lambda: request(live_server, "POST", path, {}, cookie)] * 2)

    assert [r[0] for r in results] == [302, 302]
    db.session.expire_all()
    found = db.session.scalars(sa.select(Notice).where(Notice.user_id == me.id)).all()
    assert len(found) == 2 and all(n.dismissed_at is not None for n in found)
    assert problems() == []


@pytest.mark.parametrize("times", [2, 10])
def test_the_same_workshop_cancel_posted_at_once_frees_one_seat_once(
    db, clock, live_server, make_workshop, make_user, register, times
):
    occ = make_workshop(capacity=2)
    me = make_user(password=PW)
    mine = register(me, occ)
    register(make_user(), occ)
    waiting = [make_user() for _ in range(3)]
    for w in waiting:
        register(w, occ)
    cookie = login_cookie(live_server, me.email, PW)

    path = f"/sessions/bookings/{mine.id}/cancel"
    results = at_once([lambda: request(live_server, "POST", path, {}, cookie)] * times)

    _no_errors(results)
    done = [r for r in results if r[0] == 200]
    assert len(done) == 1 and "Your session is cancelled" in done[0][3]
    for r in results:
        if r[0] == 302:  # the others are told, on the page they come back to
            said = _said(live_server, cookie, r)  # by the loser of the race, or later comers
            assert "already cancelled" in said or "has been cancelled" in said
    assert _fresh(db, Booking, mine.id).status == BookingStatus.CANCELLED
    assert _events(db, mine.id, "cancelled") == 1
    assert len(_mails(db, mine.id, "booking_cancelled")) == 1
    # One seat freed, one client promoted: the first in the queue, and only them.
    statuses = [
        _fresh(db, Booking, b.id).status
        for b in db.session.scalars(
            sa.select(Booking)
            .where(Booking.user_id.in_([w.id for w in waiting]))
            .order_by(Booking.id)
        )
    ]
    assert statuses == [BookingStatus.CONFIRMED, BookingStatus.WAITLISTED, BookingStatus.WAITLISTED]
    assert _fresh(db, Occurrence, occ.id).seats_taken == 2
    assert problems() == []


def test_a_late_one_on_one_cancel_posted_five_times_counts_one_no_show(
    db, clock, live_server, make_host, make_user, book
):
    """POLICY R10/R12: the late cancellation is one no-show, one warning, one CANCEL."""
    host = make_host()
    me = make_user(password=PW)
    booking = book(me, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=3))
    cookie = login_cookie(live_server, me.email, PW)
    path = f"/sessions/bookings/{booking.id}/cancel"

    form = {"late_ok": "1"}  # the client has read that it counts as a no-show (R10)
    results = at_once([lambda: request(live_server, "POST", path, form, cookie)] * 5)

    _no_errors(results)
    assert [r[0] for r in results].count(200) == 1
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 1
    assert len(_mails(db, booking.id, "booking_cancelled")) == 1
    warnings = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "noshow_warning")
    )
    assert warnings == 1
    assert _fresh(db, Occurrence, booking.occurrence_id).status == OccurrenceStatus.CANCELLED
    assert problems() == []


def test_the_same_registration_and_the_same_leave_posted_at_once(
    db, clock, live_server, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    register(make_user(), occ)
    register(make_user(), occ)
    me = make_user(password=PW)
    cookie = login_cookie(live_server, me.email, PW)

    path = f"/workshops/dates/{occ.id}/register"
    _no_errors(at_once([lambda: post(live_server, path, {}, cookie)] * 4))
    [mine] = db.session.scalars(sa.select(Booking).where(Booking.user_id == me.id)).all()
    assert mine.status == BookingStatus.WAITLISTED and mine.queue_ticket == 1
    assert len(_mails(db, mine.id, "workshop_waitlisted")) == 1

    leave = f"/sessions/bookings/{mine.id}/cancel"
    _no_errors(at_once([lambda: post(live_server, leave, {}, cookie)] * 4))
    assert _fresh(db, Booking, mine.id).status == BookingStatus.CANCELLED
    assert _events(db, mine.id, "cancelled") == 1

    # Coming back (twice at once): the same booking is revived once, with a new ticket.
    _no_errors(at_once([lambda: post(live_server, path, {}, cookie)] * 3))
    again = _fresh(db, Booking, mine.id)
    assert again.status == BookingStatus.WAITLISTED and again.queue_ticket == 2
    assert again.ical_sequence == 1 and len(_mails(db, mine.id, "workshop_waitlisted")) == 2
    assert problems() == []


def test_staff_marking_the_same_outcome_twice_at_once_records_one_no_show(
    db, clock, live_server, make_host, make_user, book
):
    """POLICY R12/R14: one no-show row, one warning, whoever clicks first."""
    host = make_host(password=PW)
    other = make_user("staff", password=PW)
    booking = book(make_user(), host, FRI_9)
    clock.freeze(FRI_9 + timedelta(minutes=20))
    cookies = [login_cookie(live_server, u.email, PW) for u in (host, other)]
    path = f"/staff/bookings/{booking.id}/outcome"

    results = at_once(
        [lambda c=c: post(live_server, path, {"outcome": "no_show"}, c) for c in cookies * 2]
    )

    _no_errors(results)
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 1
    assert _fresh(db, Booking, booking.id).outcome == "no_show"
    warnings = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind == "noshow_warning")
    )
    assert warnings == 1


# --- Two different changes of one booking at once ---------------------------------------------


@pytest.mark.parametrize("round_", range(3))
def test_cancel_against_leaving_the_waitlist(
    db, clock, live_server, make_workshop, make_user, register, round_
):
    """A seat frees up at the instant the first waiting client leaves the queue: they end
    either promoted (their leave is refused: they hold a seat now) or gone (the next one gets
    the seat) — never cancelled while holding the seat or its reminders."""
    occ = make_workshop(capacity=2)
    register(make_user(), occ)
    seated, leaver, next_ = (make_user(password=PW) for _ in range(3))
    a = register(seated, occ)
    b = register(leaver, occ)
    c = register(next_, occ)
    ca, cb = (login_cookie(live_server, u.email, PW) for u in (seated, leaver))

    results = at_once(
        [
            lambda: post(live_server, f"/sessions/bookings/{a.id}/cancel", {}, ca),
            lambda: post(live_server, f"/sessions/bookings/{b.id}/cancel", {}, cb),
        ]
    )

    _no_errors(results)
    b_now, c_now = _fresh(db, Booking, b.id), _fresh(db, Booking, c.id)
    assert _fresh(db, Booking, a.id).status == BookingStatus.CANCELLED
    if b_now.status == BookingStatus.CONFIRMED:  # promoted first; the leave was refused
        assert c_now.status == BookingStatus.WAITLISTED
        assert "now confirmed" in _said(live_server, cb, results[1])
    else:
        assert b_now.status == BookingStatus.CANCELLED
        assert c_now.status == BookingStatus.CONFIRMED
        live = db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.booking_id == b.id,
                OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
                OutboxMessage.kind == "booking_reminder",
            )
        )
        assert live == 0
    assert _fresh(db, Occurrence, occ.id).seats_taken == 2
    assert problems() == []


def _invites(db, booking_id: int) -> list[tuple[str, int]]:
    """(METHOD, SEQUENCE) of every invite queued for a booking, in the order queued."""
    found = []
    client_id = db.session.get(Booking, booking_id).user_id  # not the host's copies
    for msg in db.session.scalars(
        sa.select(OutboxMessage)
        .where(OutboxMessage.booking_id == booking_id, OutboxMessage.user_id == client_id)
        .order_by(OutboxMessage.id)
    ):
        for att in msg.attachments or []:
            ics = att["content"]
            method = re.search(r"METHOD:(\w+)", ics).group(1)
            sequence = int(re.search(r"SEQUENCE:(\d+)", ics).group(1))
            found.append((method, sequence))
    return found


@pytest.mark.parametrize("round_", range(3))
def test_reschedule_against_cancel(db, clock, live_server, make_host, make_user, book, round_):
    """Never a cancelled booking that keeps its new time, its reminders, or a 'Moved' invite
    after the CANCEL: one of the two happens (or both, one after the other)."""
    host = make_host()
    me = make_user(password=PW)
    booking = book(me, host, FRI_9)
    new = FRI_9 + timedelta(days=1, hours=2)
    cookie = login_cookie(live_server, me.email, PW)

    results = at_once(
        [
            lambda: post(
                live_server,
                f"/sessions/bookings/{booking.id}/change",
                {"host": host.id, "start": new.isoformat()},
                cookie,
            ),
            lambda: post(live_server, f"/sessions/bookings/{booking.id}/cancel", {}, cookie),
        ]
    )

    _no_errors(results)
    now_ = _fresh(db, Booking, booking.id)
    invites = _invites(db, booking.id)
    sequences = [s for _, s in invites]
    assert sequences == sorted(set(sequences))  # each update newer than the last
    assert now_.ical_sequence == sequences[-1]
    scheduled = db.session.scalar(
        sa.select(sa.func.count(Occurrence.id)).where(
            Occurrence.host_id == host.id, Occurrence.status == OccurrenceStatus.SCHEDULED
        )
    )
    if now_.status == BookingStatus.CANCELLED:
        assert invites[-1][0] == "CANCEL" and scheduled == 0
    else:
        assert [m for m, _ in invites] == ["REQUEST", "REQUEST"] and scheduled == 1
        assert _fresh(db, Occurrence, booking.occurrence_id).starts_at == new
    assert problems() == []


def test_two_reschedules_at_once(db, clock, live_server, make_host, make_user, book):
    """SEQUENCE rises in SQL: two moves at once never write the same SEQUENCE, never 500."""
    host = make_host()
    me = make_user(password=PW)
    booking = book(me, host, FRI_9)
    targets = [FRI_9 + timedelta(days=1, hours=h) for h in (1, 3)]
    cookie = login_cookie(live_server, me.email, PW)

    results = at_once(
        [
            lambda t=t: post(
                live_server,
                f"/sessions/bookings/{booking.id}/change",
                {"host": host.id, "start": t.isoformat()},
                cookie,
            )
            for t in targets
        ]
    )

    _no_errors(results)
    now_ = _fresh(db, Booking, booking.id)
    moves = _events(db, booking.id, "rescheduled")
    assert moves in (1, 2) and now_.ical_sequence == moves
    last = db.session.scalars(
        sa.select(BookingEvent.to_start)
        .where(BookingEvent.booking_id == booking.id, BookingEvent.kind == "rescheduled")
        .order_by(BookingEvent.id.desc())
    ).first()
    start = _fresh(db, Occurrence, booking.occurrence_id).starts_at
    assert start == last and start in targets
    # R8: reminders for the time it has now, and only those.
    due = sorted(
        m.due_at
        for m in _mails(db, booking.id, "booking_reminder")
        if m.status == OutboxStatus.PENDING
    )
    assert due and all(start - d in {timedelta(hours=h) for h in (48, 24, 1)} for d in due)
    assert [s for _, s in _invites(db, booking.id)] == list(range(moves + 1))
    assert problems() == []


def test_staff_cancelling_a_date_while_a_client_cancels(
    db, clock, live_server, make_workshop, make_user, register
):
    staff = make_user("staff", password=PW)
    occ = make_workshop(capacity=3)
    me = make_user(password=PW)
    mine = register(me, occ)
    others = [register(make_user(), occ) for _ in range(2)]
    cs, cm = login_cookie(live_server, staff.email, PW), login_cookie(live_server, me.email, PW)

    results = at_once(
        [
            lambda: post(live_server, f"/staff/workshops/dates/{occ.id}/cancel", {}, cs),
            lambda: post(live_server, f"/sessions/bookings/{mine.id}/cancel", {}, cm),
        ]
    )

    _no_errors(results)
    for b in [mine, *others]:
        assert _fresh(db, Booking, b.id).status == BookingStatus.CANCELLED
        assert _events(db, b.id, "cancelled") == 1
        cancels = [m for m, _ in _invites(db, b.id) if m == "CANCEL"]
        assert cancels == ["CANCEL"]  # one CANCEL, from whoever came first
    assert _fresh(db, Occurrence, occ.id).status == OccurrenceStatus.CANCELLED
    assert problems() == []


def test_staff_moving_a_date_while_a_client_cancels(
    app, db, clock, live_server, make_workshop, make_user, register
):
    staff = make_user("staff", password=PW)
    occ = make_workshop(capacity=3)
    me = make_user(password=PW)
    mine = register(me, occ)
    other = register(make_user(), occ)
    cs, cm = login_cookie(live_server, staff.email, PW), login_cookie(live_server, me.email, PW)
    old_start = occ.starts_at
    new_day = (old_start + timedelta(days=2)).astimezone(UTC)
    form = {
        "day": new_day.strftime("%Y-%m-%d"),
        "time": "12:00",  # in the staff member's zone (Bucharest)
        "duration": "60",
        "host": str(occ.host_id),
        "capacity": "3",
        "meeting_url": "https://meet.example.com/w",
    }

    results = at_once(
        [
            lambda: post(live_server, f"/staff/workshops/dates/{occ.id}", form, cs),
            lambda: post(live_server, f"/sessions/bookings/{mine.id}/cancel", {}, cm),
        ]
    )

    _no_errors(results)
    moved_start = _fresh(db, Occurrence, occ.id).starts_at
    assert moved_start == datetime(2026, 12, 5, 10, 0, tzinfo=UTC) != old_start  # 12:00 EET
    assert _fresh(db, Booking, other.id).ical_sequence == 1
    mine_now = _fresh(db, Booking, mine.id)
    invites = _invites(db, mine.id)
    if mine_now.status == BookingStatus.CANCELLED:
        assert invites[-1][0] == "CANCEL"
    else:  # the move came first: the client's cancel was refused and they were told
        assert invites[-1] == ("REQUEST", 1)
    assert problems() == []
