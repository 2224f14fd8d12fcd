"""Writing messages to the outbox. Callers commit with their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from academy.notifications.channels import Recipient, channel
from academy.notifications.models import OutboxMessage


def enqueue_email(
    user: Recipient,
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
    message = channel("email").queue(
        user,
        kind,
        template,
        subject=subject,
        due_at=due_at,
        dedupe_key=dedupe_key,
        attachments=attachments,
        booking_id=booking_id,
        **context,
    )
    assert message is not None  # every account has an email address
    return message
