"""Workshop pages run a constant number of SQL statements from 10 to 2,000 workshops and
registrations (ARCHITECTURE: no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.accounts.models import User
from academy.scheduling.models import Booking, Occurrence, Offering
from tests.core.test_query_counts import count_statements
from tests.fixtures.scheduling import THU


def _bulk(db, host, me, n: int) -> tuple[Offering, Occurrence]:
    """n workshops with a date each, and one date with n registrations (half waitlisted),
    the viewer registered or waiting on many of them; a few statements whatever n."""
    offerings = (
        db.session.execute(
            sa.insert(Offering).returning(Offering.id),
            [
                {
                    "slug": f"bulk-{n}-{i}",
                    "kind": "workshop",
                    "title": f"Bulk workshop {i}",
                    "title_ro": "",
                    "description": "**Bulk**",
                    "description_ro": "",
                    "duration_minutes": 60,
                    "capacity": 10,
                    "active": True,
                    "position": 0,
                    "level": "beginner",
                    "product_area": "billing",
                    "language": "en",
                    "host_id": host.id,
                    "meeting_url": "",
                }
                for i in range(n)
            ],
        )
        .scalars()
        .all()
    )
    occurrences = (
        db.session.execute(
            sa.insert(Occurrence).returning(Occurrence.id),
            [
                {
                    "offering_id": oid,
                    "kind": "workshop",
                    "host_id": host.id,
                    # One host, one date an hour (the second data set after the first): a host
                    # is never in two sessions at once.
                    "starts_at": THU + timedelta(days=int(n > 10), hours=i),
                    "ends_at": THU + timedelta(days=int(n > 10), hours=i, minutes=60),
                    "capacity": 10,
                    "seats_taken": 1 + i % 10,
                    "meeting_url": "",
                    "status": "scheduled",
                }
                for i, oid in enumerate(offerings)
            ],
        )
        .scalars()
        .all()
    )
    users = (
        db.session.execute(
            sa.insert(User).returning(User.id),
            [
                {
                    "email": f"bulk{n}-{i}@example.com",
                    "name": f"Bulk {i}",
                    "password_hash": "x",
                    "role": "client",
                    "timezone": "UTC",
                    "language": "en",
                }
                for i in range(n)
            ],
        )
        .scalars()
        .all()
    )
    roster_id = occurrences[0]
    db.session.execute(
        sa.update(Occurrence)
        .where(Occurrence.id == roster_id)
        .values(capacity=n, seats_taken=n // 2)
    )
    db.session.execute(
        sa.insert(Booking),
        [
            {
                "occurrence_id": roster_id,
                "user_id": uid,
                "status": "confirmed" if i < n // 2 else "waitlisted",
                "queued_at": None if i < n // 2 else THU - timedelta(days=3, minutes=i),
                "queue_ticket": None if i < n // 2 else i,
                "note": "",
                "ical_uid": f"bulk-{n}-r{i}@test",
                "ical_sequence": 0,
            }
            for i, uid in enumerate(users)
        ]
        + [
            {
                "occurrence_id": oid,
                "user_id": me.id,
                "status": "confirmed" if i % 2 else "waitlisted",
                "queued_at": None if i % 2 else THU - timedelta(days=3),
                "queue_ticket": None if i % 2 else 1,
                "note": "",
                "ical_uid": f"bulk-{n}-m{i}@test",
                "ical_sequence": 0,
            }
            for i, oid in enumerate(occurrences[1:])
        ],
    )
    db.session.commit()
    return db.session.get(Offering, offerings[0]), db.session.get(Occurrence, roster_id)


@pytest.mark.parametrize("who", ["client", "staff", "visitor"])
def test_workshop_pages_do_not_grow_with_the_data(db, client, login, queries, make_user, who):
    host = make_user("staff")
    me = make_user()
    counts = []
    for n in (10, 2000):
        offering, roster = _bulk(db, host, me, n)
        if who == "client":
            login(me)
        elif who == "staff":
            login(host)
        urls = [
            "/workshops/",
            "/workshops/?area=billing&level=beginner",
            f"/workshops/{offering.slug}",
        ]
        if who == "staff":
            urls += [
                "/staff/workshops",
                f"/staff/workshops/{offering.id}",
                f"/staff/workshops/dates/{roster.id}",
                f"/staff/workshops/dates/{roster.id}/roster.csv",
            ]
        if who == "client":
            urls += ["/sessions/mine", "/profile"]
        counts.append({u: count_statements(client, queries, u) for u in urls})
    small, large = counts
    assert list(small.values()) == list(large.values()), (small, large)


def test_the_calendar_feed_runs_one_statement_at_any_size(db, client, clock, queries, make_user):
    """The token's owner with their bookings and the date, workshop and host each invite
    shows: joined in one statement, not loaded per booking or per relation. A feed with
    nothing upcoming asks once more whether the token is anyone's (an empty feed, not a 404)."""
    clock.freeze(THU - timedelta(days=7))
    host = make_user("staff")
    me = make_user()
    me.calendar_token = "feed-token-of-the-count-test"
    db.session.commit()
    path = f"/calendar/{me.calendar_token}.ics"
    response = client.get(path)
    assert response.status_code == 200 and "BEGIN:VEVENT" not in response.text
    counts = [count_statements(client, queries, path)]
    for n in (10, 200):
        _bulk(db, host, me, n)
        response = client.get(path)
        assert response.text.count("BEGIN:VEVENT") == (4 if n == 10 else 4 + 99)
        counts.append(count_statements(client, queries, path))
    assert counts == [2, 1, 1]
    assert client.get("/calendar/feed-token-of-nobody.ics").status_code == 404
