"""The support terms (../shared/POLICY.md) as pure decisions.

No Flask, no SQLAlchemy: functions take plain values and return a Decision that says
whether something is allowed, why, and under which rule. Reasons are English message
ids marked with N_() so Babel extracts them; the web layer translates them when shown
(academy.core.i18n.explain).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (gettext_noop)."""
    return message


class Channel(StrEnum):
    """The support channels of POLICY R1."""

    CHAT = "chat"
    EMAIL = "email"
    HELP = "help"
    RESOURCES = "resources"
    ACADEMY = "academy"
    WORKSHOPS = "workshops"
    SESSIONS = "sessions"


# Display names, in R1's order; translated where shown.
CHANNEL_NAMES: Mapping[Channel, str] = MappingProxyType(
    {
        Channel.CHAT: N_("Chat with the customer success team"),
        Channel.EMAIL: N_("Support inbox (first response within 24 hours)"),
        Channel.HELP: N_("Help section"),
        Channel.RESOURCES: N_("Webinars, video tutorials and articles"),
        Channel.ACADEMY: N_("Academy courses and quizzes"),
        Channel.WORKSHOPS: N_("Live online workshops"),
        Channel.SESSIONS: N_("1:1 sessions (implementation, quick assist)"),
    }
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str
    reason: str = ""
    params: Mapping[str, object] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Grant:
    """One row of the plan table: `plan` gives `channel` to firms with at least `min_seats`."""

    plan: str
    channel: Channel
    min_seats: int = 1


def channel_decision(
    channel: Channel,
    plan: str | None,
    seats: int,
    grants: Iterable[Grant],
) -> Decision:
    """POLICY R2: may a firm on `plan` with `seats` users use `channel`?

    A refusal names the cheapest thing that would grant it: the same plan with more
    seats if that plan has the channel, else the plans that have it.
    """
    if plan is None:
        return Decision(False, "R2", N_("Your account is not linked to a firm's subscription."))
    offering = [g for g in grants if g.channel == channel]
    for g in offering:
        if g.plan == plan and seats >= g.min_seats:
            return Decision(True, "R2")
    same_plan = [g for g in offering if g.plan == plan]
    if same_plan:
        need = min(g.min_seats for g in same_plan)
        return Decision(
            False,
            "R2",
            N_("Your firm's plan includes this for firms with %(seats)d or more users."),
            {"seats": need},
        )
    others = list(dict.fromkeys(g.plan for g in offering))  # in the plan table's order
    if not others:
        return Decision(False, "R2", N_("This channel is not offered on any plan."))
    return Decision(
        False,
        "R2",
        N_("Your firm's plan does not include this. It is available on: %(plans)s."),
        {"plans": others},
    )
