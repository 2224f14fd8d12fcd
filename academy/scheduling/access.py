"""The one check every page that books, registers or asks for support uses (R2, R5, R6, R15)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from academy.accounts.models import Firm, User
from academy.accounts.services import plan_allows
from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.attendance import penalty_for
from academy.scheduling.policy import Channel, Decision, restriction_decision
from academy.support.conduct import active_restrictions
from academy.support.terms import acceptance_decision

# Channels whose use is a "support session" in the sense of R15.
SESSION_CHANNELS = (Channel.SESSIONS, Channel.WORKSHOPS)


def can_use(user: User, channel: Channel, at: datetime | None = None) -> Decision:
    """May `user` use `channel` at `at`? The subscription and restrictions (R5, R6), the plan
    (R2), the accepted terms (R18), then no-show penalties (R15).

    An allowed decision may still carry terms: a PenaltyDecision with `fee_required`.
    """
    at = at or now()
    if user.is_staff:
        return Decision(True, "R2")
    ended = (
        user.firm_id is not None
        and db.session.scalar(select(Firm.subscription_ended_at).where(Firm.id == user.firm_id))
        is not None
    )
    blocked = restriction_decision(channel, active_restrictions(user.id), ended, at)
    if not blocked:
        return blocked
    decision = plan_allows(user, channel)
    if not decision or channel not in SESSION_CHANNELS:
        return decision
    if not (accepted := acceptance_decision(user)):
        return accepted
    penalty = penalty_for(user, at)
    if not penalty.allowed or penalty.fee_required:
        return penalty
    return decision
