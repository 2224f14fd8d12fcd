"""A client's private calendar feed: their upcoming workshops and 1:1 sessions.

The feed URL carries a secret token (a capability: whoever has it can read the feed), made
on request and revocable; replacing it makes the old URL stop working at once.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.calendar import render_feed
from academy.scheduling.bookings import booking_query
from academy.scheduling.messages import invite
from academy.scheduling.models import Booking, BookingStatus, Occurrence

FEED_LIMIT = 500  # far more than anyone books; keeps the response bounded


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
    return db.session.scalar(select(User).where(User.calendar_token == token))


def feed_for(user: User, name: str) -> str:
    """Confirmed sessions that have not ended yet; cancelled ones drop out of the feed."""
    bookings = db.session.scalars(
        booking_query()
        .join(Booking.occurrence)
        .where(
            Booking.user_id == user.id,
            Booking.status == BookingStatus.CONFIRMED,
            Occurrence.ends_at > now(),
        )
        .order_by(Occurrence.starts_at)
        .limit(FEED_LIMIT)
    ).all()
    return render_feed([invite(b) for b in bookings], name)


def feed_urls(user: User) -> tuple[str, str] | None:
    """(https URL, webcal:// URL) of the user's feed, or None when they have none."""
    if not user.calendar_token:
        return None
    url = external_url("sessions.feed", token=user.calendar_token)
    return url, "webcal://" + url.split("://", 1)[1]
