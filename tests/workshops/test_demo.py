"""`flask demo seed` shows every state of a workshop: seats, full with a waitlist, past."""

import sqlalchemy as sa

from academy.demo import seed
from academy.scheduling.models import Booking, BookingStatus, Offering


def test_demo_workshops(app, client, db, login, clock):
    seed()
    seed()  # idempotent
    assert db.session.scalar(sa.select(sa.func.count()).where(Offering.kind == "workshop")) == 4
    page = client.get("/workshops/").text
    assert "19 seats left" in page and "Full — join the waitlist" in page
    assert "Organizatoare și chestionare" in page
    r = client.post("/login", data={"email": "client@example.com", "password": "demo-pass-123"})
    assert r.status_code == 302
    assert "Waitlist: number 2" in client.get("/workshops/").text
    past = db.session.scalar(sa.select(Offering).where(Offering.title.like("Getting started%")))
    outcomes = db.session.scalars(
        sa.select(Booking.outcome)
        .join(Booking.occurrence)
        .where(
            Booking.status == BookingStatus.CONFIRMED, Booking.occurrence.has(offering_id=past.id)
        )
    ).all()
    assert sorted(outcomes) == ["attended"] * 4 + ["no_show"]
