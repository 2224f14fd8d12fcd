"""Assigned learning: due dates, reminders through the outbox each once, withdrawn when done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from academy.accounts.models import FirmRole, User
from academy.courses.models import Certificate
from academy.firms import assignments
from academy.notifications.dispatcher import dispatch_due
from academy.notifications.models import OutboxMessage, OutboxStatus

DUE = "2026-12-10"  # the clock starts on 2026-11-25


def _setup(db, make_firm, make_course):
    firm, owner = make_firm(members=1)
    member = db.session.scalar(
        sa.select(User).where(User.firm_id == firm.id, User.firm_role == FirmRole.MEMBER)
    )
    return firm, owner, member, make_course(quiz=False)


def _assign(client, course, member, due=DUE):
    return client.post(
        "/team/assignments",
        data={"assign-course": course.id, "assign-members": [member.id], "assign-due": due},
    )


def _messages(db):
    return {
        m.kind: m
        for m in db.session.scalars(
            sa.select(OutboxMessage).where(OutboxMessage.kind.like("assignment%"))
        )
    }


def _complete(db, member, course):
    db.session.add(
        Certificate(
            code=f"C{member.id}",
            user_id=member.id,
            course_id=course.id,
            name="x",
            course_title="y",
            score=90,
        )
    )
    db.session.commit()


def test_an_assigned_course_is_shown_first_to_the_member_and_on_the_team_page(
    db, client, login, make_firm, make_course, clock
):
    _firm, owner, member, course = _setup(db, make_firm, make_course)
    login(owner)
    assert _assign(client, course, member).status_code == 302
    team = client.get("/team").get_data(as_text=True)
    assert course.title in team and "On time" in team
    login(member)
    for url in ("/", "/academy"):
        page = client.get(url).get_data(as_text=True)
        assert "Assigned by your firm" in page
        assert page.index("Assigned by your firm") < page.index(course.title)


def test_two_reminders_are_queued_and_each_is_sent_once(
    db, client, login, make_firm, make_course, clock
):
    _firm, owner, member, course = _setup(db, make_firm, make_course)
    login(owner)
    _assign(client, course, member)
    messages = _messages(db)
    # Due at the end of 10 December in the owner's zone (Bucharest, UTC+2).
    due = datetime(2026, 12, 10, 21, 59, tzinfo=UTC)
    assert messages["assignment_overdue"].due_at == due
    assert messages["assignment_soon"].due_at == due - timedelta(days=3)
    clock.freeze(due + timedelta(minutes=1))
    dispatch_due()
    dispatch_due()
    sent = db.session.scalars(
        sa.select(OutboxMessage.kind).where(OutboxMessage.status == OutboxStatus.SENT)
    ).all()
    assert sorted(sent) == ["assignment_overdue", "assignment_soon"]
    # Each once: no second copy of either was queued or sent.
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(OutboxMessage.kind.like("assignment%"))
        )
        == 2
    )


def test_the_team_page_shows_late_then_done_and_completing_withdraws_the_reminders(
    db, client, login, make_firm, make_course, clock
):
    _firm, owner, member, course = _setup(db, make_firm, make_course)
    login(owner)
    _assign(client, course, member)
    clock.advance(timedelta(days=16))
    assert "Late" in client.get("/team").get_data(as_text=True)
    clock.advance(timedelta(days=-16))
    _complete(db, member, course)
    statuses = {m.kind: m.status for m in _messages(db).values()}
    assert statuses == {"assignment_soon": "cancelled", "assignment_overdue": "cancelled"}
    rows = assignments.for_firm(_firm.id)
    assert [r.status for r in rows] == ["done"]
    assert "Done" in client.get("/team").get_data(as_text=True)


def test_a_course_already_completed_gets_no_reminders(
    db, client, login, make_firm, make_course, clock
):
    _firm, owner, member, course = _setup(db, make_firm, make_course)
    _complete(db, member, course)
    login(owner)
    _assign(client, course, member)
    assert _messages(db) == {}


def test_bad_input_is_shown_beside_the_fields(db, client, login, make_firm, make_course, clock):
    _firm, owner, member, course = _setup(db, make_firm, make_course)
    _other, other_owner = make_firm()
    login(other_owner)
    response = _assign(client, course, member)  # not their member
    assert response.status_code == 422
    login(owner)
    response = client.post(
        "/team/assignments", data={"assign-course": course.id, "assign-due": "2026-11-01"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose at least one member." in page
    response = _assign(client, course, member, due="2026-11-01")
    assert "Choose a due date in the future." in response.get_data(as_text=True)


def test_a_member_who_leaves_gets_no_more_reminders_and_the_firm_no_longer_lists_them(
    db, client, login, make_firm, make_course, clock
):
    firm, owner, member, course = _setup(db, make_firm, make_course)
    login(owner)
    _assign(client, course, member)
    client.post(f"/team/members/{member.id}/remove")
    statuses = {m.kind: m.status for m in _messages(db).values()}
    assert statuses == {"assignment_soon": "cancelled", "assignment_overdue": "cancelled"}
    assert assignments.for_firm(firm.id) == []
    login(member)
    assert "Assigned by your firm" not in client.get("/").get_data(as_text=True)
