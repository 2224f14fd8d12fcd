"""Workshop pages as clients and staff use them: the listing, registering, the roster."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import sqlalchemy as sa

from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.scheduling.links import rating_link
from academy.scheduling.models import Booking, BookingStatus, NoShow, Occurrence, Offering
from tests.fixtures.app import request_context
from tests.fixtures.scheduling import THU


def test_listing_shows_seats_left_and_full_in_the_clients_zone(
    client, login, make_workshop, make_user, register
):
    open_ = make_workshop(capacity=5, title="Invoices in depth")
    full = make_workshop(capacity=2, title="Client portal basics", start=THU + timedelta(days=1))
    register(make_user(), open_)
    register(make_user(), full)
    register(make_user(), full)
    login(make_user(timezone="America/New_York"))
    page = client.get("/workshops/").text
    assert "Invoices in depth" in page and "4 seats left" in page
    assert "Full — join the waitlist" in page and "Join the waitlist" in page
    assert "Thursday, December 3, 2026, 4:00\u202fAM (America/New York)" in page


def test_filters_and_empty_state(client, make_workshop):
    make_workshop(title="Billing for beginners", product_area="billing", level="beginner")
    make_workshop(
        title="Advanced pipelines",
        product_area="workflow",
        level="advanced",
        language="ro",
        start=THU + timedelta(days=10),
    )
    page = client.get("/workshops/?area=workflow").text
    assert "Advanced pipelines" in page and "Billing for beginners" not in page
    page = client.get("/workshops/?level=beginner&language=en").text
    assert "Billing for beginners" in page and "Advanced pipelines" not in page
    page = client.get("/workshops/?start=2026-12-10").text
    assert "Advanced pipelines" in page and "Billing for beginners" not in page
    page = client.get("/workshops/?area=documents").text
    assert "No workshops match these filters." in page
    assert client.get("/workshops/?start=not-a-date").status_code == 200
    assert "Log in to register" in client.get("/workshops/").text  # a visitor


def test_past_cancelled_and_unlisted_dates_are_not_offered(
    app, client, db, clock, make_workshop, make_user
):
    from academy.scheduling.workshops import cancel_occurrence

    gone = make_workshop(title="Cancelled one")
    with request_context(app):
        cancel_occurrence(gone, by=make_user("staff"))
    hidden = make_workshop(title="Unlisted one")
    db.session.get(Offering, hidden.offering_id).active = False
    db.session.commit()
    page = client.get("/workshops/").text
    assert "Cancelled one" not in page and "Unlisted one" not in page
    assert "No workshops are scheduled right now." in page
    assert client.get(f"/workshops/{hidden.offering.slug}").status_code == 404


def test_register_in_one_click_then_the_waitlist_position(
    client, login, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2, title="Invoices in depth")
    register(make_user(), occ)
    login(make_user())
    r = client.post(f"/workshops/dates/{occ.id}/register")
    assert r.status_code == 302 and "/sessions/bookings/" in r.location
    page = client.get(r.location).text
    assert "Confirmed" in page and "Invoices in depth" in page
    assert "You are registered" in client.get(f"/workshops/{occ.offering.slug}").text
    login(make_user())
    r = client.post(f"/workshops/dates/{occ.id}/register")
    page = client.get(r.location).text
    assert "On the waitlist" in page and "You are number 1 on the waitlist" in page
    assert "Waitlist: number 1" in client.get("/workshops/").text


def test_refused_clients_are_told_why_and_see_no_button(client, login, make_workshop, make_user):
    occ = make_workshop()
    login(make_user(plan="starter"))
    page = client.get("/workshops/").text
    assert "You cannot register for workshops now." in page and "available on" in page
    assert f"/workshops/dates/{occ.id}/register" not in page
    r = client.post(f"/workshops/dates/{occ.id}/register", follow_redirects=True)
    assert "available on" in r.text


def test_wrong_ids_are_404(client, login, make_user, make_workshop, register, book, make_host):
    from datetime import UTC, datetime

    login(make_user())
    assert client.get("/workshops/no-such-workshop").status_code == 404
    assert client.post("/workshops/dates/999999/register").status_code == 404
    one_on_one = book(make_user(), make_host(), datetime(2026, 11, 27, 7, tzinfo=UTC))
    assert client.post(f"/workshops/dates/{one_on_one.occurrence_id}/register").status_code == 404
    someone_elses = register(make_user(), make_workshop())
    assert client.get(f"/sessions/bookings/{someone_elses.id}").status_code == 404
    assert client.get(f"/sessions/bookings/{someone_elses.id}/rate").status_code == 404
    login(make_user("staff"))
    assert client.get("/staff/workshops/999999").status_code == 404
    assert client.get("/staff/workshops/dates/999999").status_code == 404


def test_staff_create_a_workshop_errors_keep_what_was_typed(client, db, login, make_user):
    staff = login(make_user("staff", name="Ioana Staff"))
    form = {
        "title": "",
        "description": "We cover **e-signatures**.",
        "level": "beginner",
        "product_area": "documents",
        "language": "ro",
        "host": staff.id,
        "capacity": "1",
        "duration": "60",
        "meeting_url": "not a url",
        "active": "y",
    }
    page = client.post("/staff/workshops/new", data=form).text
    assert "This field is required." in page
    assert "We cover **e-signatures**." in page  # nothing typed is lost
    assert "Number must be between 2 and 1000." in page and "Invalid URL." in page
    form.update(
        title="Semnături electronice", capacity="12", meeting_url="https://meet.example.com/x"
    )
    r = client.post("/staff/workshops/new", data=form)
    offering = db.session.scalar(
        sa.select(Offering).where(Offering.title == "Semnături electronice")
    )
    assert r.status_code == 302 and offering.slug == "semnaturi-electronice"
    assert offering.capacity == 12 and offering.language == "ro"


def test_staff_add_a_date_in_their_zone_and_refuse_the_past(
    client, db, login, make_user, make_workshop
):
    occ = make_workshop()
    staff = login(make_user("staff", timezone="Europe/Bucharest"))
    url = f"/staff/workshops/{occ.offering_id}"
    data = {
        "day": "2026-11-20",
        "time": "10:00",
        "duration": "90",
        "host": staff.id,
        "capacity": "8",
    }
    page = client.post(url, data=data).text
    assert "Choose a time in the future." in page and 'value="2026-11-20"' in page
    data["day"] = "2026-12-15"
    r = client.post(url, data=data)
    assert r.status_code == 302
    new = db.session.scalar(sa.select(Occurrence).order_by(Occurrence.id.desc()))
    assert new.starts_at.isoformat() == "2026-12-15T08:00:00+00:00"  # 10:00 in Bucharest
    assert (new.capacity, new.ends_at - new.starts_at) == (8, timedelta(minutes=90))


def test_roster_attendance_feeds_the_no_show_ledger_and_exports(
    client, db, clock, login, make_user, make_workshop, register
):
    occ = make_workshop(capacity=2)
    came = register(make_user(name="Ana Came"), occ)
    absent = register(make_user(name="=HYPERLINK(evil)"), occ)
    register(make_user(name="Radu Waiting"), occ)
    login(make_user("staff"))
    page = client.get(f"/staff/workshops/dates/{occ.id}").text
    assert "Registered (2)" in page and "Waitlist (1)" in page and "Radu Waiting" in page
    assert "After the start" in page
    clock.freeze(THU + timedelta(minutes=65))
    url = f"/staff/workshops/dates/{occ.id}/bookings"
    client.post(f"{url}/{came.id}/outcome", data={"outcome": "attended"})
    client.post(f"{url}/{absent.id}/outcome", data={"outcome": "no_show"})
    assert db.session.scalar(sa.select(NoShow.booking_id)) == absent.id  # R12
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/staff/workshops/dates/{occ.id}/roster.csv").text))
    )
    assert [(r["name"], r["status"], r["outcome"]) for r in rows] == [
        ("Ana Came", "confirmed", "attended"),
        ("'=HYPERLINK(evil)", "confirmed", "no_show"),
        ("Radu Waiting", "waitlisted", ""),
    ]
    assert rows[2]["waitlist_position"] == "1"


def test_staff_cancel_a_date_asks_first(client, db, login, make_user, make_workshop, register):
    occ = make_workshop()
    register(make_user(), occ)
    login(make_user("staff"))
    page = client.get(f"/staff/workshops/dates/{occ.id}/cancel").text
    assert "1 registrant will receive an apology email" in page
    assert db.session.get(Occurrence, occ.id).status == "scheduled"  # GET changed nothing
    r = client.post(f"/staff/workshops/dates/{occ.id}/cancel", follow_redirects=True)
    assert "1 registrants have been told" in r.text or "registrants have been told" in r.text
    db.session.expire_all()
    assert db.session.get(Occurrence, occ.id).status == "cancelled"


def test_rating_after_the_end_from_the_account_or_the_email(
    app, client, clock, db, login, make_user, make_workshop, register
):
    occ = make_workshop(title="Invoices in depth")
    me = make_user()
    booking = register(me, occ)
    login(me)
    assert "Rate it" not in client.get(f"/sessions/bookings/{booking.id}").text
    clock.freeze(THU + timedelta(hours=2))
    assert "Rate it" in client.get(f"/sessions/bookings/{booking.id}").text
    page = client.post(f"/sessions/bookings/{booking.id}/rate", data={"message": "Great"}).text
    assert "Choose a rating from 1 to 5." in page and "Great" in page
    with request_context(app):
        link = rating_link(booking)
    client.get("/logout")
    r = client.post(link.split("localhost", 1)[-1], data={"rating": "4", "message": "Great"})
    assert r.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem))
    assert (item.kind, item.rating, item.message, item.booking_id) == (
        FeedbackKind.WORKSHOP,
        4,
        "Great",
        booking.id,
    )
    assert "Invoices in depth" in item.subject_title
    assert "You rated this 4 out of 5" in client.get(link.split("localhost", 1)[-1]).text
    assert client.get("/sessions/r/forged-token").status_code == 400


def test_a_client_changes_to_another_date(client, db, login, make_user, make_workshop, register):
    from academy.scheduling.workshops import schedule

    occ = make_workshop(title="Invoices in depth")
    me = login(make_user())
    booking = register(me, occ)
    later = schedule(
        occ.offering,
        start=THU + timedelta(days=7),
        minutes=60,
        host=occ.host,
        capacity=3,
        meeting_url="",
    )
    page = client.get(f"/sessions/bookings/{booking.id}/change").text
    assert "Change the date" in page and "Thursday, December 10, 2026" in page
    r = client.post(f"/sessions/bookings/{booking.id}/change", data={"occurrence": later.id})
    assert r.status_code == 200 and "Your session has moved" in r.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).occurrence_id == later.id
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED


def test_r9_the_emails_change_link_offers_other_dates_without_logging_in(
    app, client, make_user, make_workshop, register
):
    from academy.scheduling.links import links_for
    from academy.scheduling.workshops import schedule

    occ = make_workshop(title="Invoices in depth")
    booking = register(make_user(), occ)
    with request_context(app):
        schedule(
            occ.offering,
            start=THU + timedelta(days=7),
            minutes=60,
            host=occ.host,
            capacity=3,
            meeting_url="",
        )
        change = links_for(booking)["change"].split("localhost", 1)[-1]
    page = client.get(change).text
    assert "Change the date" in page and "Move to this date" in page
    assert "Thursday, December 10, 2026" in page
