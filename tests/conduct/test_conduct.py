"""Conduct incidents, reviews and restrictions (POLICY R4-R6), through services and pages."""

import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm
from academy.conduct.models import Incident, IncidentReview, Restriction
from academy.notifications.models import OutboxMessage
from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def people(clock, make_user, make_host):
    return make_user(name="Ana Popescu"), make_host(name="Mihai"), make_user("staff", name="Ioana")


def _report(client, reporter, member, **extra):
    data = {
        "category": "offensive_language",
        "description": "Insults during the call.",
        "evidence_text": "You people are useless",
        **extra,
    }
    return client.post(
        f"/staff/clients/{member.id}/incidents/new", data=data, content_type="multipart/form-data"
    )


def test_r4_report_changes_nothing_until_another_staff_member_reviews(
    client, db, login, people, book
):
    member, reporter, _ = people
    login(reporter)
    r = _report(client, reporter, member, evidence=(io.BytesIO(PNG), "screen.png"))
    assert r.status_code == 302
    incident = db.session.scalar(sa.select(Incident))
    assert incident.evidence_type == "image/png" and incident.evidence_name == "screen.png"
    assert can_use(member, Channel.SESSIONS)  # nothing happens yet (R4)
    page = client.get(f"/staff/incidents/{incident.id}").text
    assert "Another staff member must review an incident you reported." in page
    r = client.post(f"/staff/incidents/{incident.id}", data={"measure": "permanent", "reason": "x"})
    assert "Another staff member must review" in r.text
    assert db.session.scalar(sa.select(sa.func.count(IncidentReview.id))) == 0


def test_r5_r6_temporary_restriction_blocks_booking_with_reason_and_date(
    client, db, login, people, clock
):
    member, reporter, reviewer = people
    login(reporter)
    _report(client, reporter, member)
    incident = db.session.scalar(sa.select(Incident))
    login(reviewer)
    r = client.post(
        f"/staff/incidents/{incident.id}",
        data={"measure": "temporary", "until": "2027-01-15", "reason": "Abusive."},
    )
    assert r.status_code == 302
    review = db.session.scalar(sa.select(IncidentReview))
    assert (review.reviewer_id, review.measure) == (reviewer.id, "temporary")
    [mail] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "conduct_decision")
    ).all()
    assert "restricted until" in mail.body_text
    decision = can_use(member, Channel.SESSIONS)
    assert not decision and decision.rule == "R6"
    login(member)
    page = client.get("/sessions/").text
    assert (
        "restricted until January 14, 2027" in page or "restricted until January 15, 2027" in page
    )
    assert client.get("/help/").status_code == 200  # help stays readable
    # R6: the restriction ends by itself at its date.
    clock.freeze(datetime(2027, 1, 15, tzinfo=UTC))
    assert can_use(member, Channel.SESSIONS)


def test_review_errors_beside_the_fields(client, db, login, people):
    member, reporter, reviewer = people
    login(reporter)
    _report(client, reporter, member)
    incident = db.session.scalar(sa.select(Incident))
    login(reviewer)
    r = client.post(
        f"/staff/incidents/{incident.id}",
        data={"measure": "temporary", "until": "2020-01-01", "reason": "x"},
    )
    assert 'id="until-error"' in r.text and "in the future" in r.text


def test_lifting_early_keeps_the_record(client, db, login, people):
    member, reporter, reviewer = people
    login(reporter)
    _report(client, reporter, member)
    incident = db.session.scalar(sa.select(Incident))
    login(reviewer)
    client.post(
        f"/staff/incidents/{incident.id}", data={"measure": "permanent", "reason": "Harassment."}
    )
    assert not can_use(member, Channel.WORKSHOPS)
    restriction = db.session.scalar(sa.select(Restriction))
    r = client.post(
        f"/staff/restrictions/{restriction.id}/lift",
        data={"reason": "Apology accepted"},
        follow_redirects=True,
    )
    assert "The restriction is lifted." in r.text
    db.session.expire_all()
    assert can_use(member, Channel.WORKSHOPS)
    assert db.session.scalar(sa.select(sa.func.count(Restriction.id))) == 1
    assert "Apology accepted" in client.get(f"/staff/clients/{member.id}").text


def test_r5_ending_the_subscription(client, db, login, people):
    member, reporter, reviewer = people
    login(reporter)
    _report(client, reporter, member)
    incident = db.session.scalar(sa.select(Incident))
    login(reviewer)
    client.post(
        f"/staff/incidents/{incident.id}",
        data={"measure": "end_subscription", "reason": "Repeated abuse."},
    )
    assert db.session.get(Firm, member.firm_id).subscription_ended_at is not None
    decision = can_use(member, Channel.SESSIONS)
    assert not decision and decision.rule == "R5"


def test_evidence_is_type_and_size_limited_and_served_only_to_staff(client, db, login, people, app):
    member, reporter, _ = people
    login(reporter)
    bad = _report(client, reporter, member, evidence=(io.BytesIO(b"\xff\xfe\x00bin"), "x.exe"))
    assert 'id="evidence-error"' in bad.text and "PNG or JPEG" in bad.text
    app.config["EVIDENCE_MAX_BYTES"] = 100
    big = _report(client, reporter, member, evidence=(io.BytesIO(PNG * 3), "big.png"))
    assert "too large" in big.text
    app.config["EVIDENCE_MAX_BYTES"] = 5 * 1024 * 1024
    _report(client, reporter, member, evidence=(io.BytesIO(PNG), "screen.png"))
    incident = db.session.scalar(sa.select(Incident))
    with client.get(f"/staff/incidents/{incident.id}/evidence") as r:
        assert r.status_code == 200 and r.data == PNG and r.mimetype == "image/png"
        assert "attachment" in r.headers["Content-Disposition"]
    login(member)
    assert client.get(f"/staff/incidents/{incident.id}/evidence").status_code == 403
