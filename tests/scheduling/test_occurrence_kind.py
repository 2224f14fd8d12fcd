"""An occurrence carries its offering's kind (migration 0018), and the database holds it exact.

The workshop listing reads its dates by (kind, status, starts_at): a 1:1 session marked as a
workshop would show in the listing, and a workshop date marked 1:1 would vanish from it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from academy.scheduling.models import Occurrence, Offering, OfferingKind

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


@pytest.fixture
def host(clock, make_host):
    return make_host()


def test_each_way_of_making_an_occurrence_gives_it_its_offerings_kind(
    db, make_user, host, book, make_workshop
):
    booking = book(make_user(), host, FRI_9)
    workshop_date = make_workshop(capacity=3, host=host)
    kinds = dict(
        db.session.execute(
            sa.select(Occurrence.id, Occurrence.kind).where(
                Occurrence.id.in_([booking.occurrence_id, workshop_date.id])
            )
        ).all()
    )
    assert kinds == {
        booking.occurrence_id: OfferingKind.ONE_ON_ONE,
        workshop_date.id: OfferingKind.WORKSHOP,
    }


def test_the_database_refuses_a_kind_other_than_the_offerings(db, host, offering):
    quick = offering("quick-assist")
    start = FRI_9 + timedelta(days=1)
    with pytest.raises(IntegrityError):
        db.session.execute(
            sa.insert(Occurrence).values(
                offering_id=quick.id,
                kind=OfferingKind.WORKSHOP,  # quick assist is a 1:1
                host_id=host.id,
                starts_at=start,
                ends_at=start + timedelta(minutes=30),
                capacity=1,
                meeting_url="",
                status="scheduled",
            )
        )
        db.session.flush()
    db.session.rollback()


def test_a_changed_offering_kind_carries_its_occurrences_along(db, make_user, host, book):
    booking = book(make_user(), host, FRI_9)
    db.session.execute(
        sa.update(Offering)
        .where(Offering.id == booking.occurrence.offering_id)
        .values(kind=OfferingKind.WORKSHOP)
    )
    db.session.commit()
    kind = db.session.scalar(
        sa.select(Occurrence.kind).where(Occurrence.id == booking.occurrence_id)
    )
    assert kind == OfferingKind.WORKSHOP
