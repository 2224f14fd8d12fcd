"""The rows of the booking lists ("My sessions", the staff schedule): one query of the few
columns they show.

Loading each booking as an entity with its occurrence, offering, host and client (five
queries, five objects a row) was most of these pages' time (issue 15); a list row needs a
handful of values, read here in one joined SELECT built once.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.orm import aliased

from academy.accounts.models import User
from academy.core.pagination import pageable
from academy.scheduling.models import Booking, BookingStatus, Occurrence, Offering


class BookingItem(NamedTuple):
    """One booking of a list; `status` and `outcome` as `_macros.html` booking_badge reads."""

    id: int
    status: str
    outcome: str | None
    starts_at: datetime
    meeting_url: str
    title: str
    title_ro: str
    host_name: str
    client_name: str
    client_email: str

    def title_in(self, language: str) -> str:  # as Offering.title_in
        return self.title_ro if language == "ro" and self.title_ro else self.title


HOST = aliased(User, name="host")
CLIENT = aliased(User, name="client")

_LIST = (
    select(
        Booking.id,
        Booking.status,
        Booking.outcome,
        Occurrence.starts_at,
        Occurrence.meeting_url,
        Offering.title,
        Offering.title_ro,
        HOST.name,
        CLIENT.name,
        CLIENT.email,
    )
    .join(Occurrence, Occurrence.id == Booking.occurrence_id)
    .join(Offering, Offering.id == Occurrence.offering_id)
    .join(HOST, HOST.id == Occurrence.host_id)
    .join(CLIENT, CLIENT.id == Booking.user_id)
)


@lru_cache(maxsize=16)
def schedule(one_host: bool, start: bool, end: bool, search: bool) -> Select[Any]:
    """The staff schedule with the filters that are set, soonest first, built once per
    combination (params: host_id, start, end (exclusive), like, for those set; pageable):
    building and keying the statement anew was a twentieth of the page (issue 15)."""
    statement = _LIST
    if one_host:
        statement = statement.where(Occurrence.host_id == bindparam("host_id"))
    if start:
        statement = statement.where(Occurrence.starts_at >= bindparam("start"))
    if end:
        statement = statement.where(Occurrence.starts_at < bindparam("end"))
    if search:
        like = bindparam("like")
        statement = statement.where(
            or_(func.lower(CLIENT.name).like(like), CLIENT.email.like(like))
        )
    return pageable(statement.order_by(Occurrence.starts_at, Booking.id))


# "My sessions", built once (params: user_id, at): upcoming soonest first; past (ended or
# cancelled) latest first.
MINE_UPCOMING = pageable(
    _LIST.where(
        Booking.user_id == bindparam("user_id"),
        Occurrence.ends_at > bindparam("at"),
        Booking.status != BookingStatus.CANCELLED,
    ).order_by(Occurrence.starts_at, Booking.id)
)
MINE_PAST = pageable(
    _LIST.where(
        Booking.user_id == bindparam("user_id"),
        or_(Occurrence.ends_at <= bindparam("at"), Booking.status == BookingStatus.CANCELLED),
    ).order_by(Occurrence.starts_at.desc(), Booking.id.desc())
)
