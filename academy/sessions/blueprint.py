"""The sessions blueprint: every booking's pages (1:1 and workshop), and what they share.

Client pages are academy.sessions.views, changing or cancelling a booking (from the account or
an emailed link) academy.sessions.change_views, staff pages academy.sessions.staff_views: one
blueprint, so endpoints are `sessions.*` whoever the page is for.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import bindparam, select

from academy.core.caching import fragment_key
from academy.core.clock import now
from academy.core.params import id_arg, instant_arg, int_arg
from academy.core.timezones import clock_time, viewer_timezone
from academy.core.urls import UrlPattern
from academy.extensions import db
from academy.scheduling import bookings
from academy.scheduling.models import (
    Booking,
    Offering,
    OfferingKind,
)
from academy.scheduling.policy import POLICY
from academy.scheduling.slots import load_slots

bp = Blueprint("sessions", __name__)
WEEKS = POLICY.booking_horizon.days // 7


# Built once (issue 15: building it was a third of its cost); the slug is bound per request.
_ONE_ON_ONE = select(Offering).where(
    Offering.slug == bindparam("slug"), Offering.kind == OfferingKind.ONE_ON_ONE, Offering.active
)


def one_on_one(slug: str) -> Offering:
    return db.session.scalar(_ONE_ON_ONE, {"slug": slug}) or abort(404)


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


class PickerSlot(NamedTuple):
    """One free slot as the picker's form shows it, its strings made once."""

    host_id: int
    start: str  # ISO 8601 in UTC: what the form sends back
    time: str  # hours and minutes in the viewer's zone
    host_name: str


def week_slots(offering: Offering, days: list[date]) -> dict[date, list[PickerSlot]]:
    """The free slots of the days shown (in the viewer's zone), grouped by day.

    A week repeats the same few wall-clock times: each is formatted once, not once per slot
    (a filter per slot was a fifth of the page)."""
    zone = ZoneInfo(viewer_timezone())
    since = datetime.combine(days[0], datetime.min.time(), zone)
    until = datetime.combine(days[-1] + timedelta(days=1), datetime.min.time(), zone)
    grouped: dict[date, list[PickerSlot]] = defaultdict(list)
    labels: dict[tuple[int, int], str] = {}
    for slot in load_slots(offering, now(), since=since, until=until):
        local = slot.starts_at.astimezone(zone)
        label = labels.get((local.hour, local.minute))
        if label is None:
            label = labels[local.hour, local.minute] = clock_time(slot.starts_at)
        grouped[local.date()].append(
            PickerSlot(slot.host_id, slot.starts_at.isoformat(), label, slot.host_name)
        )
    return grouped


def picker(offering: Offering, week: int, *, load: bool = True) -> dict[str, object]:
    """What templates/sessions/_slot_picker.html shows: the week's days and free slots
    (none loaded when `load` is false: the page says why the client cannot book)."""
    days = week_days(week)
    grouped = week_slots(offering, days) if load else {}
    several_hosts = len({slot.host_id for day in grouped.values() for slot in day}) > 1
    return {
        "days": days,
        "grouped": grouped,
        "several_hosts": several_hosts,
        # Everything the kept days show (their times are in the viewer's zone) but the language.
        "slots_key": fragment_key(days, sorted(grouped.items()), several_hosts),
        "week": week,
        "weeks": WEEKS,
    }


def week_arg() -> int:
    return int_arg("week", 0, minimum=0, maximum=WEEKS)


def booking_urls() -> dict[str, UrlPattern]:
    """A list's links to its bookings (`urls.booking(b.id)`): one url_for per list, not three
    per row."""
    return {
        name: UrlPattern(f"sessions.{name}", "booking_id")
        for name in ("booking", "change", "cancel")
    }


def own_booking(booking_id: int) -> Booking:
    return bookings.get_booking(booking_id, current_user) or abort(404)
