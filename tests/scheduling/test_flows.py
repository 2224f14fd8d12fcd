"""Defects found walking the site as clients and hosts (issue 19), each pinned by a test."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from academy.notifications.models import OutboxMessage
from academy.scheduling.models import Booking, NoShow, Outcome

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


@pytest.fixture
def host(clock, make_host):
    return make_host(name="Mihai Ionescu")


def _kinds(db, user) -> list[str]:
    return db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.user_id == user.id)
    ).all()


def test_staff_moving_a_clients_session_late_is_not_the_clients_no_show(
    db, client, login, make_user, host, book, clock
):
    """Defect 2: R10/R12 count the client's own late changes, not ours."""
    me = make_user()
    booking = book(me, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=3))
    login(host)
    new = FRI_9 + timedelta(hours=2)
    page = client.get(f"/sessions/bookings/{booking.id}/change").text
    assert "counts as a no-show" not in page  # staff are not warned of what does not apply
    r = client.post(
        f"/sessions/bookings/{booking.id}/change", data={"host": host.id, "start": new.isoformat()}
    )
    assert r.status_code == 200 and "has moved" in r.text
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0
    kinds = _kinds(db, me)
    assert "booking_rescheduled" in kinds and "noshow_warning" not in kinds


def test_r13_outcomes_wait_for_five_unresponsive_minutes(
    db, client, login, make_user, host, book, clock
):
    """Defect 3: 'interrupted' 20 s after the start emailed 'unresponsive for more than five
    minutes'; a no-show could be marked 13 s after the start."""
    booking = book(make_user(), host, FRI_9)
    login(host)
    for seconds, outcome in ((13, "no_show"), (20, "interrupted"), (300, "no_show")):
        clock.freeze(FRI_9 + timedelta(seconds=seconds))
        r = client.post(
            f"/staff/bookings/{booking.id}/outcome",
            data={"outcome": outcome},
            follow_redirects=True,
        )
        assert "unresponsive for more than 5 minutes" in r.text
        assert db.session.get(Booking, booking.id).outcome is None
    clock.freeze(FRI_9 + timedelta(minutes=6))
    client.post(f"/staff/bookings/{booking.id}/outcome", data={"outcome": "interrupted"})
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).outcome == Outcome.INTERRUPTED


def _mark(app, booking, outcome, by):
    from academy.scheduling import attendance
    from tests.fixtures.app import request_context

    with request_context(app):
        attendance.mark_outcome(booking, outcome, by=by)


def _two_no_shows(app, book, client, host, clock):
    first = book(client, host, FRI_9)
    clock.freeze(FRI_9 + timedelta(hours=1))
    _mark(app, first, Outcome.NO_SHOW, host)
    second = book(client, host, FRI_9 + timedelta(days=7))
    clock.freeze(FRI_9 + timedelta(days=7, hours=1))
    _mark(app, second, Outcome.NO_SHOW, host)
    return first, second


def test_after_a_second_no_show_home_says_the_penalty_once_with_its_dates(
    app, client, login, make_user, host, book, clock
):
    """Defect 10: the home showed both 'Nothing changes for now' and the penalty, undated."""
    me = make_user(plan="business")  # the Business plan's penalty is the six-month wait
    _two_no_shows(app, book, me, host, clock)
    login(me)
    home = client.get("/").text
    assert "Nothing changes for now" not in home
    assert home.count('class="notice notice--blocked"') == 1
    assert "the latest on December 4, 2026" in home
    assert "you can book your next session from June 4, 2027" in home


def test_the_fee_is_in_the_confirmation_email_and_the_booking_shows_its_outcome(
    app, db, client, login, make_user, host, book, offering, clock
):
    """Defect 10: the fee owed was not in the confirmation email; a booking page stayed
    'Confirmed' after its outcome was recorded."""
    from academy.scheduling import services
    from tests.fixtures.app import request_context

    me = make_user(plan="pro")  # the Pro plan's penalty is a fee
    first, _ = _two_no_shows(app, book, me, host, clock)
    with request_context(app):
        paid = services.book_one_on_one(
            me, offering(), host.id, FRI_9 + timedelta(days=9), fee_acknowledged=True
        )
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(
            OutboxMessage.booking_id == paid.id, OutboxMessage.kind == "booking_confirmed"
        )
    ).all()
    assert "Fee: 50 EUR" in mail.body_text and "50 EUR</strong>" in mail.body_html
    login(me)
    page = client.get(f"/sessions/bookings/{first.id}").text
    assert '<span class="badge badge--cancelled">No-show</span>' in page
    assert ">Confirmed<" not in page


