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

_OWNER = select(User).where(User.calendar_token == bindparam("token"))

# A calendar app polls the feed: its bookings come with their date, workshop or offering,
# host and owner in one statement built once (params: user_id, now), where the booking
# pages' loader options took five.
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
        Booking.user_id == bindparam("user_id"),
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


def feed_owner(token: str) -> User | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(_OWNER, {"token": token})


def feed_for(user: User, name: str) -> str:
    """Confirmed sessions that have not ended yet; cancelled ones drop out of the feed."""
    bookings = db.session.scalars(_FEED, {"user_id": user.id, "now": now()}).all()
    return render_feed([invite(b) for b in bookings], name)


def feed_urls(user: User) -> tuple[str, str] | None:
    """(https URL, webcal:// URL) of the user's feed, or None when they have none."""
    if not user.calendar_token:
        return None
    url = external_url("sessions.feed", token=user.calendar_token)
    return url, "webcal://" + url.split("://", 1)[1]
