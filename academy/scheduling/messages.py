"""What a booking's client (and its host) is sent when it is made, moved or cancelled
(POLICY R8, R9, R11): built here, in scheduling; the outbox and dispatcher of
academy.notifications send them.

Every function only writes outbox rows in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import update

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.markers import N_
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.calendar import Invite, render
from academy.notifications.channels import channel, reachable
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.notifications.services import enqueue_email
from academy.scheduling.links import links_for, rating_link
from academy.scheduling.models import Booking, Occurrence, OfferingKind
from academy.scheduling.policy import reminders


def _context(booking: Booking) -> dict[str, Any]:
    occurrence = booking.occurrence
    return {
        "booking": booking,
        "title": occurrence.offering.title_in(booking.user.language),
        "start": occurrence.starts_at,
        "end": occurrence.ends_at,
        "host": occurrence.host,
        "meeting_url": occurrence.meeting_url,
        "links": links_for(booking),
    }


def invite(booking: Booking, method: str = "REQUEST") -> Invite:
    """The calendar event of a booking: one UID for its life, SEQUENCE rising (R11)."""
    context = _context(booking)
    user = booking.user
    with force_locale(user.language):
        description = gettext(
            "Meeting link: %(url)s\nChange: %(change)s\nCancel: %(cancel)s",
            url=context["meeting_url"] or "-",
            change=context["links"]["change"],
            cancel=context["links"]["cancel"],
        )
    return Invite(
        uid=booking.ical_uid,
        sequence=booking.ical_sequence,
        method=method,
        start=context["start"],
        end=context["end"],
        summary=f"{context['title']} · TaxDome",
        description=description,
        url=context["meeting_url"],
        organizer_email=current_app.config["SUPPORT_EMAIL"],
        organizer_name=context["host"].name,
        attendee_email=user.email,
        attendee_name=user.name,
        stamp=now(),
    )


def _file(inv: Invite) -> dict[str, str]:
    name = "cancel.ics" if inv.method == "CANCEL" else "invite.ics"
    return {"filename": name, "content_type": inv.content_type, "content": render(inv)}


def _attachment(booking: Booking, method: str) -> dict[str, str]:
    return _file(invite(booking, method))


# Messages tied to a booking's time: withdrawn when it is cancelled or moved (R8).
TIMED_KINDS = ("booking_reminder", "rating_request")


def _schedule_reminders(booking: Booking) -> None:
    """R8: reminders that are still ahead; each exists at most once (unique dedupe key).

    Every live session's attendee also gets, when it ends, a link to rate it (R17); it is
    withdrawn if staff record a no-show.
    """
    context = _context(booking)
    user = booking.user
    enqueue_email(
        user,
        "rating_request",
        N_("How was %(title)s?"),
        "rating_request",
        due_at=context["end"],
        dedupe_key=f"booking{booking.id}:seq{booking.ical_sequence}:rating",
        booking_id=booking.id,
        subject_params={"title": context["title"]},
        rate_url=rating_link(booking),
        **context,
    )
    for reminder in reminders(context["start"], now(), reachable(user)):
        channel(reminder.channel).queue(
            user,
            "booking_reminder",
            "booking_reminder",
            subject=N_("Reminder: %(title)s"),
            due_at=reminder.due_at,
            dedupe_key=f"booking{booking.id}:seq{booking.ical_sequence}:{reminder.key}",
            booking_id=booking.id,
            subject_params={"title": context["title"]},
            before=reminder.before,
            **context,
        )


def withdraw_rating_request(booking: Booking) -> None:
    """Nobody is asked to rate a session they did not attend (R12, R17)."""
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.kind == "rating_request",
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.CANCELLED, claim_token=None)
        .execution_options(synchronize_session=False)
    )


def withdraw_reminders(booking: Booking) -> int:
    """A cancelled or moved session gets no more reminders for its old time (R8).

    Rows a dispatcher has claimed (`sending`, perhaps by one that died) are withdrawn too: the
    dispatcher checks, at the moment of sending, that its row is still `sending` under its own
    claim, so a withdrawn reminder is never sent — except the one whose send had already begun
    when this commits (README, "Delivery guarantees")."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.kind.in_(TIMED_KINDS),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.CANCELLED, claim_token=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def _send(booking: Booking, kind: str, subject: str, method: str, **extra: Any) -> None:
    context = _context(booking)
    enqueue_email(
        booking.user,
        kind,
        subject,
        kind,
        subject_params={"title": context["title"]},
        booking_id=booking.id,
        attachments=[_attachment(booking, method)],
        **context,
        **extra,
    )


def notify_booked(booking: Booking) -> None:
    _send(booking, "booking_confirmed", N_("Confirmed: %(title)s"), "REQUEST")
    _schedule_reminders(booking)
    _tell_host(booking, "booked")


def notify_rescheduled(
    booking: Booking, late: bool, by_us: bool = False, previous_host: User | None = None
) -> None:
    """`by_us`: the host moved it (a workshop date), so the email apologises instead.
    `previous_host`: a 1:1 moved to another host; the first one's copy is cancelled."""
    withdraw_reminders(booking)
    _send(booking, "booking_rescheduled", N_("Moved: %(title)s"), "REQUEST", late=late, by_us=by_us)
    _schedule_reminders(booking)
    if previous_host is not None and previous_host.id != booking.occurrence.host_id:
        _tell_host(booking, "cancelled", host=previous_host)
        _tell_host(booking, "booked")
    else:
        _tell_host(booking, "moved")


