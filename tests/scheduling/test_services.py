"""Book, reschedule, cancel through the services: POLICY R2, R7, R8, R10 at their edges."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from academy.core.errors import DomainError
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling import bookings, services
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
)
from tests.fixtures.app import request_context

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 in Bucharest; now is Wed 10:00 UTC


@pytest.fixture
def setup(clock, make_host, make_user):
    return make_host(), make_user(phone="+40 721 000 111")


def _pending(db, booking, kind="booking_reminder"):
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == OutboxStatus.PENDING,
        )
        .order_by(OutboxMessage.due_at)
    ).all()


def test_booking_writes_confirmation_and_reminders_in_the_same_transaction(db, setup, book):
    host, client = setup
    start = FRI_9 + timedelta(days=7)
    booking = book(client, host, start, note="Invoices")
    assert booking.status == BookingStatus.CONFIRMED and booking.note == "Invoices"
    [confirmation] = _pending(db, booking, "booking_confirmed")
    assert confirmation.attachments[0]["content_type"].startswith("text/calendar; method=REQUEST")
    # POLICY R8: 48 h, 24 h, 1 h email, 30 min SMS.
    due = [(m.channel, start - m.due_at) for m in _pending(db, booking)]
    assert due == [
        ("email", timedelta(hours=48)),
        ("email", timedelta(hours=24)),
        ("email", timedelta(hours=1)),
        ("sms", timedelta(minutes=30)),
    ]


def test_r8_reminders_already_past_are_not_created(db, setup, book, clock):
    host, client = setup
    clock.freeze(FRI_9 - timedelta(hours=30))
    booking = book(client, host, FRI_9)
    assert [FRI_9 - m.due_at for m in _pending(db, booking)] == [
        timedelta(hours=24),
        timedelta(hours=1),
        timedelta(minutes=30),
    ]


def test_r2_a_firm_without_the_channel_is_refused_with_the_reason(setup, make_user, book):
    host, _ = setup
    solo = make_user(plan="business", seats=1)
    with pytest.raises(DomainError, match="2 or more users"):
        book(solo, host, FRI_9)


def test_r7_a_taken_slot_cannot_be_booked_again(db, setup, make_user, book):
    host, client = setup
    book(client, host, FRI_9)
    with pytest.raises(services.SlotTaken):
        book(make_user(), host, FRI_9)
    # Nor an overlapping longer session (09:00-10:00 overlaps the 09:00-09:30 booking)...
    with pytest.raises(services.SlotTaken):
        book(make_user(), host, FRI_9 - timedelta(minutes=30), slug="implementation")
    # ...but the next free half hour is fine.
    book(make_user(), host, FRI_9 + timedelta(minutes=30))
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 2


def test_r7_times_outside_the_hosts_hours_or_in_the_past_are_refused(setup, book, clock):
    host, client = setup
    with pytest.raises(services.SlotTaken):
        book(client, host, FRI_9 - timedelta(hours=3))  # 06:00 Bucharest: before hours
    with pytest.raises(DomainError, match="already passed"):
        book(client, host, clock.now() - timedelta(hours=1))


def test_cancel_frees_the_slot_withdraws_reminders_and_sends_a_cancel(db, setup, make_user, book):
    host, client = setup
    booking = book(client, host, FRI_9)
    services.cancel(booking, by=client, via="account")
    assert booking.status == BookingStatus.CANCELLED and booking.ical_sequence == 1
    assert _pending(db, booking) == []
    withdrawn = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.status == OutboxStatus.CANCELLED)
    ).all()
    # Booked 45 h ahead: 24 h and 1 h emails, 30 min SMS (R8), and the rating request (R17).
    assert sorted(withdrawn) == ["booking_reminder"] * 3 + ["rating_request"]
    [cancel_mail] = _pending(db, booking, "booking_cancelled")
    assert "METHOD:CANCEL" in cancel_mail.attachments[0]["content"]
    assert _host_time(db, host) == []
    book(make_user(), host, FRI_9)  # the time is free again


def test_r10_cancel_exactly_24_hours_before_is_on_time(db, setup, book, clock):
    host, client = setup
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=24))
    services.cancel(booking, by=client, via="account")
    event = db.session.scalars(sa.select(BookingEvent).order_by(BookingEvent.id.desc())).first()
    assert event.kind == "cancelled" and event.late is False


def test_r10_a_second_later_is_recorded_as_late(db, setup, book, clock):
    host, client = setup
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=24) + timedelta(seconds=1))
    assert bookings.preview_change(booking).late
    with pytest.raises(bookings.LateChange, match="counts as a no-show"):  # not told yet
        services.cancel(booking, by=client, via="email")
    assert _fresh_status(db, booking) == BookingStatus.CONFIRMED
    services.cancel(booking, by=client, via="email", late_ok=True)
    event = db.session.scalars(sa.select(BookingEvent).order_by(BookingEvent.id.desc())).first()
    assert (event.kind, event.late, event.via) == ("cancelled", True, "email")


def test_r10_nothing_changes_after_the_start(setup, book, clock):
    host, client = setup
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9)
    with pytest.raises(DomainError, match="already started"):
        services.cancel(booking, by=client, via="account")


def test_reschedule_moves_the_hosts_time_updates_the_invite_and_replaces_reminders(
    db, setup, book, app
):
    host, client = setup
    booking = book(client, host, FRI_9)
    new = FRI_9 + timedelta(days=1, hours=2)
    with request_context(app):
        services.reschedule(booking, host.id, new, by=client, via="account")
    assert booking.occurrence.starts_at == new and booking.ical_sequence == 1
    assert _host_time(db, host) == [new]
    assert next(new - m.due_at for m in _pending(db, booking)) == timedelta(hours=48)
    assert all(
        m.due_at < new and m.due_at > FRI_9 - timedelta(hours=48) for m in _pending(db, booking)
    )
    [update] = _pending(db, booking, "booking_rescheduled")
    ics = update.attachments[0]["content"]
    assert "METHOD:REQUEST" in ics and "SEQUENCE:1" in ics and booking.ical_uid in ics


def test_reschedule_to_a_taken_time_changes_nothing(db, setup, make_user, book, app):
    host, client = setup
    booking = book(client, host, FRI_9)
    book(make_user(), host, FRI_9 + timedelta(hours=1))
    with request_context(app), pytest.raises(services.SlotTaken):
        services.reschedule(booking, host.id, FRI_9 + timedelta(hours=1), by=client, via="account")
    db.session.expire_all()
    again = bookings.get_booking(booking.id, client)
    assert again.occurrence.starts_at == FRI_9 and again.ical_sequence == 0
    assert _host_time(db, host) == [FRI_9, FRI_9 + timedelta(hours=1)]
    assert len(_pending(db, again)) == 3


def _host_time(db, host):
    """Starts of the host's scheduled sessions: the time no one else can book (R7)."""
    return db.session.scalars(
        sa.select(Occurrence.starts_at)
        .where(Occurrence.host_id == host.id, Occurrence.status == OccurrenceStatus.SCHEDULED)
        .order_by(Occurrence.starts_at)
    ).all()


def _fresh_status(db, booking):
    return db.session.scalar(sa.select(Booking.status).where(Booking.id == booking.id))
