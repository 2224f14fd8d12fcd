"""The conduct email, with demo data, for the staff preview page (notifications.previews)."""

from __future__ import annotations

from datetime import timedelta

from academy.accounts.previews import demo_user
from academy.conduct.services import send_decision
from academy.core.clock import now
from academy.core.markers import N_
from academy.notifications.previews import preview
from academy.scheduling.policy import Measure


@preview("conduct_decision", label=N_("Conduct: access restricted until a date (R5)"))
def conduct_decision(language: str) -> None:
    send_decision(demo_user(language), Measure.TEMPORARY, now() + timedelta(days=30))


@preview(
    "conduct_decision_permanent",
    "conduct_decision",
    kind="conduct_decision",
    label=N_("Conduct: access restricted permanently (R5)"),
)
def conduct_decision_permanent(language: str) -> None:
    send_decision(demo_user(language), Measure.PERMANENT, None)


@preview(
    "conduct_decision_subscription",
    "conduct_decision",
    kind="conduct_decision",
    label=N_("Conduct: the subscription ends (R5)"),
)
def conduct_decision_subscription(language: str) -> None:
    send_decision(demo_user(language), Measure.END_SUBSCRIPTION, None)
