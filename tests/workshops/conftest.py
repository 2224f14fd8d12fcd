"""Workshop factories: a workshop and its dates made through the staff services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import request_context

# Thursday 3 December 2026, 09:00 UTC: eight days after the frozen "now" (Wed 25 Nov, 10:00).
THU = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_workshop(app, db, clock, make_user) -> Callable[..., Any]:
    """make_workshop(capacity=3, start=THU, ...) -> an Occurrence of a new workshop."""
    from academy.scheduling.workshops import schedule
    from academy.workshops.services import save_workshop

    counter = iter(range(1, 10_000))

    def make(
        capacity: int = 3,
        start: datetime = THU,
        minutes: int = 60,
        host: Any = None,
        title: str | None = None,
        **fields: Any,
    ) -> Any:
        n = next(counter)
        host = host or make_user("staff", name=f"Host {n}")
        values = {
            "title": title or f"Workshop {n}",
            "description": "Learn **invoices** step by step.",
            "level": "beginner",
            "product_area": "billing",
            "language": "en",
            "host_id": host.id,
            "capacity": capacity,
            "duration": minutes,
            "meeting_url": "https://meet.example.com/w",
            "active": True,
            **fields,
        }
        with request_context(app):
            offering = save_workshop(None, **values)
            return schedule(
                offering,
                start=start,
                minutes=minutes,
                host=host,
                capacity=capacity,
                meeting_url=values["meeting_url"],
            )

    return make


@pytest.fixture
def register(app) -> Callable[..., Any]:
    from academy.scheduling.workshops import register as do_register

    def do(user: Any, occurrence: Any, **kw: Any) -> Any:
        with request_context(app):
            return do_register(user, occurrence, **kw)

    return do
