"""Conduct and terms pages run a constant number of SQL statements from 10 to 5,000 records."""

import pytest
import sqlalchemy as sa

from academy.conduct.models import Incident, IncidentReview
from tests.core.test_query_counts import count_statements


def _bulk_incidents(db, reporter, reviewer, clients, n):
    first = (db.session.scalar(sa.select(sa.func.max(Incident.id))) or 0) + 1
    db.session.execute(
        sa.insert(Incident),
        [
            {
                "id": first + i,
                "client_id": clients[i % len(clients)].id,
                "reported_by_id": reporter.id,
                "category": "other",
                "description": "x",
                "evidence_text": "",
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        sa.insert(IncidentReview),
        [
            {
                "incident_id": first + i,
                "reviewer_id": reviewer.id,
                "measure": "no_action",
                "reason": "ok",
            }
            for i in range(0, n, 2)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize(
    "url", ["/staff/incidents", "/staff/incidents/1", "/staff/terms", "/terms"]
)
def test_conduct_pages_do_not_grow(client, db, login, make_user, queries, url):
    reporter, reviewer = make_user("staff"), make_user("staff")
    clients = [make_user() for _ in range(3)]
    _bulk_incidents(db, reporter, reviewer, clients, 10)
    login(reviewer)
    small = count_statements(client, queries, url)
    _bulk_incidents(db, reporter, reviewer, clients, 5000)
    assert count_statements(client, queries, url) == small <= 8
