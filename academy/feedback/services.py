"""Leaving feedback (POLICY R17). Triage lives beside it once the feedback pages land."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from academy.accounts.models import User
from academy.core.errors import DomainError
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind

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
