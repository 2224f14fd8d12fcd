"""The support inbox (POLICY R1, R2, R3, R6): requests, attachments, replies, the clock."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm, PlanChannel
from academy.conduct.models import Incident, IncidentReview, Restriction
from academy.notifications.models import OutboxMessage
from academy.support.models import RequestStatus, SupportAttachment, SupportMessage, SupportRequest
from tests.core.test_query_counts import count_statements

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _open(client, subject="Invoice not sent", body="Alfa SRL got nothing.", files=()):
    data = {"subject": subject, "body": body, "attachments": list(files)}
    return client.post("/support/requests/new", data=data, content_type="multipart/form-data")


def test_r3_a_request_gets_a_deadline_24_hours_after_arrival(client, db, login, make_user, clock):
    member = login(make_user())
    r = _open(client, files=[(io.BytesIO(PNG), "screen.png"), (io.BytesIO(b"notes"), "n.txt")])
    assert r.status_code == 302
    request = db.session.scalar(sa.select(SupportRequest))
    assert request.user_id == member.id and request.status == RequestStatus.OPEN
    assert request.first_response_due_at == clock.now() + timedelta(hours=24)  # POLICY R3
    files = db.session.scalars(sa.select(SupportAttachment).order_by(SupportAttachment.id)).all()
    assert [(f.filename, f.content_type) for f in files] == [
        ("screen.png", "image/png"),
        ("n.txt", "text/plain"),
    ]
    page = client.get(f"/support/requests/{request.id}").text
    assert "Alfa SRL got nothing." in page and "screen.png" in page


def test_attachments_are_type_and_size_limited(client, db, login, make_user, app):
    login(make_user())
    r = _open(client, files=[(io.BytesIO(b"\x00\xff\xfe" * 10), "x.exe")])
    assert r.status_code == 200 and "Attach a PNG or JPEG image" in r.text
    assert "Invoice not sent" in r.text  # what was typed comes back
    app.config["EVIDENCE_MAX_BYTES"] = 100
    r = _open(client, files=[(io.BytesIO(PNG * 3), "big.png")])
    assert "too large" in r.text
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 0


def test_attachments_are_served_to_the_owner_and_staff_only(client, db, login, make_user):
    owner, other, staff = make_user(), make_user(), make_user("staff")
    login(owner)
    _open(client, files=[(io.BytesIO(PNG), "screen.png")])
    request = db.session.scalar(sa.select(SupportRequest))
    file = db.session.scalar(sa.select(SupportAttachment))
    url = f"/support/attachments/{file.id}"
    with client.get(url) as r:
        assert r.data == PNG
    login(other)
    assert client.get(url).status_code == 404
    assert client.get(f"/support/requests/{request.id}").status_code == 404  # not theirs
    assert client.get("/support/requests/987654").status_code == 404
    login(staff)
    with client.get(url) as r:
        assert r.status_code == 200


def test_r2_a_plan_without_the_inbox_is_refused_with_a_reason(client, db, login, make_user):
    member = login(make_user(plan="starter"))
    db.session.execute(sa.delete(PlanChannel).where(PlanChannel.channel == "email"))
    db.session.commit()
    page = client.get("/support/requests/new").text
    assert "You cannot open a support request" in page
    assert "not offered on any plan" in page
    _open(client)
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 0
    assert member


def test_r6_a_restricted_client_cannot_open_requests(client, db, login, make_user, clock):
    member, staff, reviewer = make_user(), make_user("staff"), make_user("staff")
    incident = Incident(client_id=member.id, reported_by_id=staff.id, category="other",
                        description="x")  # fmt: skip
    db.session.add(incident)
    db.session.flush()
    review = IncidentReview(incident_id=incident.id, reviewer_id=reviewer.id, measure="permanent",
                            reason="abuse")  # fmt: skip
    db.session.add(review)
    db.session.flush()
    db.session.add(Restriction(user_id=member.id, review_id=review.id, permanent=True))
    db.session.commit()
    login(member)
    assert "You cannot open a support request" in client.get("/support/requests/new").text
    _open(client)
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 0


def test_ended_subscription_blocks_requests(client, db, login, make_user, clock):
    member = make_user()
    db.session.get(Firm, member.firm_id).subscription_ended_at = clock.now()
    db.session.commit()
    login(member)
    _open(client)
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 0


def test_r3_the_first_staff_reply_stops_the_clock_and_mails_the_client(
    client, db, login, make_user, clock
):
    member, staff, other_staff = make_user(name="Ana"), make_user("staff"), make_user("staff")
    login(member)
    _open(client)
    request = db.session.scalar(sa.select(SupportRequest))
    clock.advance(timedelta(hours=3))
    login(staff)
    r = client.post(
        f"/staff/inbox/{request.id}",
        data={"reply-body": "Fixed now.", "reply-status": "pending",
              "reply-attachments": [(io.BytesIO(PNG), "steps.png")]},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert r.status_code == 302
    assert db.session.scalar(sa.select(SupportAttachment.filename)) == "steps.png"
    db.session.expire_all()
    stored = db.session.get(SupportRequest, request.id)
    assert stored.first_response_at == clock.now() and stored.status == RequestStatus.PENDING
    assert stored.assignee_id == staff.id
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "support_reply"))
    assert mail.recipient == member.email and "Fixed now." in mail.body_text
    assert f"/support/requests/{request.id}" in mail.body_text
    clock.advance(timedelta(hours=30))
    login(other_staff)
    client.post(f"/staff/inbox/{request.id}", data={"reply-body": "More", "reply-status": "open"})
    db.session.expire_all()
    assert db.session.get(SupportRequest, request.id).first_response_at == clock.now() - timedelta(
        hours=30
    )
    login(member)
    html = client.get(f"/support/requests/{request.id}").text
    assert "Fixed now." in html and "More" in html
    client.post(f"/support/requests/{request.id}", data={"body": "Thanks!"})
    db.session.expire_all()
    assert db.session.get(SupportRequest, request.id).status == RequestStatus.OPEN


def test_r3_inbox_orders_by_deadline_and_shows_time_left_or_late(
    client, db, login, make_user, clock
):
    member, staff = make_user(), make_user("staff")
    login(member)
    _open(client, subject="Older one")
    clock.advance(timedelta(hours=20))
    _open(client, subject="Newer one")
    clock.advance(timedelta(hours=6))  # the older one is 2 hours late
    login(staff)
    html = client.get("/staff/inbox").text
    assert html.index("Older one") < html.index("Newer one")
    assert "2 hours late" in html and "18 hours left" in html
    assert "2 requests are waiting for a first response." in html


def test_dashboard_counts_breaches_and_median(client, db, login, make_user, clock):
    member, staff = make_user(), make_user("staff")
    login(member)
    _open(client, subject="A")
    _open(client, subject="B")
    ids = db.session.scalars(sa.select(SupportRequest.id).order_by(SupportRequest.id)).all()
    login(staff)
    clock.advance(timedelta(hours=2))
    client.post(f"/staff/inbox/{ids[0]}", data={"reply-body": "ok", "reply-status": "solved"})
    clock.advance(timedelta(hours=30))  # B is now late and still waiting
    from academy.support.services import dashboard

    stats = dashboard("Europe/Bucharest")
    assert (stats.total, stats.breaches, stats.open_overdue) == (2, 1, 1)
    assert stats.median_first_response == timedelta(hours=2)
    html = client.get("/staff/inbox/dashboard").text
    assert "<svg" in html and "Requests by day" in html


def test_staff_match_an_unknown_sender_and_assign(client, db, login, make_user, clock):
    member, staff = make_user(email="ana@firm.ro"), make_user("staff")
    request = SupportRequest(subject="Hi", from_email="x@unknown.ro", source="email",
                             received_at=clock.now(),
                             first_response_due_at=clock.now() + timedelta(hours=24))  # fmt: skip
    db.session.add(request)
    db.session.commit()
    login(staff)
    assert "Unknown sender" in client.get("/staff/inbox?status=unmatched").text
    r = client.post(
        f"/staff/inbox/{request.id}",
        data={"set-status": "open", "set-assignee": str(staff.id), "set-client_email": "no@x.ro"},
    )
    assert "No account has this email address." in r.text
    client.post(
        f"/staff/inbox/{request.id}",
        data={"set-status": "open", "set-assignee": str(staff.id),
              "set-client_email": "ANA@firm.ro"},
    )  # fmt: skip
    db.session.expire_all()
    stored = db.session.get(SupportRequest, request.id)
    assert (stored.user_id, stored.assignee_id) == (member.id, staff.id)
    assert client.get("/staff/inbox/987654").status_code == 404


def test_clients_cannot_see_the_inbox(client, login, make_user):
    login(make_user())
    for url in ("/staff/inbox", "/staff/inbox/1", "/staff/inbox/dashboard"):
        assert client.get(url).status_code == 403


def _bulk(db, user_id, n, at):
    db.session.execute(
        sa.insert(SupportRequest),
        [
            {"user_id": user_id if i % 4 else None, "from_email": "c@x.ro", "from_name": "",
             "subject": f"Req {i}", "source": "web", "status": "open",
             "received_at": at - timedelta(hours=i % 50),
             "first_response_due_at": at - timedelta(hours=i % 50) + timedelta(hours=24),
             "updated_at": at}
            for i in range(n)
        ],
    )  # fmt: skip
    db.session.commit()


@pytest.mark.parametrize(
    ("url", "most"),
    [
        # The viewer, the list with its clients and assignees joined, the waiting count.
        ("/staff/inbox", 3),
        ("/staff/inbox?status=all&assignee=none", 3),
        ("/staff/inbox/dashboard", 8),
    ],
)
def test_inbox_statements_do_not_grow(client, db, login, make_user, queries, clock, url, most):
    member = make_user()
    login(make_user("staff"))
    _bulk(db, member.id, 10, clock.now())
    small = count_statements(client, queries, url)
    _bulk(db, member.id, 10_000, clock.now())
    assert count_statements(client, queries, url) == small <= most


def test_a_refused_reply_attachment_shows_the_thread_and_the_typed_text(
    client, db, login, make_user
):
    login(make_user())
    _open(client)
    request = db.session.scalar(sa.select(SupportRequest))
    r = client.post(
        f"/support/requests/{request.id}",
        data={"body": "My follow-up", "attachments": [(io.BytesIO(b"\x00\xff"), "x.bin")]},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200
    assert "My follow-up" in r.text and "Alfa SRL got nothing." in r.text
    assert "Attach a PNG or JPEG image" in r.text
    assert db.session.scalar(sa.select(sa.func.count(SupportMessage.id))) == 1
