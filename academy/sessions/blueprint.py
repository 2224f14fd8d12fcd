"""The sessions blueprint: every booking's pages (1:1 and workshop), and what they share.

Client pages are academy.sessions.views, changing or cancelling a booking (from the account or
an emailed link) academy.sessions.change_views, staff pages academy.sessions.staff_views: one
blueprint, so endpoints are `sessions.*` whoever the page is for.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import select

from academy.core.clock import now
from academy.core.params import id_arg, instant_arg, int_arg
from academy.core.timezones import viewer_timezone
from academy.extensions import db
from academy.scheduling import bookings
from academy.scheduling.models import (
    Booking,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import POLICY
from academy.scheduling.slots import Slot, load_slots

bp = Blueprint("sessions", __name__)
WEEKS = POLICY.booking_horizon.days // 7


def one_on_one(slug: str) -> Offering:
    offering = db.session.scalar(
        select(Offering).where(
            Offering.slug == slug, Offering.kind == OfferingKind.ONE_ON_ONE, Offering.active
        )
    )
    return offering or abort(404)


def chosen_slot() -> tuple[int, datetime] | None:
    """The slot a picker sent (`host`, `start`): None when nothing was chosen; a 400/404 page
    when what was sent is not an id and an instant (core.params)."""
    source = "form" if request.method == "POST" else "args"
    if not (request.form if source == "form" else request.args).get("start"):
        return None
    host = id_arg("host", source, required=True)
    start = instant_arg("start", source, required=True)
    assert host is not None and start is not None
    return host, start


def week_days(week: int) -> list[date]:
    today = now().astimezone(ZoneInfo(viewer_timezone())).date()
    first = today + timedelta(days=7 * week)
    return [first + timedelta(days=i) for i in range(7)]


def week_slots(offering: Offering, days: list[date]) -> dict[date, list[Slot]]:
    """The free slots of the days shown (in the viewer's zone), grouped by day."""
    zone = ZoneInfo(viewer_timezone())
    since = datetime.combine(days[0], datetime.min.time(), zone)
    until = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), zone)
    grouped: dict[date, list[Slot]] = defaultdict(list)
    for slot in load_slots(offering, now(), since=since, until=until):
        grouped[slot.starts_at.astimezone(zone).date()].append(slot)
    return grouped


def week_arg() -> int:
    return int_arg("week", 0, minimum=0, maximum=WEEKS)


def own_booking(booking_id: int) -> Booking:
    return bookings.get_booking(booking_id, current_user) or abort(404)
