"""Booking emails over real SMTP: invites parsed by an independent parser (vobject), POLICY R9
links in every message, R11 UID/SEQUENCE/METHOD, times right across daylight-saving changes."""

from datetime import UTC, datetime, timedelta

import pytest
import vobject

from academy.notifications.dispatcher import dispatch_due
from academy.scheduling import services
from tests.fixtures.app import request_context
from tests.fixtures.mail import calendar_part


def _invite(message):
    part = calendar_part(message)
    assert part.get_param("method") in {"REQUEST", "CANCEL"}
    return vobject.readOne(part.get_content())


def _plain(message) -> str:
    return message.get_body(("plain",)).get_content()


@pytest.mark.parametrize(
    ("now", "start", "zone", "local_text"),
    [
        # New York, the Friday before the March change (EST, UTC-5) and the Monday after (EDT).
        (
            datetime(2027, 3, 8, 12, tzinfo=UTC),
            datetime(2027, 3, 12, 14, tzinfo=UTC),
            "America/New_York",
            "Friday, March 12, 2027, 9:00\u202fAM (America/New York)",
        ),
        (
            datetime(2027, 3, 8, 12, tzinfo=UTC),
            datetime(2027, 3, 15, 14, tzinfo=UTC),
            "America/New_York",
            "Monday, March 15, 2027, 10:00\u202fAM (America/New York)",
        ),
        # ...and around the November change (EDT until 1 Nov 2026, EST after).
        (
            datetime(2026, 10, 26, 12, tzinfo=UTC),
            datetime(2026, 10, 30, 14, tzinfo=UTC),
            "America/New_York",
            "Friday, October 30, 2026, 10:00\u202fAM (America/New York)",
        ),
        (
            datetime(2026, 10, 26, 12, tzinfo=UTC),
            datetime(2026, 11, 2, 14, tzinfo=UTC),
            "America/New_York",
            "Monday, November 2, 2026, 9:00\u202fAM (America/New York)",
        ),
        (
            datetime(2026, 11, 25, 10, tzinfo=UTC),
            datetime(2026, 12, 1, 8, tzinfo=UTC),
            "Europe/Bucharest",
            "Tuesday, December 1, 2026, 10:00\u202fAM (Europe/Bucharest)",
        ),
    ],
)
def test_r11_confirmation_invite_is_right_in_the_clients_zone(
    clock, make_host, make_user, book, smtp, now, start, zone, local_text
):
    clock.freeze(now)
    host = make_host(start=0, end=23, zone="UTC", name="Mihai Ionescu")
    client = make_user(timezone=zone, name="Ana Popescu")
    booking = book(client, host, start)
    dispatch_due()
    [mail] = smtp.to(client.email)
    assert mail["Subject"] == "Confirmed: Quick assist"
    assert local_text in _plain(mail)
    cal = _invite(mail)
    assert cal.method.value == "REQUEST"
    event = cal.vevent
    assert event.uid.value == booking.ical_uid
    assert int(event.sequence.value) == 0
    assert event.dtstart.value == start and event.dtstart.value.tzinfo is not None
    assert event.dtend.value - event.dtstart.value == timedelta(minutes=30)
    assert event.organizer.params["CN"] == ["Mihai Ionescu"]
    assert event.attendee.value == f"mailto:{client.email}"
    # POLICY R9: the change and cancel links are in the invite and the email.
    assert "/sessions/b/" in event.description.value
    assert "/sessions/b/" in _plain(mail) and "/change" in _plain(mail)


def test_r11_reschedule_updates_and_cancel_cancels_the_same_event(
    app, clock, make_host, make_user, book, smtp
):
    host = make_host()
    client = make_user()
    start = datetime(2026, 12, 2, 8, tzinfo=UTC)
    booking = book(client, host, start)
    with request_context(app):
        services.reschedule(booking, host.id, start + timedelta(days=1), by=client, via="account")
        services.cancel(booking, by=client, via="account")
    dispatch_due()
    confirmed, moved, cancelled = (_invite(m) for m in smtp.to(client.email))
    uids = {c.vevent.uid.value for c in (confirmed, moved, cancelled)}
    assert uids == {booking.ical_uid}
    assert [int(c.vevent.sequence.value) for c in (confirmed, moved, cancelled)] == [0, 1, 2]
    assert [c.method.value for c in (confirmed, moved, cancelled)] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert moved.vevent.dtstart.value == start + timedelta(days=1)
    assert cancelled.vevent.status.value == "CANCELLED"


