"""Quiz rules as pure functions: scoring, draws, attempts, waits, deadlines, review.

No Flask, no SQLAlchemy: plain values in, plain values out, so tests inject any time.
Reasons are English message ids marked with N_(); the web layer translates them.
Scoring happens only on the server (the CTFd rule in ARCHITECTURE.md): here, by the rule of
each question's kind (academy.courses.kinds).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache

from academy.core.markers import N_
from academy.courses.kinds import REGISTRY, Key

# An answer saved this long after the deadline still counts (a slow network, a late click).
GRACE = timedelta(seconds=30)
DEFAULT_PASS_MARK = 70


class ReviewMode(StrEnum):
    NONE = "none"
    AFTER_SUBMIT = "after_submit"
    AFTER_PASSING = "after_passing"
    AFTER_LAST_ATTEMPT = "after_last"


# --- Scoring -------------------------------------------------------------------------------------


def is_correct(key: Key, response: str) -> bool:
    """Is `response` (as saved from the form) right? Each kind says (academy.courses.kinds);
    a question of a kind no longer known is never right."""
    kind = REGISTRY.get(key.kind)
    return kind is not None and kind.is_correct(key, response)


def percent(correct: int, total: int) -> int:
    """The score in whole percent, rounded down (69.9 % does not pass a 70 % mark)."""
    return 0 if total <= 0 else (100 * correct) // total


def has_passed(score: int, pass_mark: int) -> bool:
    return score >= pass_mark


# --- Draws and shuffles ------------------------------------------------------------------------


def draw_questions(
    question_ids: Sequence[int], seed: int, draw: int | None, shuffle: bool
) -> list[int]:
    """The questions of one attempt, in order: `draw` of them at random (all if None or more
    than there are), shuffled if asked. The same seed gives the same draw."""
    ids = list(question_ids)
    rng = random.Random(seed)  # noqa: S311 - fairness, not secrecy
    if draw is not None and 0 < draw < len(ids):
        chosen = set(rng.sample(ids, draw))
        ids = [i for i in ids if i in chosen]
    if shuffle:
        rng.shuffle(ids)
    return ids


def choice_order(
    choice_ids: Sequence[int], seed: int, question_id: int, shuffle: bool
) -> list[int]:
    """The order a question's answers are shown in one attempt (stable across reloads)."""
    if not shuffle:
        return list(choice_ids)
    return list(_shuffled(tuple(choice_ids), seed, question_id))


@lru_cache(maxsize=4096)
def _shuffled(ids: tuple[int, ...], seed: int, question_id: int) -> tuple[int, ...]:
    # Seeding a generator from a string costs more than the rest of a question's page: the
    # orders of the attempts being taken (the quiz page, its reloads, the result) are kept.
    order = list(ids)
    random.Random(f"{seed}:{question_id}").shuffle(order)  # noqa: S311
    return tuple(order)


# --- Attempts, waits, deadlines ------------------------------------------------------------------


@dataclass(frozen=True)
class PastAttempt:
    started_at: datetime
    submitted_at: datetime | None
    passed: bool


@dataclass(frozen=True)
class AttemptDecision:
    allowed: bool
    reason: str = ""
    params: dict[str, object] = field(default_factory=dict)
    opens_at: datetime | None = None

    def __bool__(self) -> bool:
        return self.allowed


def may_start(
    past: Sequence[PastAttempt],
    *,
    allowed: int,
    extra: int,
    wait: timedelta,
    at: datetime,
) -> AttemptDecision:
    """May a new attempt start at `at`, after `past` (all submitted)?

    `allowed` attempts per quiz (0: unlimited), plus `extra` granted by staff; after a
    failed attempt the next opens `wait` after it was submitted.
    """
    if any(p.passed for p in past):
        return AttemptDecision(False, N_("You have passed this quiz."))
    used = len(past)
    if allowed and used >= allowed + extra:
        return AttemptDecision(
            False,
            N_("You have used all %(count)d attempts. Ask the Academy team for another one."),
            {"count": allowed + extra},
        )
    finished = [p.submitted_at for p in past if p.submitted_at is not None]
    if finished and wait:
        opens = max(finished) + wait
        if at < opens:
            return AttemptDecision(
                False, N_("Your next attempt opens on %(when)s."), {"when": opens}, opens
            )
    return AttemptDecision(True)


def attempts_left(used: int, allowed: int, extra: int) -> int | None:
    """None: unlimited."""
    return None if not allowed else max(allowed + extra - used, 0)


def deadline(started_at: datetime, time_limit: timedelta | None) -> datetime | None:
    return None if time_limit is None else started_at + time_limit


def accepts_answers(deadline_at: datetime | None, at: datetime) -> bool:
    """Answers saved up to the deadline plus the grace count; later ones are refused."""
    return deadline_at is None or at <= deadline_at + GRACE


def review_visible(mode: ReviewMode, *, passed: bool, attempts_left: int | None) -> bool:
    """May the client see the right answers of a submitted attempt?"""
    if mode == ReviewMode.AFTER_SUBMIT:
        return True
    if mode == ReviewMode.AFTER_PASSING:
        return passed
    if mode == ReviewMode.AFTER_LAST_ATTEMPT:
        return passed or attempts_left == 0
    return False
