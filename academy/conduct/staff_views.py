"""Staff pages for conduct incidents, reviews and restrictions (POLICY R4-R6)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from academy.accounts.models import User
from academy.conduct import services
from academy.conduct.forms import IncidentForm, LiftForm, ReviewForm
from academy.conduct.models import Incident, IncidentCategory, IncidentReview, Restriction
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.pagination import paginate
from academy.core.security import staff_required
from academy.core.text import download_name
from academy.extensions import db
from academy.scheduling.policy import Measure

bp = Blueprint("conduct", __name__)


def _incident(incident_id: int) -> Incident:
    return db.session.scalar(
        select(Incident)
        .options(
            selectinload(Incident.client),
            selectinload(Incident.reported_by),
            selectinload(Incident.review).selectinload(IncidentReview.reviewer),
        )
        .where(Incident.id == incident_id)
    ) or abort(404)


@bp.get("/staff/incidents")
@staff_required
def incidents() -> str:
    page = paginate(
        select(Incident)
        .options(
            selectinload(Incident.client),
            selectinload(Incident.reported_by),
            selectinload(Incident.review),
        )
        .outerjoin(IncidentReview)
        .order_by(IncidentReview.id.is_not(None), Incident.created_at.desc())
    )
    return render_template("conduct/incidents.html", page=page)


@bp.route("/staff/clients/<int:user_id>/incidents/new", methods=["GET", "POST"])
@staff_required
def report(user_id: int) -> str | Response:
    client = db.session.get(User, user_id) or abort(404)
    form = IncidentForm()
    if form.validate_on_submit():
        try:
            incident = services.report_incident(
                client,
                by=current_user,
                category=IncidentCategory(form.category.data),
                description=form.description.data,
                evidence_text=form.evidence_text.data or "",
                upload=form.evidence.data,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _(
                    "The incident is recorded. Another staff member must review it before "
                    "anything happens to the client."
                ),
                "success",
            )
            return redirect(url_for(".incident", incident_id=incident.id))
    return render_template("conduct/report.html", client=client, form=form)


@bp.route("/staff/incidents/<int:incident_id>", methods=["GET", "POST"])
@staff_required
def incident(incident_id: int) -> str | Response:
    item = _incident(incident_id)
    form = ReviewForm()
    if form.validate_on_submit():
        until = None
        if form.until.data:
            zone = ZoneInfo(current_user.timezone)
            until = datetime.combine(form.until.data, datetime.min.time(), zone)
        try:
            services.review_incident(
                item,
                reviewer=current_user,
                measure=Measure(form.measure.data),
                until=until,
                reason=form.reason.data,
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The decision is recorded and the client has been told."), "success")
            return redirect(url_for(".incident", incident_id=incident_id))
    return render_template(
        "conduct/incident.html",
        incident=item,
        form=form,
        can_review=item.reported_by_id != current_user.id,
    )


@bp.get("/staff/incidents/<int:incident_id>/evidence")
@staff_required
def evidence(incident_id: int) -> Response:
    item = _incident(incident_id)
    if not item.evidence_file:
        abort(404)
    return send_file(
        services.evidence_dir() / item.evidence_file,
        mimetype=item.evidence_type,
        as_attachment=True,
        # Rows stored before names were cleaned may still hold the sender's path.
        download_name=download_name(item.evidence_name, fallback=item.evidence_file),
    )


@bp.post("/staff/restrictions/<int:restriction_id>/lift")
@staff_required
def lift(restriction_id: int) -> Response:
    restriction = db.session.get(Restriction, restriction_id) or abort(404)
    form = LiftForm()
    if form.validate_on_submit():
        try:
            services.lift(restriction, by=current_user, reason=form.reason.data)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The restriction is lifted."), "success")
    else:
        flash(_("Say why the restriction is lifted."), "error")
    return redirect(url_for("sessions.client_page", user_id=restriction.user_id))
