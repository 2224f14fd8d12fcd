"""The team page and the invitation pages run the same number of SQL statements with 5 or
500 members (ARCHITECTURE 4, issue 17)."""

from __future__ import annotations

import sqlalchemy as sa

from academy.accounts.models import FirmRole, User
from academy.courses.models import Certificate, LessonCompletion
from academy.firms.models import Assignment
from tests.firms.conftest import invitation_links, path


def _grow(db, firm, owner, course, lesson, n):
    """n members, each with a certificate, a lesson done and an assignment."""
    users = [
        User(
            email=f"m{firm.id}-{i}@acme.ro",
            name=f"Member {i}",
            password_hash=owner.password_hash,
            firm_id=firm.id,
            firm_role=FirmRole.MEMBER,
        )
        for i in range(n)
    ]
    db.session.add_all(users)
    db.session.flush()
    for i, user in enumerate(users):
        db.session.add(
            Certificate(
                code=f"Q{firm.id}-{i}",
                user_id=user.id,
                course_id=course.id,
                name="x",
                course_title="y",
                score=90,
            )
        )
        db.session.add(LessonCompletion(user_id=user.id, course_id=course.id, lesson_id=lesson.id))
        db.session.add(
            Assignment(
                firm_id=firm.id, user_id=user.id, course_id=course.id, due_at=owner.created_at
            )
        )
    db.session.commit()


def _counts(db, client, login, queries, make_firm, make_course, n):
    from academy.courses.models import Lesson

    firm, owner = make_firm(seats=n + 5)
    course = make_course(quiz=False)
    lesson = db.session.scalar(sa.select(Lesson).where(Lesson.course_id == course.id))
    _grow(db, firm, owner, course, lesson, n)
    login(owner)
    client.post("/team/invitations", data={"invite-emails": f"new{n}@acme.ro"})
    link = path(invitation_links(db, f"new{n}@acme.ro")[0])
    client.get("/team")  # warm: the plan table, the translations
    with queries() as team:
        response = client.get("/team")
        assert response.status_code == 200
    client.post("/logout")
    with queries() as invitation:
        assert client.get(link).status_code == 200
    return team.count, invitation.count


def test_team_and_invitation_pages_run_a_constant_number_of_statements(
    db, client, login, queries, make_firm, make_course, clock
):
    small = _counts(db, client, login, queries, make_firm, make_course, 5)
    large = _counts(db, client, login, queries, make_firm, make_course, 500)
    print(f"statements (team page, invitation page): {small} with 5, {large} with 500")
    assert small == large
    assert small[0] <= 20