def notify_cancelled(booking: Booking, late: bool) -> None:
    withdraw_reminders(booking)
    _send(booking, "booking_cancelled", N_("Cancelled: %(title)s"), "CANCEL", late=late)
    _tell_host(booking, "cancelled")


# --- The host's side (a copy for their calendar, with them as ORGANIZER) -------------------------

HOST_SUBJECTS = {
    "booked": N_("New booking: %(title)s with %(client)s"),
    "moved": N_("Moved: %(title)s with %(client)s"),
    "cancelled": N_("Cancelled: %(title)s with %(client)s"),
}


def _host_invite(booking: Booking, host: User, method: str) -> Invite:
    """The host's own calendar copy of a 1:1 (its own UID, the booking's SEQUENCE)."""
    occurrence, client = booking.occurrence, booking.user
    with force_locale(host.language):
        description = gettext(
            "Client: %(name)s <%(email)s>\nMeeting link: %(url)s\nBooking: %(link)s",
            name=client.name,
            email=client.email,
            url=occurrence.meeting_url or "-",
            link=external_url("sessions.booking", booking_id=booking.id),
        )
    return Invite(
        uid=f"host-{booking.ical_uid}",
        sequence=booking.ical_sequence,
        method=method,
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        summary=f"{occurrence.offering.title_in(host.language)} · {client.name}",
        description=description,
        url=occurrence.meeting_url,
        organizer_email=host.email,
        organizer_name=host.name,
        attendee_email=client.email,
        attendee_name=client.name,
        stamp=now(),
    )


def _tell_host(booking: Booking, event: str, host: User | None = None) -> None:
    """The host of a 1:1 hears of its booking, move or cancellation, with a copy for their
    calendar (PUBLISH, or CANCEL). Workshop hosts get their date instead (notify_date)."""
    if booking.occurrence.offering.kind != OfferingKind.ONE_ON_ONE:
        return
    host = host or booking.occurrence.host
    method = "CANCEL" if event == "cancelled" else "PUBLISH"
    inv = _host_invite(booking, host, method)
    enqueue_email(
        host,
        f"host_{event}",
        HOST_SUBJECTS[event],
        "host_booking",
        booking_id=booking.id,
        attachments=[_file(inv)],
        subject_params={
            "title": booking.occurrence.offering.title_in(host.language),
            "client": booking.user.name,
        },
        event=event,
        client=booking.user,
        title=booking.occurrence.offering.title_in(host.language),
        start=booking.occurrence.starts_at,
        end=booking.occurrence.ends_at,
        note=booking.note,
        link=external_url("sessions.booking", booking_id=booking.id),
    )


DATE_SUBJECTS = {
    "scheduled": N_("Your workshop date: %(title)s"),
    "moved": N_("Your workshop date moved: %(title)s"),
    "cancelled": N_("Your workshop date is cancelled: %(title)s"),
}


def notify_date(occurrence: Occurrence, event: str, host: User | None = None) -> None:
    """A workshop date's host gets their calendar copy when it is set, moved or cancelled."""
    host = host or occurrence.host
    offering = occurrence.offering
    method = "CANCEL" if event == "cancelled" else "PUBLISH"
    link = external_url("workshops.roster", occurrence_id=occurrence.id)
    with force_locale(host.language):
        description = gettext(
            "Meeting link: %(url)s\nRoster: %(link)s",
            url=occurrence.meeting_url or "-",
            link=link,
        )
    inv = Invite(
        uid=occurrence.host_uid,
        sequence=occurrence.ical_sequence,
        method=method,
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        summary=f"{offering.title} · TaxDome",
        description=description,
        url=occurrence.meeting_url,
        organizer_email=host.email,
        organizer_name=host.name,
        attendee_email="",
        attendee_name="",
        stamp=now(),
    )
    enqueue_email(
        host,
        f"host_date_{event}",
        DATE_SUBJECTS[event],
        "host_date",
        attachments=[_file(inv)],
        subject_params={"title": offering.title},
        event=event,
        title=offering.title,
        start=occurrence.starts_at,
        end=occurrence.ends_at,
        seats=occurrence.seats_taken,
        capacity=occurrence.capacity,
        link=link,
    )


def notify_waitlisted(booking: Booking, position: int) -> None:
    """A full workshop: no invite yet, only where the client stands in the queue."""
    context = _context(booking)
    enqueue_email(
        booking.user,
        "workshop_waitlisted",
        N_("Waitlist: %(title)s"),
        "workshop_waitlisted",
        subject_params={"title": context["title"]},
        booking_id=booking.id,
        position=position,
        **context,
    )


def notify_promoted(booking: Booking) -> None:
    """A seat freed up: the confirmation and invite, and reminders from now on (R8, R11)."""
    _send(booking, "workshop_promoted", N_("You have a seat: %(title)s"), "REQUEST")
    _schedule_reminders(booking)


def notify_occurrence_cancelled(booking: Booking) -> None:
    """We cancelled a workshop date: a CANCEL of the same event and an apology (R11)."""
    withdraw_reminders(booking)
    _send(booking, "workshop_cancelled", N_("Cancelled by us: %(title)s"), "CANCEL")
