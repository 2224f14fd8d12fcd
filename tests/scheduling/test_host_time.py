"""POLICY R7: a host is never in two sessions at once, in every time zone.

Workshop dates are set on UTC hours; 1:1 slots follow the host's own wall clock. In zones off
the UTC half-hour (Kathmandu +05:45, Eucla +08:45, St John's -03:30) those never met on a
shared grid; the database now compares absolute intervals (PostgreSQL: an exclusion constraint;
SQLite: triggers), whichever comes first.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from academy.core.errors import DomainError
from academy.scheduling import services
from academy.scheduling.models import Occurrence
from academy.scheduling.workshops import schedule
from tests.fixtures.app import request_context

ZONES = ["Asia/Kathmandu", "Australia/Eucla", "America/St_Johns"]
FRIDAY = date(2026, 11, 27)  # two days after the frozen now (Wed 25 Nov, 10:00 UTC)


def _local_nine(zone: str) -> datetime:
    return datetime.combine(FRIDAY, time(9), ZoneInfo(zone)).astimezone(ZoneInfo("UTC"))


def _whole_hour_before(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


@pytest.mark.parametrize("zone", ZONES)
def test_a_workshop_cannot_be_set_over_a_booked_one_on_one(
    app, clock, make_host, make_user, make_workshop, book, zone
):
    host = make_host(zone=zone)
    start = _local_nine(zone)
    assert start.minute in (15, 30, 45)  # off the UTC grid: the case that used to slip through
    book(make_user(), host, start)
    with pytest.raises(DomainError, match="already has a session at that time"):
        make_workshop(host=host, start=_whole_hour_before(start), minutes=60)


@pytest.mark.parametrize("zone", ZONES)
def test_a_one_on_one_cannot_be_booked_over_a_workshop(
    app, db, clock, make_host, make_user, offering, zone
):
    host = make_host(zone=zone)
    start = _local_nine(zone)
    workshop_start = _whole_hour_before(start)
    with request_context(app):
        from academy.workshops.services import save_workshop

        w = save_workshop(
            None,
            title="Quarter-hour zones",
            description="x",
            level="beginner",
            product_area="billing",
            language="en",
            host_id=host.id,
            capacity=10,
            duration=60,
            meeting_url="",
            active=True,
        )
        schedule(w, start=workshop_start, minutes=60, host=host, capacity=10, meeting_url="")
    client = make_user()
    # The slot is not offered ...
    from academy.scheduling.slots import load_slots

    offered = {s.starts_at for s in load_slots(offering(), clock.now(), host_ids=[host.id])}
    assert start not in offered and start + timedelta(minutes=60) in offered
    # ... and booking it anyway is refused.
    with request_context(app), pytest.raises(services.SlotTaken):
        services.book_one_on_one(client, offering(), host.id, start)


def test_the_database_itself_refuses_overlapping_occurrences(db, clock, make_host, offering):
    """Not only the services: a raw insert of an overlapping session of the host fails."""
    host = make_host(zone="Asia/Kathmandu")
    start = _local_nine("Asia/Kathmandu")

    def insert(begin: datetime, minutes: int, status: str = "scheduled") -> None:
        db.session.execute(
            sa.insert(Occurrence).values(
                offering_id=offering().id,
                kind="one_on_one",
                host_id=host.id,
                starts_at=begin,
                ends_at=begin + timedelta(minutes=minutes),
                capacity=1,
                meeting_url="",
                status=status,
            )
        )
        db.session.commit()

    insert(start, 30)
    insert(start + timedelta(minutes=30), 30)  # back to back is fine
    insert(start, 30, status="cancelled")  # a cancelled one frees the time
    with pytest.raises(IntegrityError):
        insert(start - timedelta(minutes=5), 10)
    db.session.rollback()
    with pytest.raises(IntegrityError):  # moving one onto the other is refused too
        db.session.execute(
            sa.update(Occurrence)
            .where(Occurrence.starts_at == start + timedelta(minutes=30))
            .values(starts_at=start + timedelta(minutes=15))
        )
        db.session.commit()
    db.session.rollback()
