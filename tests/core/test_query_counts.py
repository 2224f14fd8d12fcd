"""Pages run a constant number of SQL statements whatever the data size (ARCHITECTURE 4)."""

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm, Role, User
from academy.accounts.services import hash_password


def _bulk_clients(db, n: int) -> None:
    """n more client accounts across n // 5 new firms, inserted in a few statements."""
    password = hash_password("bulk-password-1")
    start = db.session.scalar(sa.select(sa.func.count(User.id)))
    firms = max(n // 5, 1)
    db.session.execute(
        sa.insert(Firm),
        [{"name": f"Bulk firm {start}-{i}", "plan_id": 3, "seats": 5} for i in range(firms)],
    )
    ids = db.session.scalars(sa.select(Firm.id).where(Firm.name.like(f"Bulk firm {start}-%"))).all()
    db.session.execute(
        sa.insert(User),
        [
            {
                "email": f"bulk{start + i}@example.com",
                "name": f"Bulk {start + i}",
                "password_hash": password,
                "role": Role.CLIENT,
                "firm_id": ids[i % len(ids)],
                "timezone": "UTC",
                "language": "en",
            }
            for i in range(n)
        ],
    )
    db.session.commit()


def count_statements(client, queries, url: str) -> int:
    """Statements one GET runs, as in production once a worker has served a first page (what
    it keeps in memory, the plan table, is loaded), and with nothing cached from the test's own
    work (the test shares its session with the requests it makes)."""
    from academy.extensions import db

    client.get(url)
    db.session.expire_all()
    with queries() as q:
        r = client.get(url)
    assert r.status_code == 200, url
    return q.count


PAGES = [
    "/",
    "/help/",
    "/profile",
    "/staff/users",
    "/staff/users?q=bulk",
    "/staff/firms",
    "/staff/plans",
]


@pytest.mark.parametrize("url", PAGES)
def test_statements_do_not_grow_with_data(client, db, login, make_user, queries, url):
    viewer = login(make_user(Role.STAFF))
    _bulk_clients(db, 10)
    small = count_statements(client, queries, url)
    _bulk_clients(db, 5000)
    large = count_statements(client, queries, url)
    assert small == large, f"{url}: {small} statements with 10 users, {large} with 5,010"
    assert large <= 8, f"{url} runs {large} statements"
    assert viewer


def test_client_home_page_statements(client, login, make_user, queries, db):
    login(make_user())
    _bulk_clients(db, 10)
    small = count_statements(client, queries, "/")
    _bulk_clients(db, 2000)
    # The user, their access facts, a notice, what their firm assigned them (issue 17).
    assert count_statements(client, queries, "/") == small <= 4
