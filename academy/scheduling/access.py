"""The one check every page that books or registers uses (POLICY R2, R15; R6 with conduct)."""

from __future__ import annotations

from datetime import datetime

from academy.accounts.models import User
from academy.accounts.services import plan_allows
from academy.core.clock import now
from academy.scheduling.attendance import penalty_for
from academy.scheduling.policy import Channel, Decision

# Channels whose use is a "support session" in the sense of R15.
SESSION_CHANNELS = (Channel.SESSIONS, Channel.WORKSHOPS)


def can_use(user: User, channel: Channel, at: datetime | None = None) -> Decision:
    """May `user` use `channel` at `at`? The plan (R2), then no-show penalties (R15).

    An allowed decision may still carry terms: a PenaltyDecision with `fee_required`.
    """
    decision = plan_allows(user, channel)
    if not decision or user.is_staff or channel not in SESSION_CHANNELS:
        return decision
    penalty = penalty_for(user, at or now())
    if not penalty.allowed or penalty.fee_required:
        return penalty
    return decision
