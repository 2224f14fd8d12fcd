"""1:1 session pages as a client and as staff would use them."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import vobject

from academy.notifications.dispatcher import dispatch_due
from academy.scheduling.links import token_for
from academy.scheduling.models import AvailabilityWindow, Booking, BookingEvent, BookingStatus
from tests.fixtures.app import request_context

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


@pytest.fixture
def host(clock, make_host):
    return make_host(name="Mihai Ionescu")


def test_slots_page_shows_free_times_in_the_clients_zone(client, login, make_user, host):
    login(make_user(timezone="America/New_York"))
    html = client.get("/sessions/quick-assist/").text
    assert "Times in America/New York." in html
    # Friday 09:00 Bucharest is 02:00 in New York.
    assert 'value="2026-11-27T07:00:00+00:00"' in html
    friday = html.split(">Friday, 27 November</h2>")[1].split("</section>")[0]
    assert '<span class="slot__time">2:00\u202fAM</span>' in friday
    assert 'value="2026-11-27T07:00:00+00:00"' in friday
    nxt = client.get("/sessions/quick-assist/?week=1").text
    assert "2026-11-27T07:00:00" not in nxt and "2026-12-03" in nxt


def test_r2_refusal_is_shown_on_the_sessions_page(client, login, make_user, host):
    login(make_user(plan="pro", seats=1))
    html = client.get("/sessions/").text
    assert "You cannot book a 1:1 session now." in html
    assert "2 or more users" in html
    assert "See free times" not in html
    slots = client.get("/sessions/quick-assist/").text
    assert 'name="start"' not in slots


def test_book_from_the_page_then_see_it_in_my_sessions(client, db, login, make_user, host):
    user = login(make_user())
    start = FRI_9.isoformat()
    confirm = client.get(
        "/sessions/quick-assist/book", query_string={"host": host.id, "start": start}
    )
    assert "Confirm your session" in confirm.text and "Mihai Ionescu" in confirm.text
    r = client.post(
        "/sessions/quick-assist/book",
        data={"host": host.id, "start": start, "note": "Recurring invoices"},
    )
    assert r.status_code == 302
    booking = db.session.scalar(sa.select(Booking))
    assert booking.user_id == user.id and booking.note == "Recurring invoices"
    mine = client.get("/sessions/mine").text
    assert "Quick assist" in mine and "Friday, November 27, 2026, 9:00\u202fAM" in mine
    page = client.get(r.headers["Location"]).text
    assert "https://meet.example.com/room" in page  # the booker sees the meeting link


def test_a_taken_slot_says_so_and_shows_the_next_free_times(client, login, make_user, host, book):
    book(make_user(), host, FRI_9)
    login(make_user())
    r = client.post(
        "/sessions/quick-assist/book",
        data={"host": host.id, "start": FRI_9.isoformat()},
        follow_redirects=True,
    )
    assert "This time was just taken" in r.text
    assert 'value="2026-11-27T07:30:00+00:00"' in r.text  # the next free slot is offered


def test_no_slot_chosen_goes_back_to_the_list(client, login, make_user, host):
    login(make_user())
    r = client.get("/sessions/quick-assist/book")
    assert r.status_code == 302 and r.headers["Location"].endswith("/sessions/quick-assist/")


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"host": "x", "start": "2026-11-27T07:00:00+00:00"}, 400, "“host” must be a number"),
        ({"host": "²", "start": "2026-11-27T07:00:00+00:00"}, 400, "“host” must be a number"),
        ({"host": "\u0661", "start": "2026-11-27T07:00:00+00:00"}, 400, "“host” must be a number"),
        ({"host": str(2**31), "start": "2026-11-27T07:00:00+00:00"}, 404, "Page not found"),
        ({"host": "9" * 5000, "start": "2026-11-27T07:00:00+00:00"}, 404, "Page not found"),
        ({"host": "1", "start": "y"}, 400, "“start” must be a time with its time zone offset"),
        ({"host": "1", "start": "2026-11-27T07:00"}, 400, "time zone offset"),  # no offset
        ({"host": "1", "start": "0001-01-01T00:00:00+14:00"}, 400, "time zone offset"),
        ({"host": "1", "start": "9999-12-31T23:59:59-14:00"}, 400, "time zone offset"),
    ],
)
def test_junk_slot_values_are_a_clear_error_page(client, login, make_user, params, status, says):
    """One parser for ids and instants (core.params): never an overflow or a 500."""
    login(make_user())
    for method in (client.get, client.post):
        key = "query_string" if method == client.get else "data"
        r = method("/sessions/quick-assist/book", **{key: params})
        assert r.status_code == status and says in r.text


def test_another_clients_booking_is_a_404(client, login, make_user, host, book):
    booking = book(make_user(), host, FRI_9)
    login(make_user())
    for url in [
        f"/sessions/bookings/{booking.id}",
        f"/sessions/bookings/{booking.id}/cancel",
        f"/sessions/bookings/{booking.id}/change",
        f"/sessions/bookings/{booking.id}/calendar.ics",
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(f"/sessions/bookings/{booking.id}/cancel").status_code == 404


def test_r9_email_cancel_link_works_logged_out_and_get_changes_nothing(
    app, client, db, make_user, host, book
):
    booking = book(make_user(), host, FRI_9)
    with request_context(app):
        url = f"/sessions/b/{token_for(booking)}/cancel"
    page = client.get(url)
    assert page.status_code == 200 and "Cancel the session?" in page.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CONFIRMED
    done = client.post(url)
    assert "Your session is cancelled" in done.text
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).status == BookingStatus.CANCELLED
    event = db.session.scalars(sa.select(BookingEvent).order_by(BookingEvent.id.desc())).first()
    assert event.via == "email" and not event.late


def test_r10_late_change_is_announced_before_confirming(app, client, make_user, host, book, clock):
    booking = book(make_user(), host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=23))
    with request_context(app):
        token = token_for(booking)
    for url in [f"/sessions/b/{token}/cancel", f"/sessions/b/{token}/change"]:
        html = client.get(url).text
        assert "counts as a no-show" in html, url


def test_r9_tampered_and_expired_links_get_a_clear_page(app, client, make_user, host, book, clock):
    booking = book(make_user(), host, FRI_9)
    with request_context(app):
        token = token_for(booking)
    tampered = token[:-3] + ("xyz" if not token.endswith("xyz") else "abc")
    for url in [f"/sessions/b/{tampered}/cancel", "/sessions/b/not-a-token/change"]:
        r = client.get(url)
        assert r.status_code == 400 and "The link is incomplete or was changed" in r.text
        assert client.post(url).status_code == 400
    clock.freeze(FRI_9)
    r = client.get(f"/sessions/b/{token}/cancel")
    assert r.status_code == 400 and "already started" in r.text


def test_r9_a_link_is_bound_to_its_booking(app, client, make_user, host, book):
    """A signed token for booking A cannot be edited to act on booking B."""
    a = book(make_user(), host, FRI_9)
    b = book(make_user(), host, FRI_9 + timedelta(hours=1))
    from academy.core.tokens import make_token

    with request_context(app):
        forged = make_token("booking-link", {"b": b.id, "u": a.user_id})
    assert client.get(f"/sessions/b/{forged}/cancel").status_code == 400


def test_change_through_the_email_link_moves_the_session(
    app, client, db, make_user, host, book, smtp
):
    booking = book(make_user(), host, FRI_9)
    dispatch_due()
    link = re.search(
        r"http://localhost(/sessions/b/\S+/change)",
        smtp.messages[0].get_body(("plain",)).get_content(),
    ).group(1)
    page = client.get(link).text
    assert "Change the time" in page and 'value="2026-11-27T07:30:00+00:00"' in page
    r = client.post(link, data={"host": host.id, "start": "2026-11-28T08:00:00+00:00"})
    assert "Your session has moved" in r.text
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved.ical_sequence == 1


def test_calendar_download_is_the_same_event(client, login, make_user, host, book):
    user = login(make_user())
    booking = book(user, host, FRI_9)
    r = client.get(f"/sessions/bookings/{booking.id}/calendar.ics")
    assert r.mimetype == "text/calendar"
    event = vobject.readOne(r.text).vevent
    assert event.uid.value == booking.ical_uid and event.dtstart.value == FRI_9


def test_staff_schedule_filters_by_host_date_and_client(
    client, login, make_user, make_host, host, book
):
    other_host = make_host(name="Other Host")
    book(make_user(name="Ana Popescu"), host, FRI_9)
    book(make_user(name="Dan Stoica"), other_host, FRI_9)
    login(host)
    mine = client.get("/staff/sessions").text
    assert "Ana Popescu" in mine and "Dan Stoica" not in mine
    everyone = client.get("/staff/sessions?host=").text
    assert "Ana Popescu" in everyone and "Dan Stoica" in everyone
    assert "Dan Stoica" not in client.get("/staff/sessions?host=&q=ana").text
    assert "No sessions match" in client.get("/staff/sessions?host=&start=2026-11-28").text


def test_staff_edit_weekly_hours_with_errors_beside_the_fields(client, db, login, make_user, clock):
    staff = login(make_user("staff"))
    bad = client.post(
        "/staff/availability",
        data={
            "d0_1_start": "09:00",
            "d0_1_end": "08:00",
            "d1_1_start": "09:15",
            "d1_1_end": "10:00",
            "d2_1_start": "09:00",
        },
    )
    assert "The end must be after the start." in bad.text
    assert "Use times on the hour or half hour." in bad.text
    assert "Give both a start and an end, or neither." in bad.text
    ok = client.post(
        "/staff/availability",
        data={
            "d0_1_start": "09:00",
            "d0_1_end": "12:00",
            "d0_2_start": "13:00",
            "d0_2_end": "17:00",
        },
    )
    assert ok.status_code == 302
    windows = db.session.scalars(
        sa.select(AvailabilityWindow).where(AvailabilityWindow.host_id == staff.id)
    ).all()
    assert len(windows) == 2
    overlap = client.post(
        "/staff/availability",
        data={
            "d0_1_start": "09:00",
            "d0_1_end": "12:00",
            "d0_2_start": "11:00",
            "d0_2_end": "13:00",
        },
    )
    assert "The two periods overlap." in overlap.text


def test_notification_log_shows_messages_and_filters(client, login, make_user, host, book):
    booking = book(make_user(), host, FRI_9)
    login(host)
    html = client.get(f"/staff/notifications?booking={booking.id}").text
    assert "Confirmed: Quick assist" in html and "Pending" in html
    assert "No messages match" in client.get("/staff/notifications?status=failed").text
    assert client.get("/staff/notifications").status_code == 200


def test_clients_cannot_see_staff_session_pages(client, login, make_user):
    login(make_user())
    for url in ["/staff/sessions", "/staff/availability", "/staff/notifications"]:
        assert client.get(url).status_code == 403


JUNK_IDS = ["x", "²", "\u0661\u0662", str(2**31), "9" * 5000, "-1", "0"]
JUNK_STARTS = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00", "tomorrow", "9" * 5000]


def test_junk_on_change_and_move_is_a_clear_error_never_a_500(
    client, login, make_user, host, book, make_workshop, register
):
    """One parser for every form of the booking pages (core.params): a 400 or 404 page."""
    me = make_user()
    booking = book(me, host, FRI_9)
    registration = register(me, make_workshop(capacity=5))
    login(me)
    for value in JUNK_IDS:
        for form in (
            {"host": value, "start": FRI_9.isoformat()},
            {"host": str(host.id), "start": JUNK_STARTS[0]},
        ):
            r = client.post(f"/sessions/bookings/{booking.id}/change", data=form)
            assert r.status_code in (400, 404), (form, r.status_code)
        r = client.post(f"/sessions/bookings/{registration.id}/change", data={"occurrence": value})
        assert r.status_code in (400, 404), (value, r.status_code)
    for start in JUNK_STARTS:
        r = client.post(
            f"/sessions/bookings/{booking.id}/change", data={"host": host.id, "start": start}
        )
        assert r.status_code == 400 and "time zone offset" in r.text
    for path in (
        f"/workshops/dates/{2**31}/register",
        f"/workshops/dates/{'9' * 5000}/register",
        "/workshops/dates/%C2%B2/register",
    ):
        assert client.post(path).status_code == 404
    # Nothing changed on the way.
    assert client.get(f"/sessions/bookings/{booking.id}").status_code == 200
