"""A decision with its reason: what every rule (the support terms, quizzes, forms) returns.

Pure: no Flask, no database. `reason` is an English message id marked with N_() and `params`
fill it in; `academy.core.i18n.explain` translates it where it is shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


@dataclass(frozen=True)
class Decision:
    allowed: bool
    rule: str  # the id of the rule it applies (POLICY R10, ...)
    reason: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    # Whether taking the channel costs the R15 fee: only a penalty decision
    # (scheduling.policy.PenaltyDecision) may say yes; every other decision says no.
    fee_required: ClassVar[bool] = False

    def __bool__(self) -> bool:
        return self.allowed
