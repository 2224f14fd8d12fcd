"""Conduct incidents (POLICY R4-R6): report, review by another staff member, restrict, lift."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage

from academy.accounts.models import Firm, User
from academy.conduct.models import Incident, IncidentCategory, IncidentReview, Restriction
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.files import store_file
from academy.core.i18n import explain
from academy.core.markers import N_
from academy.extensions import db
from academy.notifications.services import enqueue_email
from academy.scheduling.policy import (
    Measure,
    measure_decision,
    review_decision,
)

# Sent with the client's id when a review restricts them or ends their firm's subscription
# (POLICY R5, R6), after the commit: what they had open (a chat) ends at once.
restricted = Namespace().signal("restricted")


@dataclass(frozen=True)
class Quote:
    """A message quoted as evidence: its id where it came from, its text, author and time."""

    message_id: int
    body: str
    author: str
    at: datetime


def evidence_dir() -> Path:
    return Path(current_app.config["EVIDENCE_DIR"])


def _store_evidence(upload: FileStorage) -> tuple[str, str, str]:
    data = upload.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1)
    return store_file(data, upload.filename or "", "evidence", evidence_dir())


def report_incident(
    client: User,
    *,
    by: User,
    category: IncidentCategory,
    description: str,
    evidence_text: str = "",
    upload: FileStorage | None = None,
    quote: Quote | None = None,
) -> Incident:
    """R4: record an incident; nothing happens to the client until it is reviewed."""
    if client.is_staff:
        raise DomainError(_l("Incidents are reported about clients."))
    incident = Incident(
        client_id=client.id,
        reported_by_id=by.id,
        category=category,
        description=description.strip(),
        evidence_text=evidence_text.strip(),
    )
    if quote is not None:
        incident.evidence_text = quote.body
        incident.chat_message_id, incident.quoted_author = quote.message_id, quote.author[:200]
        incident.quoted_at = quote.at
    if upload is not None and upload.filename:
        incident.evidence_file, incident.evidence_name, incident.evidence_type = _store_evidence(
            upload
        )
    db.session.add(incident)
    db.session.commit()
    return incident


def review_incident(
    incident: Incident, *, reviewer: User, measure: Measure, until: datetime | None, reason: str
) -> IncidentReview:
    """R4, R5: another staff member decides; the decision is recorded and the client told."""
    if not (decision := review_decision(incident.reported_by_id, reviewer.id)):
        raise DomainError(explain(decision), "measure")
    at = now()
    if not (decision := measure_decision(measure, until, at)):
        raise DomainError(explain(decision), "until")
    if not reason.strip():
        raise DomainError(_l("Say why you decided this."), "reason")
    if incident.review is not None:
        raise DomainError(_l("This incident has already been reviewed."))
    review = IncidentReview(
        incident=incident,
        reviewer_id=reviewer.id,
        measure=measure,
        until=until if measure == Measure.TEMPORARY else None,
        reason=reason.strip(),
    )
    db.session.add(review)
    db.session.flush()
    client = incident.client
    if measure in (Measure.TEMPORARY, Measure.PERMANENT):
        db.session.add(
            Restriction(
                user_id=client.id,
                review_id=review.id,
                permanent=measure == Measure.PERMANENT,
                until=review.until,
            )
        )
    elif measure == Measure.END_SUBSCRIPTION and client.firm_id is not None:
        firm = db.session.get(Firm, client.firm_id)
        assert firm is not None
        firm.subscription_ended_at = at
    if measure != Measure.NO_ACTION:
        send_decision(client, measure, review.until)
    db.session.commit()
    if measure != Measure.NO_ACTION:
        restricted.send(client.id)
    return review


def send_decision(client: User, measure: Measure, until: datetime | None) -> None:
    """The client hears of a measure that changes their access (R5, R6)."""
    enqueue_email(
        client,
        "conduct_decision",
        N_("A decision about your access to support"),
        "conduct_decision",
        measure=measure,
        until=until,
    )


def lift(restriction: Restriction, *, by: User, reason: str) -> Restriction:
    """Staff end a restriction early, with a reason; the record stays."""
    if restriction.lifted_at is not None:
        raise DomainError(_l("This restriction has already been lifted."), "reason")
    if not reason.strip():
        raise DomainError(_l("Say why the restriction is lifted."), "reason")
    restriction.lifted_at, restriction.lifted_by_id = now(), by.id
    restriction.lift_reason = reason.strip()
    db.session.commit()
    return restriction