def test_one_on_ones_get_a_rating_email_but_not_after_a_no_show(
    app, db, client, login, make_user, host, book, clock
):
    """Defect 10: 1:1 sessions got no rating email, and 'Rate it' was offered after a no-show."""
    me = make_user()
    kept, missed = book(me, host, FRI_9), book(me, host, FRI_9 + timedelta(hours=2))

    def rating_mails(booking):
        return db.session.scalars(
            sa.select(OutboxMessage.status).where(
                OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "rating_request"
            )
        ).all()

    assert rating_mails(kept) == ["pending"] and rating_mails(missed) == ["pending"]
    clock.freeze(FRI_9 + timedelta(hours=3))
    _mark(app, kept, Outcome.ATTENDED, host)
    _mark(app, missed, Outcome.NO_SHOW, host)
    assert rating_mails(missed) == ["cancelled"]  # withdrawn
    login(me)
    assert "Rate it" in client.get(f"/sessions/bookings/{kept.id}").text
    assert "Rate it" not in client.get(f"/sessions/bookings/{missed.id}").text
    r = client.post(f"/sessions/bookings/{missed.id}/rate", data={"rating": "5"})
    assert "nothing to rate" in r.text


def test_a_restriction_reads_the_same_date_for_the_client_and_for_staff(
    app, db, client, login, make_user, clock
):
    """Defect 11: 'until 14 January' for the client and 'Jan 15' for staff. Both now see the
    same instant, each in their zone and naming it; staff are not told 'Your access'."""
    from academy.conduct.models import Incident, IncidentReview, Restriction

    staff = make_user("staff", timezone="Europe/Bucharest")
    me = make_user(timezone="America/New_York")
    until = datetime(2027, 1, 14, 22, 0, tzinfo=UTC)  # 15 January, 00:00 in Bucharest
    incident = Incident(client_id=me.id, reported_by_id=staff.id, category="rude", description="x")
    db.session.add(incident)
    db.session.flush()
    review = IncidentReview(
        incident_id=incident.id, reviewer_id=staff.id, measure="temporary", until=until, reason="y"
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(Restriction(user_id=me.id, review_id=review.id, permanent=False, until=until))
    db.session.commit()

    login(me)
    assert "January 14, 2027, 5:00\u202fPM (America/New York)" in client.get("/").text
    login(staff)
    page = client.get(f"/staff/clients/{me.id}").text
    assert "January 15, 2027, 12:00\u202fAM (Europe/Bucharest)" in page
    assert "What this client is told when booking" in page


def test_a_past_workshop_date_is_not_open(client, login, make_user, make_workshop, clock):
    occ = make_workshop()
    staff = make_user("staff")
    login(staff)
    clock.freeze(occ.starts_at + timedelta(hours=2))
    page = client.get(f"/staff/workshops/{occ.offering_id}?when=past").text
    assert ">Held<" in page and ">Open<" not in page


def test_sms_rows_in_the_log_say_what_they_are(db, client, login, make_user, host, book):
    book(make_user(phone="+40 721 000 111"), host, FRI_9)
    login(host)
    page = client.get("/staff/notifications?status=pending").text
    assert "SMS · booking_reminder" not in page
    assert "SMS · TaxDome: Quick assist at 11/27/26, 9:00 AM (Europe/Bucharest)" in page


def test_a_day_off_over_a_booked_session_warns_the_host(client, login, make_user, host, book):
    book(make_user(), host, FRI_9)
    login(host)
    r = client.post(
        "/staff/availability",
        data={"off-day": "2026-11-27", "off-reason": "Training"},
        follow_redirects=True,
    )
    assert "Day off added." in r.text
    assert "You still have 1 session that day (9:00\u202fAM)" in r.text


def test_the_romanian_second_no_show_email_is_all_romanian(app, db, make_user, host, book, clock):
    """Defect 5: the Romanian email about a second no-show had an English sentence (the
    penalty was explained in the request's language, not the recipient's), and its date was
    in the staff member's zone."""
    me = make_user(plan="business", language="ro", timezone="America/New_York")
    _two_no_shows(app, book, me, host, clock)
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "noshow_penalty")
    ).all()
    assert "După a doua neprezentare în 12 luni" in mail.body_text
    assert "After a second" not in mail.body_text and "After a second" not in mail.body_html
    assert "(America/New York)" in mail.body_text  # the recipient's zone


def test_the_staff_schedule_shows_the_waitlist_and_outcomes(
    app, client, login, make_user, host, book, make_workshop, register, clock
):
    """Defect 6: Staff → Schedule showed waitlisted clients as 'Confirmed', never outcomes."""
    occ = make_workshop(capacity=2, host=host)
    register(make_user(name="Seated One"), occ)
    register(make_user(name="Seated Two"), occ)
    register(make_user(name="Waiting Three"), occ)
    missed = book(make_user(name="Missed Four"), host, FRI_9)
    clock.freeze(FRI_9 + timedelta(minutes=10))
    _mark(app, missed, Outcome.NO_SHOW, host)
    login(host)
    page = client.get("/staff/sessions?start=2026-11-25&end=2026-12-31").text
    rows = {
        name: status
        for name, status in re.findall(
            r"<td>([^<]+)<br><span class=\"muted\">[^<]+</span></td>\s*<td>[^<]*</td>\s*"
            r"<td><span class=\"badge[^\"]*\">([^<]+)</span></td>",
            page,
        )
    }
    assert rows == {
        "Seated One": "Confirmed",
        "Seated Two": "Confirmed",
        "Waiting Three": "On the waitlist",
        "Missed Four": "No-show",
    }
