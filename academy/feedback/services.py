"""Leaving feedback (POLICY R17). Triage lives beside it once the feedback pages land."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.scheduling.models import Booking, BookingStatus, OfferingKind

MESSAGE_MAX = 5000


def leave_feedback(
    *,
    kind: FeedbackKind,
    user: User | None,
    rating: int | None = None,
    message: str = "",
    subject_title: str = "",
    email: str = "",
    category: str = "",
    **subject: Any,
) -> FeedbackItem:
    """File one feedback item; `subject` names the row it is about (booking_id=..., ...)."""
    message = (message or "").strip()
    if rating is not None and not 1 <= rating <= 5:
        raise DomainError(_("Choose a rating from 1 to 5."), field="rating")
    if rating is None and not message:
        raise DomainError(_("Write a message or choose a rating."), field="message")
    if len(message) > MESSAGE_MAX:
        raise DomainError(
            _("Keep it under %(count)d characters.", count=MESSAGE_MAX), field="message"
        )
    if user is None and not email:
        raise DomainError(_("Leave an email address so we can answer you."), field="email")
    item = FeedbackItem(
        kind=kind,
        user_id=user.id if user else None,
        email=email or (user.email if user else ""),
        rating=rating,
        message=message,
        subject_title=subject_title[:300],
        category=category,
        **subject,
    )
    db.session.add(item)
    db.session.commit()
    return item


def rating_of(booking_id: int) -> FeedbackItem | None:
    return db.session.scalar(
        select(FeedbackItem).where(
            FeedbackItem.booking_id == booking_id,
            FeedbackItem.kind.in_([FeedbackKind.WORKSHOP, FeedbackKind.SESSION]),
        )
    )


def rate_booking(booking: Booking, rating: int | None, message: str = "") -> FeedbackItem:
    """A client's rating of a live session they attended, once, after it ends (R17)."""
    occurrence = booking.occurrence
    if booking.status != BookingStatus.CONFIRMED or now() < occurrence.ends_at:
        raise DomainError(_("You can rate a session once it has ended."))
    if rating_of(booking.id) is not None:
        raise DomainError(_("You have already rated this session. Thank you!"))
    workshop = occurrence.offering.kind == OfferingKind.WORKSHOP
    return leave_feedback(
        kind=FeedbackKind.WORKSHOP if workshop else FeedbackKind.SESSION,
        user=booking.user,
        rating=rating,
        message=message,
        subject_title=f"{occurrence.offering.title} · {occurrence.starts_at:%Y-%m-%d %H:%M} UTC",
        booking_id=booking.id,
        occurrence_id=occurrence.id,
    )