def test_r8_reminders_go_out_at_their_time_once_and_carry_the_links(
    db, clock, make_host, make_user, book, smtp, app
):
    host = make_host()
    client = make_user(phone="+40 721 000 111")
    app.config["SMS_FILE_DIR"] = str(app.config["MAIL_FILE_DIR"]) + "-sms"
    start = datetime(2026, 12, 4, 8, tzinfo=UTC)
    book(client, host, start)
    dispatch_due()  # the confirmation
    for before in (timedelta(hours=48), timedelta(hours=24), timedelta(hours=1)):
        clock.freeze(start - before)
        assert dispatch_due().sent == 1
        assert dispatch_due().sent == 0  # at most once
    reminders = [m for m in smtp.to(client.email) if m["Subject"].startswith("Reminder")]
    assert len(reminders) == 3
    assert all("/sessions/b/" in _plain(m) for m in reminders)
    clock.freeze(start - timedelta(minutes=30))
    assert dispatch_due().sent == 1  # the SMS, through the development provider
    from pathlib import Path

    [sms] = Path(app.config["SMS_FILE_DIR"]).glob("*.txt")
    assert "+40 721 000 111" in sms.read_text() and "Quick assist" in sms.read_text()


def test_r8_a_cancelled_session_gets_no_more_reminders(
    clock, make_host, make_user, book, smtp, app
):
    client = make_user()
    start = datetime(2026, 12, 4, 8, tzinfo=UTC)
    booking = book(client, make_host(), start)
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    clock.freeze(start - timedelta(minutes=5))
    dispatch_due()
    subjects = [m["Subject"] for m in smtp.to(client.email)]
    assert subjects == ["Confirmed: Quick assist", "Cancelled: Quick assist"]


def test_emails_are_in_the_clients_language_and_zone(clock, make_host, make_user, book, smtp):
    client = make_user(language="ro", timezone="Europe/Bucharest")
    book(client, make_host(), datetime(2026, 12, 1, 8, tzinfo=UTC))
    dispatch_due()
    [mail] = smtp.to(client.email)
    assert mail["Subject"] == "Confirmat: Asistență rapidă"
    body = _plain(mail)
    assert "marți, 1 decembrie 2026, 10:00 (Europe/Bucharest)" in body
    assert f"Bună ziua, {client.name}," in body


def test_the_host_gets_an_organizer_copy_of_every_booking_move_and_cancel(
    app, clock, make_host, make_user, book, smtp
):
    """Issue 19, defect 8: the host was never emailed. Now each change of a 1:1 sends the host
    a copy for their own calendar, with them as ORGANIZER, in their language and zone."""
    host = make_host(zone="America/New_York", language="en", name="Mihai Host")
    client = make_user(name="Ana Client")
    start = datetime(2026, 11, 27, 14, 0, tzinfo=UTC)  # 09:00 in New York
    booking = book(client, host, start, note="Client portal")
    with request_context(app):
        services.reschedule(booking, host.id, start + timedelta(days=1), by=client, via="account")
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    dispatch_due()

    mails = smtp.to(host.email)
    assert [m["Subject"] for m in mails] == [
        "New booking: Quick assist with Ana Client",
        "Moved: Quick assist with Ana Client",
        "Cancelled: Quick assist with Ana Client",
    ]
    assert "Friday, November 27, 2026, 9:00\u202fAM (America/New York)" in _plain(mails[0])
    assert "Client portal" in _plain(mails[0])
    events = []
    for mail in mails:
        part = calendar_part(mail)
        cal = vobject.readOne(part.get_content())
        assert cal.method.value == part.get_param("method")
        events.append((cal.method.value, cal.vevent))
    assert [m for m, _ in events] == ["PUBLISH", "PUBLISH", "CANCEL"]
    uids = {e.uid.value for _, e in events}
    assert len(uids) == 1 and uids != {booking.ical_uid}  # its own event, not the client's
    assert [int(e.sequence.value) for _, e in events] == [0, 1, 2]
    for _, event in events:
        assert event.organizer.value == f"mailto:{host.email}"
        assert event.attendee.value == f"mailto:{client.email}"
    assert events[1][1].dtstart.value == start + timedelta(days=1)


def test_a_workshop_host_gets_the_date_moved_and_cancelled(
    app, clock, make_user, make_workshop, smtp
):
    from academy.scheduling.workshops import cancel_occurrence, update_occurrence

    host = make_user("staff", name="Workshop Host")
    occ = make_workshop(capacity=5, host=host)
    with request_context(app):
        update_occurrence(
            occ,
            start=occ.starts_at + timedelta(hours=2),
            minutes=60,
            host=host,
            capacity=5,
            meeting_url="https://meet.example.com/w",
            by=host,
        )
    with request_context(app):
        cancel_occurrence(occ, by=host)
    dispatch_due()
    mails = smtp.to(host.email)
    assert [m["Subject"].split(":")[0] for m in mails] == [
        "Your workshop date",
        "Your workshop date moved",
        "Your workshop date is cancelled",
    ]
    sequences = []
    for mail in mails:
        part = calendar_part(mail)
        cal = vobject.readOne(part.get_content())
        assert cal.vevent.organizer.value == f"mailto:{host.email}"
        sequences.append((cal.method.value, int(cal.vevent.sequence.value)))
    assert sequences == [("PUBLISH", 0), ("PUBLISH", 1), ("CANCEL", 2)]
