"""Staff pages of workshops: hosting, dates, rosters and attendance (POLICY R12), the CSV."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from academy.accounts.models import Role, User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.pagination import paginate
from academy.core.security import staff_required
from academy.core.text import csv_cell
from academy.core.timezones import viewer_timezone
from academy.extensions import db
from academy.scheduling import attendance, workshops
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
    Outcome,
)
from academy.scheduling.slots import local_instant
from academy.sessions.forms import ConfirmForm, OutcomeForm
from academy.workshops.blueprint import bp, workshop_date
from academy.workshops.forms import (
    DateForm,
    WorkshopForm,
)
from academy.workshops.services import save_workshop


def _hosts() -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role.in_([Role.STAFF, Role.ADMIN]))
        .order_by(User.name)
    )
    return [(user_id, name) for user_id, name in rows]


@bp.get("/staff/workshops")
@staff_required
def staff_index() -> str:
    page = paginate(
        select(Offering)
        .where(Offering.kind == OfferingKind.WORKSHOP)
        .options(selectinload(Offering.host))
        .order_by(Offering.active.desc(), Offering.title)
    )
    ids = [o.id for o in page.items]
    upcoming = {
        offering_id: (dates, next_start)
        for offering_id, dates, next_start in db.session.execute(
            select(Occurrence.offering_id, func.count(), func.min(Occurrence.starts_at))
            .where(
                Occurrence.offering_id.in_(ids),
                Occurrence.status == OccurrenceStatus.SCHEDULED,
                Occurrence.starts_at > now(),
            )
            .group_by(Occurrence.offering_id)
        )
    }
    return render_template("workshops/staff_index.html", page=page, upcoming=upcoming)


def _workshop_form(offering: Offering | None) -> WorkshopForm:
    form = WorkshopForm(obj=offering) if offering else WorkshopForm()
    form.host.choices = _hosts()
    if request.method == "GET":
        if offering:
            form.host.data, form.duration.data = offering.host_id, offering.duration_minutes
        else:
            form.host.data = current_user.id
    return form


def _edit_workshop(offering: Offering | None) -> str | Response:
    form = _workshop_form(offering)
    if form.validate_on_submit():
        offering = save_workshop(
            offering,
            title=form.title.data,
            description=form.description.data,
            level=form.level.data,
            product_area=form.product_area.data,
            language=form.language.data,
            host_id=form.host.data,
            capacity=form.capacity.data,
            duration=form.duration.data,
            meeting_url=form.meeting_url.data or "",
            active=form.active.data,
        )
        flash(_("The workshop has been saved."), "success")
        return redirect(url_for(".staff_workshop", offering_id=offering.id))
    return render_template("workshops/staff_edit.html", form=form, offering=offering)


@bp.route("/staff/workshops/new", methods=["GET", "POST"])
@staff_required
def staff_new() -> str | Response:
    return _edit_workshop(None)


def _staff_offering(offering_id: int) -> Offering:
    offering = db.session.scalar(
        select(Offering)
        .where(Offering.id == offering_id, Offering.kind == OfferingKind.WORKSHOP)
        .options(selectinload(Offering.host))
    )
    return offering or abort(404)


@bp.route("/staff/workshops/<int:offering_id>/edit", methods=["GET", "POST"])
@staff_required
def staff_edit(offering_id: int) -> str | Response:
    return _edit_workshop(_staff_offering(offering_id))


def _date_form(occurrence: Occurrence | None, offering: Offering) -> DateForm:
    form = DateForm()
    form.host.choices = _hosts()
    if request.method == "GET":
        zone = ZoneInfo(viewer_timezone())
        if occurrence is not None:
            local = occurrence.starts_at.astimezone(zone)
            form.day.data, form.time.data = local.date(), local.time()
            form.duration.data = int((occurrence.ends_at - occurrence.starts_at).seconds // 60)
            form.host.data, form.capacity.data = occurrence.host_id, occurrence.capacity
            form.meeting_url.data = occurrence.meeting_url
        else:
            form.duration.data, form.capacity.data = offering.duration_minutes, offering.capacity
            form.host.data = offering.host_id or current_user.id
            form.meeting_url.data = offering.meeting_url
    return form


def _date_values(form: DateForm) -> dict[str, object]:
    host = db.session.get(User, form.host.data)
    if host is None or not host.is_staff:
        raise DomainError(_("Choose a host from the list."), "host")
    start = local_instant(form.day.data, form.time.data, ZoneInfo(viewer_timezone()))
    return {
        "start": start,
        "minutes": form.duration.data,
        "host": host,
        "capacity": form.capacity.data,
        "meeting_url": form.meeting_url.data or "",
    }


@bp.route("/staff/workshops/<int:offering_id>", methods=["GET", "POST"])
@staff_required
def staff_workshop(offering_id: int) -> str | Response:
    """A workshop's dates, and the form that adds one."""
    offering = _staff_offering(offering_id)
    form = _date_form(None, offering)
    if form.validate_on_submit():
        try:
            occurrence = workshops.schedule(offering, **_date_values(form))  # type: ignore[arg-type]
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The date has been added."), "success")
            return redirect(url_for(".roster", occurrence_id=occurrence.id))
    when = request.args.get("when", "upcoming")
    query = (
        select(Occurrence)
        .where(Occurrence.offering_id == offering.id)
        .options(selectinload(Occurrence.host))
    )
    if when == "past":
        query = query.where(Occurrence.starts_at <= now()).order_by(Occurrence.starts_at.desc())
    else:
        when = "upcoming"
        query = query.where(Occurrence.starts_at > now()).order_by(Occurrence.starts_at)
    return render_template(
        "workshops/staff_workshop.html",
        offering=offering,
        form=form,
        page=paginate(query),
        when=when,
        now=now(),
    )


