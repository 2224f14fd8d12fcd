"""The demo firm as a team: the demo client owns Demo Accounting SRL, with two members, one
pending invitation and one assigned course that is overdue (README, demo logins)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from academy.accounts.models import Firm, FirmEvent, FirmEventKind, FirmRole, Role, User
from academy.accounts.services import find_user_by_email, hash_password
from academy.core.clock import now
from academy.courses.models import Course
from academy.extensions import db
from academy.firms.models import Assignment, Invitation

PASSWORD = "demo-pass-123"  # noqa: S105  (documented in README; demo only)
MEMBERS = (
    ("maria.ilie@example.com", "Maria Ilie", "ro"),
    ("andrei.pavel@example.com", "Andrei Pavel", "en"),
)
INVITED = "elena.vasile@example.com"


def seed_team(firm: Firm, owner: User) -> None:
    members = []
    for email, name, language in MEMBERS:
        user = find_user_by_email(email)
        if user is None:
            user = User(
                email=email,
                name=name,
                role=Role.CLIENT,
                firm_id=firm.id,
                firm_role=FirmRole.MEMBER,
                timezone="Europe/Bucharest",
                language=language,
                password_hash=hash_password(PASSWORD),
            )
            db.session.add(user)
            db.session.flush()
            db.session.add(
                FirmEvent(
                    firm_id=firm.id, user_id=user.id, by_user_id=owner.id, kind=FirmEventKind.JOINED
                )
            )
        members.append(user)
    at = now()
    if db.session.scalar(select(Invitation.id).where(Invitation.email == INVITED)) is None:
        db.session.add(
            Invitation(
                firm_id=firm.id,
                email=INVITED,
                invited_by_id=owner.id,
                created_at=at,
                sent_at=at,
                expires_at=at + timedelta(days=7),
            )
        )
    courses = {
        c.slug: c for c in db.session.scalars(select(Course).where(Course.published.is_(True)))
    }
    plan = (
        (members[1], "getting-started-with-taxdome", at - timedelta(days=3)),  # overdue
        (members[0], "client-portal-and-invoicing", at + timedelta(days=14)),
    )
    for member, slug, due_at in plan:
        course = courses.get(slug)
        if course is None or member.firm_id != firm.id:
            continue
        exists = db.session.scalar(
            select(Assignment.id).where(
                Assignment.user_id == member.id, Assignment.course_id == course.id
            )
        )
        if exists is None:
            db.session.add(
                Assignment(
                    firm_id=firm.id,
                    user_id=member.id,
                    course_id=course.id,
                    assigned_by_id=owner.id,
                    due_at=due_at,
                    created_at=at - timedelta(days=10),
                )
            )
    db.session.commit()
