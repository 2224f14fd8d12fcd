"""What a booking's client is sent when it is made, moved or cancelled (POLICY R8, R9, R11).

Every function only writes outbox rows in the caller's transaction; the dispatcher sends them.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import update

from academy.core.clock import now
from academy.core.markers import N_
from academy.extensions import db
from academy.notifications.calendar import Invite, render
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.notifications.services import enqueue_email, enqueue_sms
from academy.scheduling.links import links_for, rating_link
from academy.scheduling.models import Booking, OfferingKind
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


def _attachment(booking: Booking, method: str) -> dict[str, str]:
    inv = invite(booking, method)
    name = "invite.ics" if method == "REQUEST" else "cancel.ics"
    return {"filename": name, "content_type": inv.content_type, "content": render(inv)}


# Messages tied to a booking's time: withdrawn when it is cancelled or moved (R8).
TIMED_KINDS = ("booking_reminder", "rating_request")


def _schedule_reminders(booking: Booking) -> None:
    """R8: reminders that are still ahead; each exists at most once (unique dedupe key).

    A workshop's attendees also get, when it ends, a link to rate it (R17).
    """
    context = _context(booking)
    user = booking.user
    if booking.occurrence.offering.kind == OfferingKind.WORKSHOP:
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
    for reminder in reminders(context["start"], now(), has_phone=bool(user.phone)):
        key = f"booking{booking.id}:seq{booking.ical_sequence}:{reminder.key}"
        if reminder.channel == "sms":
            enqueue_sms(
                user,
                "booking_reminder",
                "booking_reminder",
                due_at=reminder.due_at,
                dedupe_key=key,
                booking_id=booking.id,
                **context,
            )
        else:
            enqueue_email(
                user,
                "booking_reminder",
                N_("Reminder: %(title)s"),
                "booking_reminder",
                due_at=reminder.due_at,
                dedupe_key=key,
                booking_id=booking.id,
                subject_params={"title": context["title"]},
                before=reminder.before,
                **context,
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


def notify_rescheduled(booking: Booking, late: bool, by_us: bool = False) -> None:
    """`by_us`: the host moved it (a workshop date), so the email apologises instead."""
    withdraw_reminders(booking)
    _send(booking, "booking_rescheduled", N_("Moved: %(title)s"), "REQUEST", late=late, by_us=by_us)
    _schedule_reminders(booking)


def notify_cancelled(booking: Booking, late: bool) -> None:
    withdraw_reminders(booking)
    _send(booking, "booking_cancelled", N_("Cancelled: %(title)s"), "CANCEL", late=late)


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
