"""The two reminders of an assigned course (soon, overdue) are outbox rows with a dedupe key
per assignment and kind: made once each, withdrawn together (as a booking's, R8)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from academy.extensions import db
from academy.firms.models import Assignment
from academy.notifications.models import OutboxMessage, OutboxStatus

KINDS = ("assignment_soon", "assignment_overdue")


def keys(assignment_id: int) -> list[str]:
    return [f"assignment{assignment_id}:{kind}" for kind in KINDS]


def withdraw(assignment_ids: list[int], conn: Connection | None = None) -> int:
    wanted = [k for i in assignment_ids for k in keys(i)]
    statement = (
        update(OutboxMessage)
        .where(
            OutboxMessage.dedupe_key.in_(wanted),
            OutboxMessage.status.in_([OutboxStatus.PENDING, OutboxStatus.SENDING]),
        )
        .values(status=OutboxStatus.CANCELLED, claim_token=None)
    )
    if conn is not None:
        return int(conn.execute(statement).rowcount or 0)
    result = db.session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def withdraw_for_member(user_id: int, firm_id: int) -> int:
    """A member who leaves the firm gets no more reminders of what it assigned them."""
    ids = list(
        db.session.scalars(
            select(Assignment.id).where(
                Assignment.user_id == user_id, Assignment.firm_id == firm_id
            )
        )
    )
    return withdraw(ids) if ids else 0
