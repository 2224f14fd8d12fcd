"""Workshop pages for clients and visitors: the listing, a workshop's dates, registering.

Registering, the waitlist, moving and cancelling dates are services of the scheduling
module (academy.scheduling.workshops), the same terms as 1:1 sessions.
"""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import Select, select
from sqlalchemy.orm import contains_eager, joinedload

from academy.core.caching import visitor_page
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.errors import DomainError
from academy.core.pagination import paginate
from academy.core.timezones import viewer_timezone
from academy.extensions import db
from academy.scheduling import seats, workshops
from academy.scheduling.access import can_use
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import Channel
from academy.scheduling.slots import local_instant
from academy.workshops.blueprint import bp, workshop_date
from academy.workshops.forms import (
    FilterForm,
    RegisterForm,
)


def _dates() -> Select[tuple[Occurrence]]:
    """Upcoming, scheduled dates of listed workshops, with their workshop and host."""
    return (
        select(Occurrence)
        .join(Occurrence.offering)
        .where(
            Offering.kind == OfferingKind.WORKSHOP,
            Offering.active,
            Occurrence.status == OccurrenceStatus.SCHEDULED,
            Occurrence.starts_at > now(),
        )
        .options(contains_eager(Occurrence.offering), joinedload(Occurrence.host))
        .order_by(Occurrence.starts_at, Occurrence.id)
    )


def _my_places(occurrences: list[Occurrence]) -> dict[int, tuple[Booking, int | None]]:
    """{occurrence id: (the viewer's registration, waitlist position)}: two queries at most."""
    if not current_user.is_authenticated or not occurrences:
        return {}
    ids = [o.id for o in occurrences]
    mine = db.session.scalars(
        select(Booking).where(
            Booking.user_id == current_user.id,
            Booking.occurrence_id.in_(ids),
            Booking.status != BookingStatus.CANCELLED,
        )
    ).all()
    waiting = [b.occurrence_id for b in mine if b.status == BookingStatus.WAITLISTED]
    positions = seats.waitlist_positions(waiting, current_user.id) if waiting else {}
    return {b.occurrence_id: (b, positions.get(b.occurrence_id)) for b in mine}


def _decision() -> Decision | None:
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    return can_use(current_user, Channel.WORKSHOPS)


@bp.get("/workshops/")
def index() -> str:
    # Seats left change with every registration: a visitor's copy lives a few seconds only.
    return visitor_page(_listing, seconds=current_app.config["VISITOR_LISTING_SECONDS"])


def _listing() -> str:
    form = FilterForm(request.args)
    query = _dates()
    filter_key = None  # known choices and a real date: the key of the filters' rendered HTML
    if form.validate():
        fields = (form.area, form.level, form.language, form.start)
        filter_key = "|".join(str(f.data or "") for f in fields)
        if form.area.data:
            query = query.where(Offering.product_area == form.area.data)
        if form.level.data:
            query = query.where(Offering.level == form.level.data)
        if form.language.data:
            query = query.where(Offering.language == form.language.data)
        if form.start.data:  # from the start of that day, in the viewer's zone
            zone = ZoneInfo(viewer_timezone())
            query = query.where(
                Occurrence.starts_at >= local_instant(form.start.data, time(0), zone)
            )
    page = paginate(query)
    return render_template(
        "workshops/index.html",
        form=form,
        filter_key=filter_key,
        page=page,
        places=_my_places(page.items),
        decision=_decision(),
        filtered=any(f.data for f in (form.area, form.level, form.language, form.start)),
    )


def _workshop(slug: str) -> Offering:
    offering = db.session.scalar(
        select(Offering)
        .where(Offering.slug == slug, Offering.kind == OfferingKind.WORKSHOP)
        .options(joinedload(Offering.host))
    )
    staff = current_user.is_authenticated and current_user.is_staff
    if offering is None or not (offering.active or staff):
        abort(404)
    return offering


@bp.get("/workshops/<slug>")
def workshop(slug: str) -> str:
    seconds = current_app.config["VISITOR_LISTING_SECONDS"]
    return visitor_page(lambda: _workshop_page(slug), seconds=seconds)


def _workshop_page(slug: str) -> str:
    offering = _workshop(slug)
    dates = db.session.scalars(
        _dates().where(Occurrence.offering_id == offering.id).limit(50)
    ).all()
    return render_template(
        "workshops/workshop.html",
        offering=offering,
        dates=dates,
        places=_my_places(list(dates)),
        decision=_decision(),
    )


@bp.post("/workshops/dates/<int:occurrence_id>/register")
@login_required
def register(occurrence_id: int) -> Response:
    occurrence = workshop_date(occurrence_id)
    back = url_for(".workshop", slug=occurrence.offering.slug)
    form = RegisterForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        booking = workshops.register(current_user, occurrence, fee_acknowledged=form.fee.data)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(back)
    if booking.status == BookingStatus.CONFIRMED:
        flash(
            _("You are registered. The confirmation and calendar invite are on their way."),
            "success",
        )
    else:
        flash(
            _("This date is full: you are on the waitlist. We will email you if a seat frees up."),
            "info",
        )
    return redirect(url_for("sessions.booking", booking_id=booking.id))
