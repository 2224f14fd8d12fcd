"""The support inbox's blueprint (POLICY R1, R3), and what its client and staff pages share.

Client pages are academy.support.views, staff pages academy.support.staff_views; both hang on
this one blueprint, so endpoints are `support.*` whoever the page is for.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from babel.dates import format_timedelta
from flask import Blueprint, abort
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.policy import ResponseClock, response_clock
from academy.support.models import SupportMessage, SupportRequest

bp = Blueprint("support", __name__)


def duration(delta: timedelta) -> str:
    """'3 hours', '2 days' in the viewer's language (the sign is said by the caller)."""
    return format_timedelta(
        abs(delta), granularity="minute", threshold=1.5, locale=get_locale() or "en"
    )


def clock_face(clock: ResponseClock) -> tuple[bool, bool, bool, str]:
    """What support/_clock.html shows of a clock, and nothing finer: the inbox's kept rows are
    keyed by it, so they change when the words do (the minute, the hour), not every second."""
    return clock.responded, clock.breached, clock.soon, duration(clock.margin)


def clock_of(item: SupportRequest) -> ResponseClock:
    return response_clock(item.received_at, item.first_response_at, now())  # POLICY R3


HELPERS = {"clock_of": clock_of, "duration": duration}

# Figures other domains add to the inbox dashboard (the chat's, academy.chat.setup): name ->
# (template, a function of the viewer's zone giving that template's `panel`).
DASHBOARD_PANELS: dict[str, tuple[str, Callable[[str], Any]]] = {}


def thread(request_id: int) -> SupportRequest:
    return db.session.scalar(
        select(SupportRequest)
        .options(
            selectinload(SupportRequest.user),
            selectinload(SupportRequest.assignee),
            selectinload(SupportRequest.messages).selectinload(SupportMessage.author),
            selectinload(SupportRequest.messages).selectinload(SupportMessage.attachments),
        )
        .where(SupportRequest.id == request_id)
    ) or abort(404)


def own_request(request_id: int) -> SupportRequest:
    """A client's own request; someone else's is a 404 (staff see every one)."""
    item = thread(request_id)
    if not current_user.is_staff and item.user_id != current_user.id:
        abort(404)
    return item
