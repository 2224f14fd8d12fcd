"""A client's private calendar feed: their upcoming workshops and 1:1 sessions.

The feed URL carries a secret token (a capability: whoever has it can read the feed), made
on request and revocable; replacing it makes the old URL stop working at once.
"""

from __future__ import annotations

import secrets

from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased, contains_eager

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.calendar import render_feed
from academy.scheduling.messages import invite
from academy.scheduling.models import Booking, BookingStatus, Occurrence

FEED_LIMIT = 500  # far more than anyone books; keeps the response bounded

_OWNER = select(User.id).where(User.calendar_token == bindparam("token"))

# A calendar app polls the feed: its bookings come with their date, workshop or offering,
# host and owner in one statement built once (params: token, now), where the booking pages'
# loader options took five. The owner is found by the token in the same statement; only a
# feed with nothing upcoming asks for the owner again (an empty feed, or a 404).
_HOST = aliased(User)
_FEED = (
    select(Booking)
    .join(Booking.occurrence)
    .join(Occurrence.offering)
    .join(Occurrence.host.of_type(_HOST))
    .join(Booking.user)
    .options(
        contains_eager(Booking.occurrence).contains_eager(Occurrence.offering),
        contains_eager(Booking.occurrence).contains_eager(Occurrence.host.of_type(_HOST)),
        contains_eager(Booking.user),
    )
    .where(
        User.calendar_token == bindparam("token"),
        Booking.status == BookingStatus.CONFIRMED,
        Occurrence.ends_at > bindparam("now"),
    )
    .order_by(Occurrence.starts_at)
    .limit(FEED_LIMIT)
)


def new_feed_token(user: User) -> str:
    user.calendar_token = secrets.token_urlsafe(32)
    db.session.commit()
    return user.calendar_token


def revoke_feed(user: User) -> None:
    user.calendar_token = None
    db.session.commit()


def feed_of(token: str, name: str) -> str | None:
    """The calendar behind `token`, called `name`: its owner's confirmed sessions that have not
    ended yet (cancelled ones drop out); None when no feed has this token."""
    if not token or len(token) > 64:
        return None
    bookings = db.session.scalars(_FEED, {"token": token, "now": now()}).all()
    if not bookings and db.session.scalar(_OWNER, {"token": token}) is None:
        return None
    return render_feed([invite(b) for b in bookings], name)


def feed_urls(user: User) -> tuple[str, str] | None:
    """(https URL, webcal:// URL) of the user's feed, or None when they have none."""
    if not user.calendar_token:
        return None
    url = external_url("sessions.feed", token=user.calendar_token)
    return url, "webcal://" + url.split("://", 1)[1]
