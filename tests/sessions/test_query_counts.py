"""Session pages run a constant number of SQL statements from 10 to 5,000 bookings."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.accounts.models import User
from academy.notifications.models import OutboxMessage
from academy.scheduling.models import Booking, NoShow, Occurrence
from tests.core.test_query_counts import count_statements


def _bulk_bookings(db, host, client, offering, n: int, start, at) -> None:
    """n bookings of `client` with `host`, half past and half ahead, in a few statements."""
    base = start - timedelta(minutes=30 * (n // 2))
    first = (db.session.scalar(sa.select(sa.func.max(Occurrence.id))) or 0) + 1
    occurrences = [
        {
            "id": first + i,
            "offering_id": offering.id,
            "kind": offering.kind,
            "host_id": host.id,
            "starts_at": base + timedelta(minutes=30 * i) - timedelta(days=400 * (i % 2)),
            "ends_at": base + timedelta(minutes=30 * i + 30) - timedelta(days=400 * (i % 2)),
            "capacity": 1,
            "meeting_url": "",
            "status": "scheduled",
        }
        for i in range(n)
    ]
    db.session.execute(sa.insert(Occurrence), occurrences)
    db.session.execute(
        sa.insert(Booking),
        [
            {
                "occurrence_id": o["id"],
                "user_id": client.id,
                "status": "confirmed",
                "note": "",
                "ical_uid": f"bulk-{o['id']}@test",
                "ical_sequence": 0,
            }
            for o in occurrences
        ],
    )
    db.session.execute(
        sa.insert(NoShow),
        [
            {
                "user_id": client.id,
                "booking_id": o["id"],
                "occurred_at": at - timedelta(days=1, minutes=i),  # same standing at both sizes
                "source": "absent",
                "excuse_reason": "",
            }
            for i, o in enumerate(occurrences[: n // 4])
        ],
    )
    others = (
        db.session.execute(
            sa.insert(User).returning(User.id),
            [
                {
                    "email": f"ns{first + i}@example.com",
                    "name": f"No-show {first + i}",
                    "password_hash": "x",
                    "role": "client",
                    "timezone": "UTC",
                    "language": "en",
                }
                for i in range(n // 4)
            ],
        )
        .scalars()
        .all()
    )
    db.session.execute(
        sa.insert(NoShow),
        [
            {
                "user_id": uid,
                "booking_id": o["id"],
                "occurred_at": start - timedelta(days=30),
                "source": "absent",
                "excuse_reason": "",
            }
            for uid, o in zip(others, occurrences[n // 4 : n // 2], strict=False)
        ],
    )
    db.session.execute(
        sa.insert(OutboxMessage),
        [
            {
                "kind": "booking_reminder",
                "channel": "email",
                "user_id": client.id,
                "recipient": client.email,
                "subject": "Reminder",
                "body_text": "x",
                "attachments": [],
                "status": "pending",
                "due_at": o["starts_at"],
                "attempts": 0,
            }
            for o in occurrences
        ],
    )
    db.session.commit()


PAGES = [
    ("client", "/sessions/"),
    ("client", "/sessions/quick-assist/"),
    ("client", "/sessions/quick-assist/?week=3"),
    ("client", "/sessions/mine"),
    ("client", "/sessions/mine?when=past"),
    ("client", "/sessions/bookings/1"),
    ("host", "/staff/sessions?host="),
    ("host", "/staff/sessions?host=me&start=2025-01-01"),
    ("host", "/staff/availability"),
    ("host", "/staff/notifications"),
    ("host", "/staff/no-shows"),
    ("host", "/staff/clients/{member}"),
    ("client", "/"),
]
# The most statements a page may run (12 for the others). Booking pages evaluate every term
# (R2, R5, R6, R15, R18: a query or two each); the staff client page also lists no-shows,
# sessions and conduct records. The lists read their rows in one joined query (the viewer,
# the rows, the schedule's hosts): a row's occurrence, offering or people loaded apart shows.
MOST = {"/sessions/mine": 2, "/staff/sessions": 3, "/staff/clients/{member}": 26}


@pytest.mark.parametrize(("who", "url"), PAGES)
def test_statements_do_not_grow_with_bookings(
    client, db, login, make_user, make_host, offering, queries, clock, who, url
):
    host = make_host()
    member = make_user()
    _bulk_bookings(db, host, member, offering(), 10, clock.now() + timedelta(days=2), clock.now())
    login(member if who == "client" else host)
    path = url.split("?")[0]
    url = url.format(member=member.id)
    small = count_statements(client, queries, url)
    _bulk_bookings(
        db, host, member, offering(), 5000, clock.now() + timedelta(days=200), clock.now()
    )
    large = count_statements(client, queries, url)
    assert small == large, f"{url}: {small} statements with 10 bookings, {large} with 5,010"
    assert large <= MOST.get(path, 12), f"{url} runs {large} statements"
