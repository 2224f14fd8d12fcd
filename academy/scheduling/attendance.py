"""Attendance and the no-show ledger (POLICY R10, R12-R16): services, each one transaction."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.attributes import set_committed_value

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.i18n import explain
from academy.core.markers import N_
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.services import enqueue_email
from academy.scheduling.access import facts_for, forget_facts
from academy.scheduling.messages import withdraw_rating_request
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    NoShow,
    NoShowSource,
    Notice,
    Outcome,
)
from academy.scheduling.policy import (
    Standing,
    outcome_decision,
    standing,
    standing_notice,
)


def client_standing(user: User, at: datetime | None = None) -> Standing:
    """R14-R16 for one client, by their plan's terms: counted (not excused) no-shows."""
    facts = facts_for(user)
    return standing(facts.no_shows, at or now(), facts.terms.no_shows)


def record_no_show(
    booking: Booking, source: NoShowSource, occurred_at: datetime, by: User | None
) -> NoShow:
    """R12: count a no-show for the booking's client, then warn (R14) or penalise (R15).

    Called inside the caller's transaction (a late change, or an outcome being marked).
    """
    no_show = NoShow(
        user_id=booking.user_id,
        booking_id=booking.id,
        occurred_at=occurred_at,
        source=source,
        recorded_by_id=by.id if by else None,
    )
    db.session.add(no_show)
    db.session.flush()  # unique per booking: a second one is a bug upstream, never hidden
    forget_facts()
    tell_client(booking.user, client_standing(booking.user, occurred_at))
    return no_show


def tell_client(user: User, record: Standing) -> None:
    """R14: the first counted no-show is a warning; R15: a second within the window (the
    client's terms), the penalty. The figures come from the client's terms."""
    if record.penalty:
        kind, subject = "noshow_penalty", N_("A second missed session: what changes now")
    elif len(record.recent) == 1:
        kind, subject = "noshow_warning", N_("A missed session: a friendly warning")
    else:
        return
    db.session.add(Notice(user_id=user.id, kind=kind))
    notice = standing_notice(facts_for(user), now(), current_app.config["FEE_CURRENCY"])
    enqueue_email(
        user,
        kind,
        subject,
        kind,
        standing=notice,
    )


def mark_outcome(booking: Booking, outcome: Outcome, *, by: User, note: str = "") -> Booking:
    """R12, R13: staff mark what happened, once, after the start.

    Once: a conditional UPDATE (`outcome IS NULL`, still confirmed) decides between two staff
    members marking at the same instant; the other is told it is already recorded."""
    start = booking.occurrence.starts_at
    already = DomainError(
        _l("The outcome is already recorded. To take back a no-show, excuse it."), "outcome"
    )
    if booking.outcome is not None:
        raise already
    if not (decision := outcome_decision(outcome, start, now())):
        raise DomainError(explain(decision), "outcome")
    values = {
        "outcome": outcome,
        "outcome_note": note.strip(),
        "outcome_by_id": by.id,
        "outcome_at": now(),
    }
    won = db.session.execute(
        update(Booking)
        .where(
            Booking.id == booking.id,
            Booking.outcome.is_(None),
            Booking.status == BookingStatus.CONFIRMED,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:
        db.session.rollback()
        raise already
    for key, value in values.items():
        set_committed_value(booking, key, value)
    if outcome == Outcome.NO_SHOW:
        record_no_show(booking, NoShowSource.ABSENT, start, by)
        withdraw_rating_request(booking)
    elif outcome == Outcome.INTERRUPTED:
        send_interrupted(booking)  # R13: not a no-show; the client is invited to book again
    db.session.commit()
    return booking


def send_interrupted(booking: Booking) -> None:
    """R13: the session was ended early (recorded as interrupted): a link to book again."""
    enqueue_email(
        booking.user,
        "session_interrupted",
        N_("Your session was ended early: book a new time"),
        "session_interrupted",
        booking=booking,
        title=booking.occurrence.offering.title_in(booking.user.language),
        start=booking.occurrence.starts_at,
        note=booking.outcome_note,
        link=external_url("sessions.slots", slug=booking.occurrence.offering.slug),
    )


def excuse(no_show: NoShow, *, by: User, reason: str) -> NoShow:
    """Staff excuse a no-show (illness, our fault...): kept, never deleted; it stops counting."""
    if no_show.excused_at is not None:
        raise DomainError(_l("This no-show is already excused."), "reason")
    if not reason.strip():
        raise DomainError(_l("Say why the no-show is excused."), "reason")
    no_show.excused_at, no_show.excused_by_id, no_show.excuse_reason = now(), by.id, reason.strip()
    db.session.commit()
    return no_show


# Built once: the home page of every client asks it.
_OPEN_NOTICE = (
    select(Notice.id)
    .where(Notice.user_id == bindparam("uid"), Notice.dismissed_at.is_(None))
    .order_by(Notice.created_at.desc(), Notice.id.desc())
    .limit(1)
)


def open_notice_id(user: User) -> int | None:
    """The newest notice about the client's no-show record they have not dismissed (R14/R15)."""
    return db.session.scalar(_OPEN_NOTICE, {"uid": user.id})


def dismiss_notices(notice: Notice) -> None:
    """The client has read it: this notice and the older ones leave the home page."""
    db.session.execute(
        update(Notice)
        .where(
            Notice.user_id == notice.user_id,
            Notice.id <= notice.id,
            Notice.dismissed_at.is_(None),
        )
        .values(dismissed_at=now())
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
