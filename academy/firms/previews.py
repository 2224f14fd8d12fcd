"""What firms send, with demo data, for the staff preview page (notifications.previews).

Each preview calls the function the services call (send_invitation, send_verified,
queue_reminders) on a demo firm, owner and member saved inside the preview's savepoint and
rolled back after it.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app

from academy.accounts.models import Firm, FirmRole, User
from academy.accounts.previews import demo_user
from academy.accounts.services import default_plan
from academy.core.clock import now
from academy.core.markers import N_
from academy.courses.models import Course
from academy.extensions import db
from academy.firms.assignments import queue_reminders
from academy.firms.models import Assignment, Invitation
from academy.firms.services import send_invitation, send_verified
from academy.notifications.previews import preview

FIRMS = {"en": "Smith & Partners CPA", "ro": "Contabil Expert SRL"}
COURSES = {"en": "Client portal basics", "ro": "Portalul clienților: noțiuni de bază"}
OWNERS = {"en": "John Carter", "ro": "Mihai Popa"}


def demo_firm(language: str, name: str = "") -> tuple[Firm, User]:
    """A verified firm on the default plan and its owner."""
    firm = Firm(name=name or FIRMS[language], plan=default_plan(), seats=5, verified_at=now())
    db.session.add(firm)
    db.session.flush()
    owner = demo_user(language, name=OWNERS[language], firm_id=firm.id, firm_role=FirmRole.OWNER)
    return firm, owner


def _invitation(firm: Firm, owner: User, email: str) -> Invitation:
    days = current_app.config["FIRM_INVITATION_MAX_AGE"] // 86400
    invitation = Invitation(
        firm_id=firm.id, email=email, invited_by_id=owner.id, expires_at=now() + timedelta(days)
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation


@preview("firm_invitation", label=N_("Invitation to join a firm"))
def firm_invitation(language: str) -> None:
    firm, owner = demo_firm(language)
    email = f"colleague.{secrets.token_hex(4)}@example.com"
    send_invitation(_invitation(firm, owner, email), firm, owner)


@preview(
    "firm_invitation_move",
    "firm_invitation",
    label=N_("Invitation to join a firm: the person belongs to another firm"),
    kind="firm_invitation",
)
def firm_invitation_move(language: str) -> None:
    former, _ = demo_firm(language, name="Old Books LLC")
    colleague = demo_user(language, name="Elena Radu", firm_id=former.id)
    firm, owner = demo_firm(language)
    send_invitation(_invitation(firm, owner, colleague.email), firm, owner)


@preview("firm_verified", label=N_("Firm verified by staff"))
def firm_verified(language: str) -> None:
    firm, owner = demo_firm(language)
    send_verified(owner, firm, firm.plan.name, firm.seats)


def _assignment(language: str, due_in: timedelta) -> None:
    firm, owner = demo_firm(language)
    member = demo_user(language, firm_id=firm.id, firm_role=FirmRole.MEMBER)
    course = Course(slug=f"demo-{secrets.token_hex(6)}", title=COURSES[language], published=True)
    db.session.add(course)
    db.session.flush()
    assignment = Assignment(
        firm_id=firm.id,
        user_id=member.id,
        course_id=course.id,
        assigned_by_id=owner.id,
        due_at=now() + due_in,
    )
    db.session.add(assignment)
    db.session.flush()
    queue_reminders(assignment, member, course, owner)


@preview("assignment_soon", label=N_("Assigned course: due soon"))
def assignment_soon(language: str) -> None:
    _assignment(language, timedelta(days=14))


@preview("assignment_overdue", label=N_("Assigned course: overdue"))
def assignment_overdue(language: str) -> None:
    _assignment(language, timedelta(days=14))
