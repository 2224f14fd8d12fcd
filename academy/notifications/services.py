"""Writing messages to the outbox. Callers commit with their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale

from academy.accounts.models import User
from academy.core.clock import now
from academy.extensions import db
from academy.notifications.models import OutboxMessage


def enqueue_email(
    user: User,
    kind: str,
    subject: str,
    template: str,
    *,
    due_at: datetime | None = None,
    dedupe_key: str | None = None,
    attachments: list[dict[str, Any]] | None = None,
    booking_id: int | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render `emails/<template>.txt` and `.html` in the user's language and zone, and queue it.

    `subject` is a message id marked with N_(); it is translated in the recipient's language
    here, with `subject_params` filled in.
    """
    with force_locale(user.language):
        from flask_babel import gettext

        ctx = {"user": user, "tz": user.timezone, **context}
        message = OutboxMessage(
            kind=kind,
            channel="email",
            user_id=user.id,
            recipient=user.email,
            subject=gettext(subject, **context.get("subject_params", {})),
            body_text=render_template(f"emails/{template}.txt", **ctx),
            body_html=render_template(f"emails/{template}.html", **ctx),
            attachments=attachments or [],
            dedupe_key=dedupe_key,
            due_at=due_at or now(),
            booking_id=booking_id,
        )
    db.session.add(message)
    return message


def enqueue_sms(
    user: User,
    kind: str,
    template: str,
    *,
    due_at: datetime,
    dedupe_key: str | None = None,
    booking_id: int | None = None,
    **context: Any,
) -> OutboxMessage | None:
    """Queue an SMS rendered from `sms/<template>.txt`; nothing when the user has no phone."""
    if not user.phone:
        return None
    with force_locale(user.language):
        text = render_template(f"sms/{template}.txt", user=user, tz=user.timezone, **context)
    body = " ".join(text.split())
    message = OutboxMessage(
        kind=kind,
        channel="sms",
        user_id=user.id,
        recipient=user.phone,
        subject=body[:80],  # what the notification log shows for it
        body_text=body,
        attachments=[],
        dedupe_key=dedupe_key,
        due_at=due_at,
        booking_id=booking_id,
    )
    db.session.add(message)
    return message
