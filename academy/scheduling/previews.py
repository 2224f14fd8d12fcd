"""What bookings send, with demo data, for the staff preview page (notifications.previews).

Each preview calls the function the services call (messages.notify_*, attendance.*), on a demo
client, host and booking saved inside the preview's savepoint and rolled back after it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from academy.accounts.models import Role, User
from academy.accounts.previews import demo_user
from academy.core.clock import now
from academy.core.markers import N_
from academy.extensions import db
from academy.notifications.previews import preview
from academy.scheduling import messages
from academy.scheduling.attendance import client_standing, send_interrupted, tell_client
from academy.scheduling.models import (
    Booking,
    NoShow,
    NoShowSource,
    Occurrence,
    Offering,
    OfferingKind,
    Outcome,
)

TITLES = {
    OfferingKind.ONE_ON_ONE: ("Quick assist", "Asistență rapidă"),
    OfferingKind.WORKSHOP: ("Client portal basics", "Portalul clienților: noțiuni de bază"),
}
MEETING_URL = "https://meet.example.com/taxdome-demo"


def demo_booking(
    language: str,
    kind: OfferingKind = OfferingKind.ONE_ON_ONE,
    *,
    start_in: timedelta = timedelta(days=3),
    client: User | None = None,
) -> Booking:
    """A confirmed booking three days ahead (so its reminders are still due), with a host."""
    host = demo_user(language, Role.STAFF, name="Maria Ionescu")
    client = client or demo_user(language)
    title, title_ro = TITLES[kind]
    offering = Offering(
        slug=f"demo-{secrets.token_hex(6)}",
        kind=kind,
        title=title,
        title_ro=title_ro,
        duration_minutes=30 if kind == OfferingKind.ONE_ON_ONE else 60,
        capacity=1 if kind == OfferingKind.ONE_ON_ONE else 12,
    )
    start = (now() + start_in).replace(minute=0, second=0, microsecond=0)
    occurrence = Occurrence(
        offering=offering,
        host=host,
        starts_at=start,
        ends_at=start + timedelta(minutes=offering.duration_minutes),
        capacity=offering.capacity,
        seats_taken=1,
        meeting_url=MEETING_URL,
    )
    booking = Booking(occurrence=occurrence, user=client, note="Invoices from the client portal")
    db.session.add_all([offering, occurrence, booking])
    db.session.flush()
    return booking


@preview("booking_confirmed", label=N_("1:1 booked (with its invite)"))
def booking_confirmed(language: str) -> None:
    messages.notify_booked(demo_booking(language))


@preview("booking_reminder", label=N_("Reminder before a session (R8)"))
def booking_reminder(language: str) -> None:
    messages.notify_booked(demo_booking(language))


@preview("rating_request", label=N_("Rate a session after it ends (R17)"))
def rating_request(language: str) -> None:
    messages.notify_booked(demo_booking(language, OfferingKind.WORKSHOP))


@preview("booking_rescheduled", label=N_("1:1 moved late (R10)"))
def booking_rescheduled(language: str) -> None:
    booking = demo_booking(language)
    booking.ical_sequence += 1
    messages.notify_rescheduled(booking, late=True)


@preview(
    "booking_rescheduled_by_us",
    "booking_rescheduled",
    kind="booking_rescheduled",
    label=N_("Workshop date moved by us"),
)
def booking_rescheduled_by_us(language: str) -> None:
    booking = demo_booking(language, OfferingKind.WORKSHOP)
    booking.ical_sequence += 1
    messages.notify_rescheduled(booking, late=False, by_us=True)


@preview("booking_cancelled", label=N_("1:1 cancelled (its CANCEL)"))
def booking_cancelled(language: str) -> None:
    booking = demo_booking(language)
    booking.ical_sequence += 1
    messages.notify_cancelled(booking, late=False)


@preview(
    "booking_cancelled_late",
    "booking_cancelled",
    kind="booking_cancelled",
    label=N_("1:1 cancelled late: a no-show (R10)"),
)
def booking_cancelled_late(language: str) -> None:
    booking = demo_booking(language, start_in=timedelta(hours=5))
    booking.ical_sequence += 1
    messages.notify_cancelled(booking, late=True)


@preview("host_booked", "host_booking", label=N_("Host: a new 1:1 booking"))
def host_booked(language: str) -> None:
    messages.notify_booked(demo_booking(language))


@preview("host_moved", "host_booking", label=N_("Host: a 1:1 moved"))
def host_moved(language: str) -> None:
    messages.notify_rescheduled(demo_booking(language), late=False)


@preview("host_cancelled", "host_booking", label=N_("Host: a 1:1 cancelled"))
def host_cancelled(language: str) -> None:
    messages.notify_cancelled(demo_booking(language), late=False)


@preview("host_date_scheduled", "host_date", label=N_("Host: a workshop date set"))
def host_date_scheduled(language: str) -> None:
    messages.notify_date(demo_booking(language, OfferingKind.WORKSHOP).occurrence, "scheduled")


@preview("host_date_moved", "host_date", label=N_("Host: a workshop date moved"))
def host_date_moved(language: str) -> None:
    messages.notify_date(demo_booking(language, OfferingKind.WORKSHOP).occurrence, "moved")


@preview("host_date_cancelled", "host_date", label=N_("Host: a workshop date cancelled"))
def host_date_cancelled(language: str) -> None:
    messages.notify_date(demo_booking(language, OfferingKind.WORKSHOP).occurrence, "cancelled")


@preview("workshop_waitlisted", label=N_("Workshop full: on the waitlist"))
def workshop_waitlisted(language: str) -> None:
    messages.notify_waitlisted(demo_booking(language, OfferingKind.WORKSHOP), position=2)


@preview("workshop_promoted", label=N_("Workshop: a seat from the waitlist"))
def workshop_promoted(language: str) -> None:
    messages.notify_promoted(demo_booking(language, OfferingKind.WORKSHOP))


@preview("workshop_cancelled", label=N_("Workshop date cancelled by us"))
def workshop_cancelled(language: str) -> None:
    messages.notify_occurrence_cancelled(demo_booking(language, OfferingKind.WORKSHOP))


@preview("session_interrupted", label=N_("Session ended early (R13)"))
def session_interrupted(language: str) -> None:
    booking = demo_booking(language, start_in=-timedelta(hours=1))
    booking.outcome = Outcome.INTERRUPTED
    booking.outcome_note = "We could not hear you; the connection dropped twice."
    send_interrupted(booking)


def _no_shows(language: str, count: int) -> User:
    """A client with `count` counted no-shows in the last weeks."""
    client = demo_user(language)
    for weeks in range(count, 0, -1):
        booking = demo_booking(language, start_in=-timedelta(weeks=weeks), client=client)
        db.session.add(
            NoShow(
                user=client,
                booking=booking,
                occurred_at=booking.occurrence.starts_at,
                source=NoShowSource.ABSENT,
            )
        )
    db.session.flush()
    return client


@preview("noshow_warning", label=N_("First no-show: a warning (R14)"))
def noshow_warning(language: str) -> None:
    client = _no_shows(language, 1)
    tell_client(client, client_standing(client))


@preview("noshow_penalty", label=N_("Second no-show: the penalty (R15)"))
def noshow_penalty(language: str) -> None:
    client = _no_shows(language, 2)
    tell_client(client, client_standing(client))
