"""The statements of the client workshop pages, built once at import.

The listing loads plain rows of the columns it shows (`ListedDate`), not Occurrence, Offering
and User entities: loading twenty dates with their workshop and host as ORM objects, and
building the select with its joins and loader options on every request, were a quarter of the
listing's time (issue 15).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, select

from academy.accounts.models import User
from academy.core.pagination import pageable
from academy.scheduling.models import (
    Booking,
    BookingStatus,
    Occurrence,
    OccurrenceStatus,
    Offering,
    OfferingKind,
)
from academy.scheduling.seats import QUEUE_RANKS


class ListedDate(NamedTuple):
    """One upcoming date of a listed workshop, as the listing and the workshop's page show it."""

    id: int
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_taken: int
    slug: str
    title: str
    level: str
    product_area: str
    language: str
    host_name: str

    # The model's own rule, applied to these columns.
    seats_left = property(Occurrence.seats_left.fget)


_UPCOMING = (
    select(
        Occurrence.id,
        Occurrence.starts_at,
        Occurrence.ends_at,
        Occurrence.capacity,
        Occurrence.seats_taken,
        Offering.slug,
        Offering.title,
        Offering.level,
        Offering.product_area,
        Offering.language,
        User.name,
    )
    .join(Offering, Offering.id == Occurrence.offering_id)
    .join(User, User.id == Occurrence.host_id)
    .where(
        # The occurrence's own kind, so that ix_occurrences_kind_status_start gives the dates
        # in order (migration 0018).
        Occurrence.kind == OfferingKind.WORKSHOP,
        Offering.active,
        Occurrence.status == OccurrenceStatus.SCHEDULED,
        Occurrence.starts_at > bindparam("now"),
    )
    .order_by(Occurrence.starts_at, Occurrence.id)
)
"""Scheduled dates of listed workshops after `now`, soonest first, as ListedDate columns."""


@lru_cache(maxsize=16)
def upcoming(area: bool, level: bool, language: bool, start: bool) -> Select[Any]:
    """The listing's statement with the filters that are set, built once per combination
    (params: now, and area, level, language, start for those set; pageable)."""
    statement = _UPCOMING
    if area:
        statement = statement.where(Offering.product_area == bindparam("area"))
    if level:
        statement = statement.where(Offering.level == bindparam("level"))
    if language:
        statement = statement.where(Offering.language == bindparam("language"))
    if start:
        statement = statement.where(Occurrence.starts_at >= bindparam("start"))
    return pageable(statement)


# A workshop's page lists its next dates (params: offering_id, now).
DATES_OF_WORKSHOP = _UPCOMING.where(Occurrence.offering_id == bindparam("offering_id")).limit(50)

WORKSHOP_BY_SLUG = select(Offering).where(
    Offering.slug == bindparam("slug"), Offering.kind == OfferingKind.WORKSHOP
)

# The viewer's live registrations among some dates, with their place in the queue when
# waiting (params: user_id, ids).
MY_PLACES = (
    select(
        Booking.occurrence_id,
        Booking.id,
        Booking.status,
        QUEUE_RANKS.c.position,
    )
    .outerjoin(
        QUEUE_RANKS,
        and_(
            QUEUE_RANKS.c.occurrence_id == Booking.occurrence_id,
            QUEUE_RANKS.c.user_id == Booking.user_id,
            Booking.status == BookingStatus.WAITLISTED,
        ),
    )
    .where(
        Booking.user_id == bindparam("user_id"),
        Booking.occurrence_id.in_(bindparam("ids", expanding=True)),
        Booking.status != BookingStatus.CANCELLED,
    )
)
