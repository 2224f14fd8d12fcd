"""Leaving feedback and staff triage (POLICY R17)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.markers import N_
from academy.core.sql import insert_unless_exists
from academy.core.text import csv_text
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackNote, FeedbackStatus
from academy.notifications.services import enqueue_email
from academy.scheduling.models import Booking, BookingStatus, OfferingKind, Outcome

MESSAGE_MAX = 5000


def _item_values(
    *,
    kind: FeedbackKind,
    user: User | None,
    rating: int | None = None,
    message: str = "",
    subject_title: str = "",
    email: str = "",
    category: str = "",
    **subject: Any,
) -> dict[str, Any]:
    """The columns of a new feedback item, checked; DomainError beside the field otherwise."""
    message = (message or "").strip()
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    if rating is None and not message:
        raise DomainError(_("Write a message or choose a rating."), field="message")
    if len(message) > MESSAGE_MAX:
        raise DomainError(
            _("Keep it under %(count)d characters.", count=MESSAGE_MAX), field="message"
        )
    # A visitor's general feedback needs an address to answer; a comment on an article does not.
    if user is None and not email and kind == FeedbackKind.GENERAL:
        raise DomainError(_("Leave an email address so we can answer you."), field="email")
    return {
        "kind": kind,
        "user_id": user.id if user else None,
        "email": email or (user.email if user else ""),
        "rating": rating,
        "message": message,
        "subject_title": subject_title[:300],
        "category": category,
        **subject,
    }


def leave_feedback(**values: Any) -> FeedbackItem:
    """File one feedback item; `subject` names the row it is about (booking_id=..., ...)."""
    item = add_feedback(**values)
    db.session.commit()
    return item


def add_feedback(**values: Any) -> FeedbackItem:
    """The item of leave_feedback, flushed in the caller's transaction and not committed: for a
    caller that commits it only together with its own change (or rolls both back)."""
    item = FeedbackItem(**_item_values(**values))
    db.session.add(item)
    db.session.flush()
    return item


def rating_of(booking_id: int) -> FeedbackItem | None:
    return db.session.scalar(
        select(FeedbackItem).where(
            FeedbackItem.booking_id == booking_id,
            FeedbackItem.kind.in_([FeedbackKind.WORKSHOP, FeedbackKind.SESSION]),
        )
    )


def rate_booking(booking: Booking, rating: int | None, message: str = "") -> FeedbackItem:
    """A client's rating of a live session they attended, once, after it ends (R17).

    Once is kept by the database (one feedback item per booking): the same rating link posted
    eight times at once stores one rating, and the others are told it is already rated."""
    occurrence = booking.occurrence
    if booking.status != BookingStatus.CONFIRMED or now() < occurrence.ends_at:
        raise DomainError(_("You can rate a session once it has ended."))
    if booking.outcome == Outcome.NO_SHOW:  # R12: not attended, nothing to rate
        raise DomainError(_("This session was recorded as missed, so there is nothing to rate."))
    workshop = occurrence.offering.kind == OfferingKind.WORKSHOP
    values = _item_values(
        kind=FeedbackKind.WORKSHOP if workshop else FeedbackKind.SESSION,
        user=booking.user,
        rating=rating,
        message=message,
        subject_title=f"{occurrence.offering.title} · {occurrence.starts_at:%Y-%m-%d %H:%M} UTC",
        booking_id=booking.id,
        occurrence_id=occurrence.id,
    )
    added = insert_unless_exists(FeedbackItem, **values)
    db.session.commit()
    if not added:
        raise DomainError(_("You have already rated this session. Thank you!"))
    return db.session.scalars(
        select(FeedbackItem).where(FeedbackItem.booking_id == booking.id)
    ).one()


def triage(
    item: FeedbackItem,
    *,
    by: User,
    status: FeedbackStatus,
    assignee: User | None,
    answer: str = "",
) -> FeedbackItem:
    """Staff move an item along (new -> in review -> planned / answered / closed) and assign
    it. An answer is sent to the client by email (outbox) and shown in "My feedback"."""
    answer = (answer or "").strip()
    if assignee is not None and not assignee.is_staff:
        raise DomainError(_("Assign it to a staff member."), field="assignee")
    if len(answer) > MESSAGE_MAX:
        raise DomainError(
            _("Keep it under %(count)d characters.", count=MESSAGE_MAX), field="answer"
        )
    if status == FeedbackStatus.ANSWERED and not answer and not item.answer:
        raise DomainError(_("Write the answer the client will receive."), field="answer")
    item.status = status
    item.assignee_id = assignee.id if assignee else None
    if answer and answer != item.answer:
        item.answer, item.answered_at, item.answered_by_id = answer, now(), by.id
        item.status = FeedbackStatus.ANSWERED
        recipient = item.user
        if recipient is None and item.email and item.kind == FeedbackKind.GENERAL:
            # A visitor: an unsaved User carries the address and language for the template.
            recipient = User(email=item.email, name=item.email, language="en", timezone="UTC")
        if recipient is not None:
            send_answer(recipient, item)
    db.session.commit()
    return item


def send_answer(recipient: User, item: FeedbackItem) -> None:
    """The answer to a comment, to its author (a visitor too: an unsaved User)."""
    enqueue_email(
        recipient, "feedback_answer", N_("We answered your feedback"), "feedback_answer", item=item
    )


def add_note(item: FeedbackItem, *, by: User, body: str) -> FeedbackNote:
    """An internal note (staff only)."""
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Write the note."), field="body")
    note = FeedbackNote(item_id=item.id, author_id=by.id, body=body[:MESSAGE_MAX])
    db.session.add(note)
    db.session.commit()
    return note


CSV_COLUMNS = (
    "id", "created_at", "kind", "subject_title", "category", "rating", "status",
    "email", "assignee", "message", "answer",
)  # fmt: skip


def export_csv(items: Iterable[FeedbackItem]) -> str:
    return csv_text(
        CSV_COLUMNS,
        (
            (
                item.id,
                item.created_at.isoformat(),
                item.kind,
                item.subject_title,
                item.category,
                item.rating,
                item.status,
                item.email,
                item.assignee.name if item.assignee else "",
                item.message,
                item.answer,
            )
            for item in items
        ),
    )
