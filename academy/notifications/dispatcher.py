"""Sends what is due in the outbox. Safe to run several at once: rows are claimed atomically."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from academy.core.clock import now
from academy.extensions import db
from academy.notifications.mail import build_email, transport_for
from academy.notifications.models import OutboxMessage, OutboxStatus
from academy.notifications.sms import provider_for

log = logging.getLogger(__name__)

# A claim older than this belongs to a dispatcher that died mid-send; the row is retried.
STALE_CLAIM = timedelta(minutes=10)


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, ... minutes between tries, at most an hour."""
    return timedelta(minutes=min(2 ** (attempts - 1), 60))


def claim(batch: int) -> list[OutboxMessage]:
    """Take up to `batch` due rows for this dispatcher and no other.

    One UPDATE settles it: on PostgreSQL the inner SELECT skips rows another dispatcher
    has locked (FOR UPDATE SKIP LOCKED); SQLite runs one writer at a time, and the
    `status = pending` condition makes a second claim of the same row match nothing.
    """
    token = secrets.token_hex(16)
    at = now()
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.due_at <= at,
            or_(
                OutboxMessage.status == OutboxStatus.PENDING,
                (OutboxMessage.status == OutboxStatus.SENDING)
                & (OutboxMessage.claimed_at < at - STALE_CLAIM),
            ),
        )
        .order_by(OutboxMessage.due_at, OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id.in_(due.scalar_subquery()),
            or_(
                OutboxMessage.status == OutboxStatus.PENDING,
                OutboxMessage.claimed_at < at - STALE_CLAIM,
            ),
        )
        .values(status=OutboxStatus.SENDING, claim_token=token, claimed_at=at)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.claim_token == token, OutboxMessage.status == OutboxStatus.SENDING)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            # Rows already in this session were changed by the UPDATE above: reload them.
            .execution_options(populate_existing=True)
        )
    )


def _finish(msg: OutboxMessage, token: str, **values: object) -> bool:
    """Record a send's outcome, only if this dispatcher still holds the claim.

    A dispatcher that stalled past STALE_CLAIM has lost the row to another one; its late
    outcome must not overwrite the newer one.
    """
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg.id, OutboxMessage.claim_token == token)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return bool(result.rowcount)


def dispatch_due(batch: int = 200) -> DispatchResult:
    """Send every due message, in batches, then return what happened."""
    result = DispatchResult()
    config = current_app.config
    max_attempts = config["OUTBOX_MAX_ATTEMPTS"]
    sms = provider_for(config)
    while messages := claim(batch):
        with transport_for(config) as transport:
            for msg in messages:
                token = msg.claim_token or ""
                attempts = msg.attempts + 1
                try:
                    if msg.channel == "sms":
                        sms.send(msg.recipient, msg.body_text, reference=f"outbox{msg.id}")
                    else:
                        transport.send(build_email(msg, config["MAIL_DEFAULT_SENDER"]))
                except Exception as exc:  # any failure is retried, never dropped
                    log.warning("outbox %s attempt %s failed: %s", msg.id, attempts, exc)
                    error = f"{type(exc).__name__}: {exc}"[:2000]
                    final = attempts >= max_attempts
                    # Each outcome is committed at once: a crash later never re-sends this one.
                    if _finish(
                        msg,
                        token,
                        attempts=attempts,
                        last_error=error,
                        claim_token=None,
                        status=OutboxStatus.FAILED if final else OutboxStatus.PENDING,
                        due_at=msg.due_at if final else now() + backoff(attempts),
                    ):
                        if final:
                            result.failed += 1
                        else:
                            result.retried += 1
                else:
                    if _finish(
                        msg,
                        token,
                        attempts=attempts,
                        status=OutboxStatus.SENT,
                        sent_at=now(),
                        last_error=None,
                    ):
                        result.sent += 1
        if len(messages) < batch:
            break
    return result
