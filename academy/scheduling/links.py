"""Change and cancel links for emails (POLICY R9): signed, bound to one booking, and working
until the session starts, so a client can act from the email without logging in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.core.clock import now
from academy.core.tokens import InvalidToken, make_token, read_token
from academy.core.urls import external_url
from academy.extensions import db
from academy.scheduling.models import Booking, Occurrence
from academy.scheduling.policy import link_valid_until

PURPOSE = "booking-link"
# The signature's own age limit is only a backstop; the real expiry is the session's start.
MAX_AGE = 60 * 60 * 24 * 400


def token_for(booking: Booking) -> str:
    return make_token(PURPOSE, {"b": booking.id, "u": booking.user_id})


def links_for(booking: Booking) -> dict[str, str]:
    token = token_for(booking)
    return {
        "change": external_url("sessions.email_change", token=token),
        "cancel": external_url("sessions.email_cancel", token=token),
    }


RATING_PURPOSE = "booking-rating"
RATING_MAX_AGE = MAX_AGE  # made at registration, used after the end: long-lived


def rating_link(booking: Booking) -> str:
    """The link in the email sent when a workshop ends: rate it without logging in (R17)."""
    token = make_token(RATING_PURPOSE, {"b": booking.id, "u": booking.user_id})
    return external_url("sessions.email_rate", token=token)


def _load(booking_id: int, user_id: object) -> Booking | None:
    return db.session.scalar(
        select(Booking)
        .options(
            selectinload(Booking.occurrence).selectinload(Occurrence.offering),
            selectinload(Booking.occurrence).selectinload(Occurrence.host),
            selectinload(Booking.user),
        )
        .where(Booking.id == booking_id, Booking.user_id == user_id)
    )


def booking_for_rating_token(token: str) -> Booking:
    data = read_token(RATING_PURPOSE, token, RATING_MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("b"), int):
        raise InvalidToken()
    booking = _load(data["b"], data.get("u"))
    if booking is None:
        raise InvalidToken()
    return booking


def booking_for_token(token: str) -> Booking:
    """The booking a link is for; InvalidToken if tampered, for another booking, or expired."""
    data = read_token(PURPOSE, token, MAX_AGE)
    if not isinstance(data, dict) or not isinstance(data.get("b"), int):
        raise InvalidToken()
    booking = _load(data["b"], data.get("u"))
    if booking is None:
        raise InvalidToken()
    if now() >= link_valid_until(booking.occurrence.starts_at):
        raise InvalidToken(expired=True)
    return booking