def _roster(occurrence_id: int) -> list[Booking]:
    return list(
        db.session.scalars(
            select(Booking)
            .where(Booking.occurrence_id == occurrence_id)
            # Many-to-one: joined, so a roster of any size is one statement.
            .options(joinedload(Booking.user).joinedload(User.firm))
            .order_by(Booking.queue_ticket.is_not(None), Booking.queue_ticket, Booking.id)
        )
    )


@bp.route("/staff/workshops/dates/<int:occurrence_id>", methods=["GET", "POST"])
@staff_required
def roster(occurrence_id: int) -> str | Response:
    """A date's roster (registered, waitlisted, cancelled), attendance, and editing it."""
    occurrence = workshop_date(occurrence_id)
    form = _date_form(occurrence, occurrence.offering)
    if form.validate_on_submit():
        try:
            workshops.update_occurrence(occurrence, by=current_user, **_date_values(form))  # type: ignore[arg-type]
        except DomainError as error:
            show_error(form, error)
        else:
            flash(
                _("The date has been saved. Registrants are told of any change of time."), "success"
            )
            return redirect(url_for(".roster", occurrence_id=occurrence_id))
    bookings = _roster(occurrence_id)
    groups: dict[str, list[Booking]] = {"confirmed": [], "waitlisted": [], "cancelled": []}
    for b in bookings:
        groups[b.status].append(b)
    return render_template(
        "workshops/roster.html",
        occurrence=occurrence,
        groups=groups,
        form=form,
        started=now() >= occurrence.starts_at,
        editable=occurrence.status == OccurrenceStatus.SCHEDULED and now() < occurrence.starts_at,
        outcome_form=OutcomeForm(),
    )


@bp.route("/staff/workshops/dates/<int:occurrence_id>/cancel", methods=["GET", "POST"])
@staff_required
def cancel_date(occurrence_id: int) -> str | Response:
    occurrence = workshop_date(occurrence_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            count = workshops.cancel_occurrence(occurrence, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(
                _("The date is cancelled; %(count)d registrants have been told.", count=count),
                "success",
            )
        return redirect(url_for(".roster", occurrence_id=occurrence_id))
    return render_template("workshops/cancel_date.html", occurrence=occurrence, form=form)


@bp.post("/staff/workshops/dates/<int:occurrence_id>/bookings/<int:booking_id>/outcome")
@staff_required
def mark(occurrence_id: int, booking_id: int) -> Response:
    """Attendance from the roster: attended or no-show, feeding the no-show ledger (R12)."""
    booking = db.session.scalar(
        select(Booking)
        .where(Booking.id == booking_id, Booking.occurrence_id == occurrence_id)
        .options(
            selectinload(Booking.occurrence).selectinload(Occurrence.offering),
            selectinload(Booking.user),
        )
    )
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        abort(404)
    form = OutcomeForm()
    if form.validate_on_submit():
        try:
            attendance.mark_outcome(booking, Outcome(form.outcome.data), by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("Recorded for %(name)s.", name=booking.user.name), "success")
    else:
        flash(_("Choose what happened from the list."), "error")
    return redirect(url_for(".roster", occurrence_id=occurrence_id) + "#roster")


@bp.get("/staff/workshops/dates/<int:occurrence_id>/roster.csv")
@staff_required
def roster_csv(occurrence_id: int) -> Response:
    occurrence = workshop_date(occurrence_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["name", "email", "firm", "status", "registered_at_utc", "waitlist_position", "outcome"]
    )
    position = 0
    for b in _roster(occurrence_id):
        if b.status == BookingStatus.WAITLISTED:
            position += 1
        writer.writerow(
            [
                csv_cell(b.user.name),
                csv_cell(b.user.email),
                csv_cell(b.user.firm.name if b.user.firm else ""),
                b.status,
                b.created_at.strftime("%Y-%m-%d %H:%M"),
                position if b.status == BookingStatus.WAITLISTED else "",
                b.outcome or "",
            ]
        )
    stamp = occurrence.starts_at.strftime("%Y%m%d-%H%M")
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": (
                f'attachment; filename="roster-{occurrence.offering.slug}-{stamp}.csv"'
            )
        },
    )
