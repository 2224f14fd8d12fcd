"""What an owner's team page shows, in a fixed number of statements however many members
(ARCHITECTURE 4): one for the members with their counts, one for their no-shows, one for their
upcoming sessions and workshops."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, distinct, func, select

from academy.accounts.models import Firm, User
from academy.core.clock import now
from academy.courses.models import Certificate, LessonCompletion
from academy.extensions import db
from academy.scheduling.models import Booking, BookingStatus, NoShow, Occurrence, Offering
from academy.scheduling.policy import PenaltyMode, Standing, Terms, standing


@dataclass
class MemberRow:
    user: User
    in_progress: int
    completed: int
    upcoming: list[tuple[datetime, str]] = field(default_factory=list)
    standing: Standing | None = None

    @property
    def fee_owed(self) -> bool:
        """POLICY R15: a second no-show within the window; under a fee plan the next session
        carries a fee, which the firm pays: the owner sees it."""
        return bool(self.standing and self.standing.penalty)


def members(firm: Firm, terms: Terms) -> list[MemberRow]:
    at = now()
    started = (
        select(func.count(distinct(LessonCompletion.course_id)))
        .where(
            LessonCompletion.user_id == User.id,
            ~LessonCompletion.course_id.in_(
                select(Certificate.course_id).where(Certificate.user_id == User.id)
            ),
        )
        .correlate(User)
        .scalar_subquery()
    )
    done = (
        select(func.count(Certificate.id))
        .where(Certificate.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    rows = {
        user.id: MemberRow(user, in_progress or 0, completed or 0)
        for user, in_progress, completed in db.session.execute(
            select(User, started, done)
            .where(User.firm_id == firm.id)
            .order_by(User.firm_role.desc(), User.name, User.id)
        )
    }
    if not rows:
        return []
    in_firm = select(User.id).where(User.firm_id == firm.id)
    for user_id, starts_at, title in db.session.execute(
        select(Booking.user_id, Occurrence.starts_at, Offering.title)
        .join(Occurrence, Occurrence.id == Booking.occurrence_id)
        .join(Offering, Offering.id == Occurrence.offering_id)
        .where(
            Booking.user_id.in_(in_firm),
            Booking.status == BookingStatus.CONFIRMED,
            Occurrence.starts_at > at,
        )
        .order_by(Occurrence.starts_at)
    ):
        rows[user_id].upcoming.append((starts_at, title))
    if terms.penalty_mode == PenaltyMode.FEE:
        # POLICY R15: only where the terms make a no-show the firm's business (a fee).
        no_shows: dict[int, list[datetime]] = {}
        for user_id, occurred_at in db.session.execute(
            select(NoShow.user_id, NoShow.occurred_at).where(
                and_(NoShow.user_id.in_(in_firm), NoShow.excused_at.is_(None))
            )
        ):
            no_shows.setdefault(user_id, []).append(occurred_at)
        for user_id, instants in no_shows.items():
            rows[user_id].standing = standing(instants, at, terms.no_shows)
    return list(rows.values())
