"""Courses an owner assigns to members with a due date (issue 17).

Each assignment queues two emails through the outbox when it is made: a reminder
ASSIGNMENT_REMINDER_DAYS before the due date and one when it is overdue, each once (a dedupe
key per assignment and kind). Completing the course (its certificate) withdraws both, the way
a cancelled booking's reminders are withdrawn (scheduling.messages.withdraw_reminders).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, joinedload, selectinload

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.markers import N_
from academy.core.sql import rows
from academy.core.urls import external_url
from academy.courses.models import Certificate, Course
from academy.extensions import db
from academy.firms.models import Assignment
from academy.firms.reminders import keys, withdraw
from academy.firms.services import _lock_firm, require_owner
from academy.notifications.models import OutboxMessage
from academy.notifications.services import enqueue_email


class Status(StrEnum):
    ON_TIME = "on_time"  # not done, due date ahead
    LATE = "late"  # not done, due date passed
    DONE = "done"


@dataclass(frozen=True)
class AssignmentRow:
    assignment: Assignment
    done_at: datetime | None
    status: Status


def status_of(due_at: datetime, done_at: datetime | None, at: datetime) -> Status:
    if done_at is not None:
        return Status.DONE
    return Status.LATE if at > due_at else Status.ON_TIME


def assign(owner: User, course_id: int, user_ids: list[int], due_at: datetime) -> list[Assignment]:
    """Assign a published course to members of the owner's firm; assigning it again moves the
    due date (and its reminders)."""
    firm = require_owner(owner)
    course = db.session.get(Course, course_id)
    if course is None or not course.published:
        raise DomainError(_l("Choose a course from the list."), field="course")
    if not user_ids:
        raise DomainError(_l("Choose at least one member."), field="members")
    if due_at <= now():
        raise DomainError(_l("Choose a due date in the future."), field="due")
    # Under the firm's lock: the same form posted twice at once finds the first one's
    # assignment (no duplicate-key 500) and moves its reminders, each still once.
    _lock_firm(firm.id)
    members = list(
        db.session.scalars(select(User).where(User.firm_id == firm.id, User.id.in_(user_ids)))
    )
    if len(members) != len(set(user_ids)):
        raise DomainError(_l("Choose members of your firm."), field="members")
    existing = {
        a.user_id: a
        for a in db.session.scalars(
            select(Assignment).where(
                Assignment.course_id == course.id, Assignment.user_id.in_(user_ids)
            )
        )
    }
    done = set(
        db.session.scalars(
            select(Certificate.user_id).where(
                Certificate.course_id == course.id, Certificate.user_id.in_(user_ids)
            )
        )
    )
    made = []
    for member in members:
        assignment = existing.get(member.id)
        if assignment is None:
            assignment = Assignment(firm_id=firm.id, user_id=member.id, course_id=course.id)
            db.session.add(assignment)
        else:
            withdraw([assignment.id])
            # A new due date: its reminders are new messages, each once.
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.dedupe_key.in_(keys(assignment.id)))
                .values(dedupe_key=None)
                .execution_options(synchronize_session=False)
            )
        assignment.firm_id, assignment.due_at, assignment.assigned_by_id = firm.id, due_at, owner.id
        db.session.flush()
        if member.id not in done:
            queue_reminders(assignment, member, course, owner)
        made.append(assignment)
    db.session.commit()
    return made


def queue_reminders(assignment: Assignment, member: User, course: Course, owner: User) -> None:
    """The due-soon reminder (unless its time has passed) and the overdue one, each once."""
    at = now()
    soon = assignment.due_at - timedelta(days=current_app.config["ASSIGNMENT_REMINDER_DAYS"])
    link = external_url("courses.course", slug=course.slug)
    common = {
        "course_title": course.title,
        "due": assignment.due_at,
        "link": link,
        "owner_name": owner.name,
    }
    if soon > at:  # a reminder whose time has passed is not sent late (as POLICY R8)
        enqueue_email(
            member,
            "assignment_soon",
            N_("Due soon: %(title)s"),
            "assignment_soon",
            due_at=soon,
            dedupe_key=keys(assignment.id)[0],
            subject_params={"title": course.title},
            **common,
        )
    enqueue_email(
        member,
        "assignment_overdue",
        N_("Overdue: %(title)s"),
        "assignment_overdue",
        due_at=assignment.due_at,
        dedupe_key=keys(assignment.id)[1],
        subject_params={"title": course.title},
        **common,
    )


@event.listens_for(Certificate, "after_insert")
def _course_completed(_mapper: Mapper, conn: Connection, certificate: Certificate) -> None:
    """A course completed: its assignment's reminders are withdrawn in the same transaction."""
    ids = list(
        conn.execute(
            select(Assignment.id).where(
                Assignment.user_id == certificate.user_id,
                Assignment.course_id == certificate.course_id,
            )
        ).scalars()
    )
    if ids:
        withdraw(ids, conn)


def unassign(owner: User, assignment_id: int) -> None:
    firm = require_owner(owner)
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or assignment.firm_id != firm.id:
        raise DomainError(_l("There is no such assignment."))
    withdraw([assignment.id])
    db.session.delete(assignment)
    db.session.commit()


def _rows(query) -> list[AssignmentRow]:
    at = now()
    return [
        AssignmentRow(a, done_at, status_of(a.due_at, done_at, at))
        for a, done_at in db.session.execute(query).all()
    ]


def _with_done():
    return (
        select(Assignment, Certificate.issued_at)
        .outerjoin(
            Certificate,
            (Certificate.user_id == Assignment.user_id)
            & (Certificate.course_id == Assignment.course_id),
        )
        .options(joinedload(Assignment.course))
    )


def for_firm(firm_id: int) -> list[AssignmentRow]:
    """Every assignment of the firm's current members, with its status (two statements)."""
    return _rows(
        _with_done()
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.firm_id == firm_id, User.firm_id == firm_id)
        .options(selectinload(Assignment.user))
        .order_by(Assignment.due_at, Assignment.id)
    )


@dataclass(frozen=True)
class MemberAssignment:
    """A course the member's firm asks of them, as their home page and catalogue list it."""

    slug: str
    title: str
    due_at: datetime
    status: Status


@cache
def _member_statement() -> Select:
    """Built once: the home page and the catalogue of every firm member run it. Plain columns,
    no entities: the listing needs four values, and loading Assignment and Course objects
    cost most of the page's time (issue 15)."""
    return (
        select(Course.slug, Course.title, Assignment.due_at, Certificate.issued_at)
        .join(Course, Course.id == Assignment.course_id)
        .outerjoin(
            Certificate,
            (Certificate.user_id == Assignment.user_id)
            & (Certificate.course_id == Assignment.course_id),
        )
        .where(
            Assignment.user_id == bindparam("uid"),
            Assignment.firm_id == bindparam("firm_id"),
        )
        .order_by(Assignment.due_at, Assignment.id)
    )


def for_member(user: User) -> list[MemberAssignment]:
    """What the member's firm asks of them, first the ones not done, soonest due first."""
    if not user.is_authenticated or user.firm_id is None:
        return []
    at = now()
    found = [
        MemberAssignment(slug, title, due_at, status_of(due_at, done_at, at))
        for slug, title, due_at, done_at in rows(
            _member_statement(), {"uid": user.id, "firm_id": user.firm_id}
        )
    ]
    return sorted(found, key=lambda r: r.status == Status.DONE)
