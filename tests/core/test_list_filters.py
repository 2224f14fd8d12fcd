"""Every filter of the staff lists, each on its own and together: the triage, the inbox and
the schedule build their statement once per combination of filters, with the values as
parameters (issue 15), so each combination and each value is asked for here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from academy.feedback.services import leave_feedback
from academy.support.models import RequestStatus, SupportRequest
from tests.fixtures.accounts import log_in

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


def _shown(client, url: str, names: list[str]) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200, url
    return [name for name in names if name in page.text]


@pytest.fixture
def triage(db, client, make_user):
    me = log_in(client, make_user("staff", name="Mihai"))
    other = make_user("staff", name="Ioana")
    values = {
        "alpha": (FeedbackKind.GENERAL, FeedbackStatus.NEW, me.id),
        "bravo": (FeedbackKind.GENERAL, FeedbackStatus.PLANNED, other.id),
        "charlie": (FeedbackKind.WORKSHOP, FeedbackStatus.IN_REVIEW, None),
        "delta": (FeedbackKind.GENERAL, FeedbackStatus.CLOSED, None),
    }
    for message, (kind, status, assignee_id) in values.items():
        item = leave_feedback(kind=FeedbackKind.GENERAL, user=make_user(), message=message)
        db.session.execute(
            sa.update(FeedbackItem)
            .where(FeedbackItem.id == item.id)
            .values(kind=kind, status=status, assignee_id=assignee_id)
        )
    db.session.commit()
    return other


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["alpha", "bravo", "charlie", "delta"]),
        ("status=open", ["alpha", "charlie"]),
        ("status=planned", ["bravo"]),
        ("status=closed", ["delta"]),
        ("status=nonsense", ["alpha", "bravo", "charlie", "delta"]),
        ("kind=workshop", ["charlie"]),
        ("kind=general&status=open", ["alpha"]),
        ("assignee=me", ["alpha"]),
        ("assignee=none", ["charlie", "delta"]),
        ("q=RAV", ["bravo"]),
        ("q=a&assignee=none&kind=general", ["delta"]),
    ],
)
def test_each_triage_filter(client, triage, query, expected):
    names = ["alpha", "bravo", "charlie", "delta"]
    assert _shown(client, f"/staff/feedback?{query}", names) == expected
    # The export takes the same filters.
    assert _shown(client, f"/staff/feedback.csv?{query}", names) == expected


def test_the_triage_filters_by_another_assignee_and_sorts(client, triage):
    names = ["alpha", "bravo", "charlie", "delta"]
    assert _shown(client, f"/staff/feedback?assignee={triage.id}", names) == ["bravo"]
    newest, oldest = (client.get(f"/staff/feedback?sort={s}").text for s in ("new", "old"))
    assert newest.index("delta") < newest.index("alpha")
    assert oldest.index("alpha") < oldest.index("delta")


@pytest.fixture
def inbox(db, client, make_user):
    customer = make_user()
    log_in(client, customer)
    for subject in ("Alpha invoice", "Bravo portal", "Charlie tasks"):
        client.post("/support/requests/new", data={"subject": subject, "body": "x"})
    me = log_in(client, make_user("staff", name="Mihai"))
    changes = {
        "Alpha invoice": {"assignee_id": me.id},
        "Bravo portal": {"status": RequestStatus.PENDING},
        "Charlie tasks": {"user_id": None, "from_email": "someone@example.com"},
    }
    for subject, values in changes.items():
        db.session.execute(
            sa.update(SupportRequest).where(SupportRequest.subject == subject).values(**values)
        )
    db.session.commit()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Alpha invoice", "Charlie tasks"]),  # open, the default
        ("status=all", ["Alpha invoice", "Bravo portal", "Charlie tasks"]),
        ("status=pending", ["Bravo portal"]),
        ("status=unmatched", ["Charlie tasks"]),
        ("status=all&assignee=me", ["Alpha invoice"]),
        ("status=all&assignee=none", ["Bravo portal", "Charlie tasks"]),
        ("status=all&q=PORTAL", ["Bravo portal"]),
        ("status=all&q=someone@", ["Charlie tasks"]),
        ("status=open&assignee=none&q=tasks", ["Charlie tasks"]),
    ],
)
def test_each_inbox_filter(client, inbox, query, expected):
    names = ["Alpha invoice", "Bravo portal", "Charlie tasks"]
    assert _shown(client, f"/staff/inbox?{query}", names) == expected


def test_each_schedule_filter(client, clock, make_user, make_host, book):
    ana_host, dan_host = make_host(name="Mihai Ionescu"), make_host(name="Ioana Marin")
    book(make_user(name="Ana Popescu"), ana_host, FRI_9)
    book(make_user(name="Dan Stoica"), dan_host, FRI_9.replace(day=30))  # Monday
    log_in(client, ana_host)
    names = ["Ana Popescu", "Dan Stoica"]
    assert _shown(client, "/staff/sessions", names) == ["Ana Popescu"]  # mine
    assert _shown(client, f"/staff/sessions?host={dan_host.id}", names) == ["Dan Stoica"]
    assert _shown(client, "/staff/sessions?host=&end=2026-11-27", names) == ["Ana Popescu"]
    assert _shown(client, "/staff/sessions?host=&start=2026-11-28", names) == ["Dan Stoica"]
    assert _shown(client, "/staff/sessions?host=&q=STOICA", names) == ["Dan Stoica"]
    assert _shown(client, "/staff/sessions?host=&start=2026-11-28&q=ana", names) == []
