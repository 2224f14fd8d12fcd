"""Workshop pages for clients and visitors: the listing, a workshop's dates, registering.

Registering, the waitlist, moving and cancelling dates are services of the scheduling
module (academy.scheduling.workshops), the same terms as 1:1 sessions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from academy.core.caching import fragment_key, visitor_page
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.errors import DomainError
from academy.core.i18n import request_translations
from academy.core.pagination import paginate_rows
from academy.core.sql import rows
from academy.core.timezones import local_date, localtime, viewer_timezone
from academy.core.urls import UrlPattern
from academy.extensions import db
from academy.scheduling import workshops
from academy.scheduling.access import can_use
from academy.scheduling.models import BookingStatus, Offering
from academy.scheduling.policy import Channel
from academy.scheduling.slots import local_instant
from academy.workshops.blueprint import bp, choice_labels, workshop_date
from academy.workshops.forms import FilterForm, RegisterForm
from academy.workshops.queries import (
    DATES_OF_WORKSHOP,
    MY_PLACES,
    WORKSHOP_BY_SLUG,
    ListedDate,
    upcoming,
)


class Place(NamedTuple):
    """The viewer's registration for a date, and their place in its queue if waiting."""

    booking_id: int
    confirmed: bool
    position: int | None


def _my_places(ids: list[int]) -> dict[int, Place]:
    """{occurrence id: the viewer's place}, in one query."""
    if not current_user.is_authenticated or not ids:
        return {}
    found = rows(MY_PLACES, {"user_id": current_user.id, "ids": ids})
    return {
        occurrence_id: Place(booking_id, status == BookingStatus.CONFIRMED, position)
        for occurrence_id, booking_id, status, position in found
    }


class DateCard(NamedTuple):
    """What one date's row shows (templates/workshops/_date.html), worked out in one pass over
    the page's dates: times in the viewer's zone and language, labels, texts and links."""

    date: ListedDate
    month: str
    day: str
    when: str
    length: str  # "60 minutes"
    host: str  # "With ..."
    seats: str  # "3 seats left", "" when full
    level: str
    area: str
    href: str  # the workshop's page
    register_url: str
    place: Place | None
    booking_url: str  # "" without a place


def _cards(dates: Sequence[ListedDate], places: dict[int, Place]) -> list[DateCard]:
    levels, areas = choice_labels()
    workshop_url = UrlPattern("workshops.workshop", "slug")
    register_url = UrlPattern("workshops.register", "occurrence_id")
    booking_url = UrlPattern("sessions.booking", "booking_id")
    zone_name = viewer_timezone()
    zone = ZoneInfo(zone_name)
    # Each date formatted in the viewer's zone and language costs tens of microseconds (the
    # locale is looked up per call): the leaves' months, a few per page, once each.
    month = cache(lambda first_of_month: local_date(first_of_month, "MMM"))
    # Translated here, once per page for each length, host and count (a list repeats a few):
    # a `_()` inside the template's loop copied the whole template context each time, and
    # Flask-Babel's gettext looks the locale up again on every call.
    t = request_translations()
    length = cache(lambda minutes: t.ugettext("%(minutes)d minutes") % {"minutes": minutes})
    host = cache(lambda name: t.ugettext("With %(host)s") % {"host": name})
    seats = cache(
        lambda n: (
            t.ungettext("%(num)d seat left", "%(num)d seats left", n) % {"num": n} if n else ""
        )
    )
    cards = []
    for d in dates:
        place = places.get(d.id)
        local = d.starts_at.astimezone(zone)
        cards.append(
            DateCard(
                date=d,
                month=month(local.replace(day=1, hour=12, minute=0, second=0, microsecond=0)),
                day=local_date(d.starts_at, "d"),
                when=localtime(d.starts_at, "full", tz=zone_name),
                length=length(int((d.ends_at - d.starts_at).total_seconds() // 60)),
                host=host(d.host_name),
                seats=seats(d.seats_left),
                level=levels.get(d.level, d.level),
                area=areas.get(d.product_area, d.product_area),
                href=workshop_url(d.slug),
                register_url=register_url(d.id),
                place=place,
                booking_url=booking_url(place.booking_id) if place else "",
            )
        )
    return cards


@dataclass(frozen=True)
class DateList:
    """A page's dates, for templates/workshops/_date.html. The rows' HTML is kept (the
    `{% cache %}` of core.caching) under `key`, a digest of everything the rows are made from:
    the dates with their seats, the viewer's places and what their account lets them do; the
    template adds the language and zone. `cards()` works the rows out, only when they are not
    kept: formatting each date, label and link was most of the listing's time (issue 15)."""

    dates: Sequence[ListedDate]
    places: dict[int, Place]
    key: str

    def __bool__(self) -> bool:
        return bool(self.dates)

    def cards(self) -> list[DateCard]:
        return _cards(self.dates, self.places)


def _date_list(dates: Sequence[ListedDate], context: dict[str, Any]) -> DateList:
    """The dates with the viewer's places; `context` is _row_context()'s."""
    places = _my_places([d.id for d in dates])
    decision = context["decision"]
    # What the rows' forms depend on (_date.html): allowed at all, and with the R15 fee.
    can = None if decision is None else (decision.allowed, decision.fee_required)
    key = fragment_key(
        dates, sorted(places.items()), can, context["signed_in"], context["login_url"]
    )
    return DateList(dates, places, key)


def _decision() -> Decision | None:
    if not current_user.is_authenticated or current_user.is_staff:
        return None
    return can_use(current_user, Channel.WORKSHOPS)


def _row_context() -> dict[str, object]:
    """What every row's action needs, worked out once for the page."""
    signed_in = current_user.is_authenticated
    return {
        "decision": _decision(),
        "signed_in": signed_in,
        "login_url": "" if signed_in else url_for("accounts.login", next=request.full_path),
    }


@bp.get("/workshops/")
def index() -> str:
    # Seats left change with every registration: a visitor's copy lives a few seconds only.
    return visitor_page(_listing, seconds=current_app.config["VISITOR_LISTING_SECONDS"])


def _listing() -> str:
    form = FilterForm(request.args)
    params: dict[str, object] = {"now": now()}
    filter_key = None  # known choices and a real date: the key of the filters' rendered HTML
    if form.validate():
        fields = (form.area, form.level, form.language, form.start)
        filter_key = "|".join(str(f.data or "") for f in fields)
        for field in (form.area, form.level, form.language):
            if field.data:
                params[field.name] = field.data
        if form.start.data:  # from the start of that day, in the viewer's zone
            zone = ZoneInfo(viewer_timezone())
            params["start"] = local_instant(form.start.data, time(0), zone)
    statement = upcoming(*(name in params for name in ("area", "level", "language", "start")))
    page = paginate_rows(statement, params, ListedDate)
    context = _row_context()
    return render_template(
        "workshops/index.html",
        form=form,
        filter_key=filter_key,
        page=page,
        dates=_date_list(page.items, context),
        filtered=any(f.data for f in (form.area, form.level, form.language, form.start)),
        **context,
    )


def _workshop(slug: str) -> Offering:
    offering = db.session.scalar(WORKSHOP_BY_SLUG, {"slug": slug})
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
    found = rows(DATES_OF_WORKSHOP, {"offering_id": offering.id, "now": now()})
    context = _row_context()
    return render_template(
        "workshops/workshop.html",
        offering=offering,
        dates=_date_list([ListedDate(*row) for row in found], context),
        **context,
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
