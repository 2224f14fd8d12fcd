"""Registering for workshops: seats, the waitlist and promotion, through the same terms as
1:1 sessions (POLICY R2, R6, R8, R10, R11, R12)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.core.errors import DomainError
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.scheduling import services
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    NoShow,
    Occurrence,
    OccurrenceStatus,
)
from academy.scheduling.seats import waitlist_positions
from academy.scheduling.workshops import cancel_occurrence, update_occurrence
from tests.fixtures.app import request_context
from tests.fixtures.scheduling import THU


def _mail(db, booking, kind, status=OutboxStatus.PENDING):
    return db.session.scalars(
        sa.select(OutboxMessage)
        .where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.kind == kind,
            OutboxMessage.status == status,
        )
        .order_by(OutboxMessage.due_at)
    ).all()


def _reminders(db, booking):
    return [(m.channel, THU - m.due_at) for m in _mail(db, booking, "booking_reminder")]


def _seats(db, occurrence):
    db.session.expire_all()
    return db.session.get(Occurrence, occurrence.id).seats_taken


def test_seats_then_waitlist_in_order(db, make_workshop, make_user, register):
    occ = make_workshop(capacity=2)
    a, b, c, d = (make_user() for _ in range(4))
    assert register(a, occ).status == BookingStatus.CONFIRMED
    assert register(b, occ).status == BookingStatus.CONFIRMED
    wc, wd = register(c, occ), register(d, occ)
    assert (wc.status, wd.status) == (BookingStatus.WAITLISTED, BookingStatus.WAITLISTED)
    assert _seats(db, occ) == 2
    assert waitlist_positions([occ.id], c.id) == {occ.id: 1}
    assert waitlist_positions([occ.id], d.id) == {occ.id: 2}
    # The waitlisted get a note with their place, no invite and no reminders.
    [note] = _mail(db, wd, "workshop_waitlisted")
    assert "number 2 in the queue" in note.body_text and not note.attachments
    assert _mail(db, wd, "booking_reminder") == []
    # The seated get the invite (R11) and every reminder (R8), plus the rating request.
    seated = db.session.scalar(sa.select(Booking).where(Booking.user_id == a.id))
    [confirmation] = _mail(db, seated, "booking_confirmed")
    assert confirmation.attachments[0]["content_type"].startswith("text/calendar; method=REQUEST")


def test_registering_twice_is_refused(db, make_workshop, make_user, register):
    occ, client = make_workshop(), make_user()
    register(client, occ)
    with pytest.raises(DomainError, match="already registered"):
        register(client, occ)
    assert _seats(db, occ) == 1


def test_r8_a_seated_client_gets_every_reminder_still_ahead(db, make_workshop, make_user, register):
    occ = make_workshop()
    booking = register(make_user(phone="+40 721 000 111"), occ)
    assert _reminders(db, booking) == [
        ("email", timedelta(hours=48)),
        ("email", timedelta(hours=24)),
        ("email", timedelta(hours=1)),
        ("sms", timedelta(minutes=30)),
    ]
    [rating] = _mail(db, booking, "rating_request")
    assert rating.due_at == occ.ends_at and "/sessions/r/" in rating.body_text


def test_cancelling_a_seat_promotes_the_first_in_the_queue(
    app, db, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    register(make_user(), occ)  # one seat is someone else's
    first, second, third = (make_user(phone="+40 721 000 111") for _ in range(3))
    seated = register(first, occ)
    waiting = register(second, occ)
    register(third, occ)
    with request_context(app):
        services.cancel(seated, by=first, via="account")
    db.session.expire_all()
    promoted = db.session.get(Booking, waiting.id)
    assert promoted.status == BookingStatus.CONFIRMED and promoted.queued_at is None
    assert _seats(db, occ) == 2
    assert waitlist_positions([occ.id], third.id) == {occ.id: 1}
    [mail] = _mail(db, promoted, "workshop_promoted")
    assert mail.attachments[0]["content_type"].startswith("text/calendar; method=REQUEST")
    assert len(_reminders(db, promoted)) == 4


def test_promotion_an_hour_before_sends_no_reminder_late(
    app, db, clock, make_workshop, make_user, register
):
    """POLICY R8 + R10: a late cancel 50 minutes before the start frees a seat; the promoted
    client gets the invite and only the SMS 30 minutes before, never a reminder already past."""
    occ = make_workshop(capacity=2)
    register(make_user(), occ)  # one seat is someone else's
    first, second = make_user(), make_user(phone="+40 721 000 222")
    seated = register(first, occ)
    waiting = register(second, occ)
    clock.freeze(THU - timedelta(minutes=50))
    with request_context(app):
        services.cancel(seated, by=first, via="account", late_ok=True)
    promoted = db.session.get(Booking, waiting.id)
    assert promoted.status == BookingStatus.CONFIRMED
    assert _reminders(db, promoted) == [("sms", timedelta(minutes=30))]
    assert all(m.due_at >= clock.now() for m in _mail(db, promoted, "workshop_promoted"))
    # R10, R12: the late cancellation counts as the first client's no-show.
    assert db.session.scalar(sa.select(NoShow.user_id)) == first.id


def test_leaving_the_waitlist_is_not_a_late_change(
    app, db, clock, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    register(make_user(), occ)  # one seat is someone else's
    register(make_user(), occ)
    client = make_user()
    waiting = register(client, occ)
    clock.freeze(THU - timedelta(hours=2))
    with request_context(app):
        services.cancel(waiting, by=client, via="account")
    assert db.session.get(Booking, waiting.id).status == BookingStatus.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0
    assert _seats(db, occ) == 2


def test_coming_back_after_cancelling_revives_the_same_calendar_event(
    app, db, make_workshop, make_user, register
):
    occ, client = make_workshop(), make_user()
    booking = register(client, occ)
    uid = booking.ical_uid
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    again = register(client, occ)
    assert again.id == booking.id and again.ical_uid == uid
    assert again.ical_sequence == 2 and again.status == BookingStatus.CONFIRMED


def test_r2_r6_the_same_checks_as_for_sessions(db, make_workshop, make_user, register):
    occ = make_workshop()
    with pytest.raises(DomainError, match="available on"):
        register(make_user(plan="starter"), occ)  # R2: Starter has no workshops
    client = make_user()
    client.firm.subscription_ended_at = THU - timedelta(days=30)  # R5: ended for conduct
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        register(client, occ)
    assert "subscription" in caught.value.message
    assert _seats(db, occ) == 0


def test_a_started_or_cancelled_date_takes_no_registrations(
    db, clock, make_workshop, make_user, register
):
    occ = make_workshop()
    clock.freeze(THU + timedelta(minutes=1))
    with pytest.raises(DomainError, match="already started"):
        register(make_user(), occ)


def test_staff_move_updates_every_registrant_and_their_reminders(
    app, db, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    a, b = make_user(), make_user()
    ba, bb = register(a, occ), register(b, occ)
    new_start = THU + timedelta(days=1, hours=2)
    with request_context(app):
        update_occurrence(
            occ,
            start=new_start,
            minutes=90,
            host=occ.host,
            capacity=2,
            meeting_url="https://meet.example.com/w",
            by=make_user("staff"),
        )
    for booking in (ba, bb):
        db.session.refresh(booking)
        assert booking.ical_sequence == 1
        [update] = _mail(db, booking, "booking_rescheduled")
        assert "We had to move this workshop" in update.body_text
        assert [m.due_at for m in _mail(db, booking, "booking_reminder")] == [
            new_start - timedelta(hours=h) for h in (48, 24, 1)
        ]
        assert len(_mail(db, booking, "booking_reminder", OutboxStatus.CANCELLED)) == 3
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0  # not the clients' doing
    # The host's time moved too: the occurrence now takes 90 minutes from the new start.
    db.session.refresh(occ)
    assert (occ.starts_at, occ.ends_at) == (new_start, new_start + timedelta(minutes=90))


def test_raising_capacity_promotes_and_lowering_below_the_registered_is_refused(
    app, db, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    register(make_user(), occ)
    register(make_user(), occ)
    waiting = register(make_user(), occ)
    staff = make_user("staff")
    with request_context(app):
        update_occurrence(
            occ, start=THU, minutes=60, host=occ.host, capacity=3, meeting_url="", by=staff
        )
        assert db.session.get(Booking, waiting.id).status == BookingStatus.CONFIRMED
        with pytest.raises(DomainError) as caught:
            update_occurrence(
                occ, start=THU, minutes=60, host=occ.host, capacity=2, meeting_url="", by=staff
            )
    assert caught.value.field == "capacity"


def test_staff_cancel_sends_cancel_and_apology_and_withdraws_reminders(
    app, db, make_workshop, make_user, register
):
    occ = make_workshop(capacity=2)
    register(make_user(), occ)  # one seat is someone else's
    seated = register(make_user(), occ)
    waiting = register(make_user(), occ)
    with request_context(app):
        assert cancel_occurrence(occ, by=make_user("staff")) == 2
    db.session.expire_all()
    assert db.session.get(Occurrence, occ.id).status == OccurrenceStatus.CANCELLED
    [apology] = _mail(db, seated, "workshop_cancelled")
    assert "We are sorry" in apology.body_text
    assert apology.attachments[0]["content_type"].startswith("text/calendar; method=CANCEL")
    assert _mail(db, seated, "booking_reminder") == []
    assert _mail(db, seated, "rating_request") == []
    assert db.session.get(Booking, waiting.id).status == BookingStatus.CANCELLED
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0


def test_a_client_moves_to_another_date_of_the_same_workshop(
    app, db, make_workshop, make_user, register
):
    from academy.scheduling.workshops import move_registration, schedule

    occ = make_workshop(capacity=2)
    register(make_user(), occ)  # one seat is someone else's
    client = make_user()
    booking = register(client, occ)
    waiting = register(make_user(), occ)
    with request_context(app):
        later = schedule(
            occ.offering,
            start=THU + timedelta(days=7),
            minutes=60,
            host=occ.host,
            capacity=5,
            meeting_url="",
        )
        move_registration(booking, later.id, by=client, via="account")
    db.session.expire_all()
    moved = db.session.get(Booking, booking.id)
    assert moved.occurrence_id == later.id and moved.ical_sequence == 1
    assert db.session.get(Booking, waiting.id).status == BookingStatus.CONFIRMED  # seat passed on
    assert (_seats(db, occ), _seats(db, later)) == (2, 1)
