"""The feedback form, "My feedback" and staff triage (POLICY R17)."""

from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackNote, FeedbackStatus
from academy.feedback.services import leave_feedback
from academy.notifications.models import OutboxMessage
from tests.core.test_query_counts import count_statements


def test_a_visitor_sends_general_feedback_with_an_email(client, db):
    r = client.post("/feedback", data={"category": "product", "message": "Love it", "rating": "5"})
    assert r.status_code == 200  # no address: the form comes back
    assert "Leave an email address" in r.text and "Love it" in r.text
    r = client.post(
        "/feedback",
        data={"category": "product", "message": "Love it", "rating": "5", "email": "v@ex.ro"},
    )
    assert r.status_code == 302
    item = db.session.scalar(sa.select(FeedbackItem))
    assert (item.kind, item.email, item.rating, item.user_id) == ("general", "v@ex.ro", 5, None)


def test_bad_input_is_shown_beside_the_field(client, login, make_user):
    login(make_user())
    r = client.post("/feedback", data={"category": "product", "message": "", "rating": "9"})
    assert r.status_code == 200
    assert r.text.count('aria-invalid="true"') >= 1
    assert 'name="email"' not in r.text  # logged in: we know the address
    r = client.post("/feedback", data={"category": "nope", "message": "typed text"})
    assert "typed text" in r.text and "Not a valid choice" in r.text


@pytest.mark.app_config(RATELIMIT_ENABLED=True, FEEDBACK_RATE_LIMIT="2 per minute")
def test_the_form_is_rate_limited(client):
    data = {"category": "other", "message": "hi", "email": "a@b.ro"}
    assert client.post("/feedback", data=data).status_code == 302
    assert client.post("/feedback", data=data).status_code == 302
    assert client.post("/feedback", data=data).status_code == 429
    assert client.get("/feedback").status_code == 200  # reading is not limited


def test_triage_answer_reaches_the_client_by_email_and_in_my_feedback(client, db, login, make_user):
    member = make_user(name="Ana")
    staff = make_user("staff", name="Mihai")
    item = leave_feedback(kind=FeedbackKind.GENERAL, user=member, message="Dark mode?")
    login(staff)
    r = client.post(
        f"/staff/feedback/{item.id}",
        data={"status": "in_review", "assignee": str(staff.id), "answer": ""},
    )
    assert r.status_code == 302
    db.session.expire_all()
    stored = db.session.get(FeedbackItem, item.id)
    assert (stored.status, stored.assignee_id) == (FeedbackStatus.IN_REVIEW, staff.id)
    # "answered" needs an answer
    r = client.post(f"/staff/feedback/{item.id}", data={"status": "answered", "assignee": ""})
    assert "Write the answer" in r.text
    client.post(
        f"/staff/feedback/{item.id}",
        data={"status": "planned", "assignee": "", "answer": "It is planned for spring."},
    )
    db.session.expire_all()
    stored = db.session.get(FeedbackItem, item.id)
    assert stored.status == FeedbackStatus.ANSWERED and stored.answered_by_id == staff.id
    mail = db.session.scalar(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "feedback_answer")
    )
    assert mail.recipient == member.email and "It is planned for spring." in mail.body_text
    login(member)
    html = client.get("/feedback/mine").text
    assert "It is planned for spring." in html and "Dark mode?" in html


def test_internal_notes_are_for_staff_only(client, db, login, make_user):
    member, staff = make_user(), make_user("staff")
    item = leave_feedback(kind=FeedbackKind.GENERAL, user=member, message="Hello")
    login(staff)
    client.post(f"/staff/feedback/{item.id}/notes", data={"note-body": "Ask product team"})
    assert db.session.scalar(sa.select(FeedbackNote.body)) == "Ask product team"
    assert "Ask product team" in client.get(f"/staff/feedback/{item.id}").text
    login(member)
    assert "Ask product team" not in client.get("/feedback/mine").text
    assert client.get(f"/staff/feedback/{item.id}").status_code == 403
    assert client.get("/staff/feedback").status_code == 403


def test_filter_sort_and_csv_export(client, db, login, make_user):
    member, staff = make_user(), make_user("staff")
    leave_feedback(kind=FeedbackKind.GENERAL, user=member, message="=cmd|calc", rating=1)
    leave_feedback(
        kind=FeedbackKind.WORKSHOP, user=member, rating=5, subject_title="Pipelines, 3 Dec"
    )
    login(staff)
    html = client.get("/staff/feedback?kind=workshop").text
    assert "Pipelines, 3 Dec" in html and "=cmd" not in html
    html = client.get("/staff/feedback?sort=rating").text
    assert html.index("1/5") < html.index("5/5")
    r = client.get("/staff/feedback.csv?kind=general")
    assert r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][0] == "id" and len(rows) == 2
    assert rows[1][9] == "'=cmd|calc"  # no formula injection in spreadsheets
    assert client.get("/staff/feedback/987654").status_code == 404


def _bulk(db, user_id, n):
    db.session.execute(
        sa.insert(FeedbackItem),
        [
            {"kind": ["general", "workshop", "article"][i % 3], "user_id": user_id,
             "email": "x@y.ro", "category": "", "rating": (i % 5) + 1, "message": f"m{i}",
             "subject_title": "s", "status": "new"}
            for i in range(n)
        ],
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("url", "most"),
    [
        # The viewer, the list with its senders and assignees joined, the staff to filter by.
        ("/staff/feedback", 3),
        ("/staff/feedback?status=open&sort=rating", 3),
        ("/staff/feedback/1", 8),
    ],
)
def test_triage_statements_do_not_grow(client, db, login, make_user, queries, url, most):
    member = make_user()
    login(make_user("staff"))
    _bulk(db, member.id, 10)
    small = count_statements(client, queries, url)
    _bulk(db, member.id, 10_000)
    assert count_statements(client, queries, url) == small <= most


def test_a_visitors_answer_goes_to_the_address_they_left(client, db, login, make_user):
    item = leave_feedback(kind=FeedbackKind.GENERAL, user=None, message="Hi", email="v@ex.ro")
    login(make_user("staff"))
    client.post(
        f"/staff/feedback/{item.id}",
        data={"status": "answered", "assignee": "", "answer": "Hello!"},
    )
    mail = db.session.scalar(sa.select(OutboxMessage))
    assert mail.recipient == "v@ex.ro" and mail.user_id is None and "Hello!" in mail.body_text
