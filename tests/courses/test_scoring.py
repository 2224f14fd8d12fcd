"""The pure quiz rules, with injected times (no Flask, no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from academy.courses import scoring
from academy.courses.kinds import Key, QuestionKind
from academy.courses.scoring import GRACE, PastAttempt, ReviewMode

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("response", "right"),
    [("2", True), ("1", False), ("1,2", False), ("", False), ("x", False)],
)
def test_single_choice(response, right):
    assert scoring.is_correct(Key(QuestionKind.SINGLE, frozenset({2})), response) is right


@pytest.mark.parametrize(
    ("response", "right"),
    [("1,3", True), ("3,1", True), ("1", False), ("1,2,3", False), ("", False)],
)
def test_multiple_choice_needs_exactly_the_right_set(response, right):
    assert scoring.is_correct(Key(QuestionKind.MULTIPLE, frozenset({1, 3})), response) is right


@pytest.mark.parametrize(
    ("response", "right"), [("true", True), ("false", False), ("", False), ("yes", False)]
)
def test_true_false(response, right):
    assert scoring.is_correct(Key(QuestionKind.TRUE_FALSE, accepted=("true",)), response) is right


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("Client portal", True),
        ("  client   PORTAL. ", True),
        ("Portál", True),  # accents ignored
        ("portal!", True),
        ("the portal", False),
        ("", False),
    ],
)
def test_short_text_is_normalised(response, right):
    key = Key(QuestionKind.SHORT_TEXT, accepted=("Client portal", "portal"))
    assert scoring.is_correct(key, response) is right


@pytest.mark.parametrize(
    ("response", "right"),
    [
        ("2.5", True),
        ("2,5", True),
        ("2.6", True),  # within the tolerance
        ("2.4", True),
        ("2.61", False),
        ("abc", False),
        ("nan", False),
        ("inf", False),
        ("", False),
    ],
)
def test_numeric_with_tolerance(response, right):
    key = Key(QuestionKind.NUMERIC, number=2.5, tolerance=0.1)
    assert scoring.is_correct(key, response) is right


def test_percent_rounds_down_so_the_mark_is_not_rounded_up():
    assert scoring.percent(2, 3) == 66
    assert scoring.percent(7, 10) == 70
    assert scoring.percent(0, 0) == 0
    assert scoring.has_passed(70, 70) and not scoring.has_passed(69, 70)


def test_draw_is_reproducible_by_seed_and_draws_n():
    ids = list(range(1, 21))
    first = scoring.draw_questions(ids, seed=42, draw=5, shuffle=True)
    assert first == scoring.draw_questions(ids, seed=42, draw=5, shuffle=True)
    assert len(first) == 5 and set(first) <= set(ids)
    others = {tuple(scoring.draw_questions(ids, seed=s, draw=5, shuffle=True)) for s in range(20)}
    assert len(others) > 1
    assert scoring.draw_questions(ids, seed=1, draw=None, shuffle=False) == ids
    assert sorted(scoring.draw_questions(ids, seed=1, draw=50, shuffle=True)) == ids
    unshuffled = scoring.draw_questions(ids, seed=7, draw=5, shuffle=False)
    assert unshuffled == sorted(unshuffled)


def test_answer_order_is_stable_per_attempt_and_question():
    ids = [10, 11, 12, 13, 14]
    assert scoring.choice_order(ids, 5, 1, shuffle=False) == ids
    order = scoring.choice_order(ids, 5, 1, shuffle=True)
    assert order == scoring.choice_order(ids, 5, 1, shuffle=True)
    assert sorted(order) == ids
    assert len({tuple(scoring.choice_order(ids, s, 1, shuffle=True)) for s in range(20)}) > 1


def _failed(minutes_ago: int) -> PastAttempt:
    return PastAttempt(
        T0 - timedelta(minutes=minutes_ago + 5), T0 - timedelta(minutes=minutes_ago), False
    )


def test_attempts_allowed_and_extra_attempts():
    past = [_failed(300), _failed(200), _failed(100)]
    refused = scoring.may_start(past, allowed=3, extra=0, wait=timedelta(0), at=T0)
    assert not refused and refused.params == {"count": 3}
    assert scoring.may_start(past, allowed=3, extra=1, wait=timedelta(0), at=T0)
    assert scoring.may_start(past, allowed=0, extra=0, wait=timedelta(0), at=T0)  # unlimited
    assert scoring.attempts_left(3, 3, 1) == 1 and scoring.attempts_left(5, 0, 0) is None


def test_wait_between_attempts_says_when_the_next_opens():
    past = [_failed(10)]
    wait = timedelta(minutes=30)
    refused = scoring.may_start(past, allowed=3, extra=0, wait=wait, at=T0)
    assert not refused and refused.opens_at == T0 + timedelta(minutes=20)
    assert refused.params["when"] == T0 + timedelta(minutes=20)
    assert scoring.may_start(past, allowed=3, extra=0, wait=wait, at=T0 + timedelta(minutes=20))


def test_no_attempt_after_passing():
    passed = [PastAttempt(T0 - timedelta(hours=1), T0 - timedelta(minutes=50), True)]
    assert not scoring.may_start(passed, allowed=0, extra=5, wait=timedelta(0), at=T0)


def test_deadline_with_grace():
    deadline = scoring.deadline(T0, timedelta(minutes=10))
    assert deadline == T0 + timedelta(minutes=10)
    assert scoring.accepts_answers(deadline, deadline + GRACE)
    assert not scoring.accepts_answers(deadline, deadline + GRACE + timedelta(seconds=1))
    assert scoring.deadline(T0, None) is None and scoring.accepts_answers(
        None, T0 + timedelta(days=9)
    )


@pytest.mark.parametrize(
    ("mode", "passed", "left", "visible"),
    [
        (ReviewMode.NONE, True, 0, False),
        (ReviewMode.AFTER_SUBMIT, False, 2, True),
        (ReviewMode.AFTER_PASSING, False, 0, False),
        (ReviewMode.AFTER_PASSING, True, 2, True),
        (ReviewMode.AFTER_LAST_ATTEMPT, False, 1, False),
        (ReviewMode.AFTER_LAST_ATTEMPT, False, 0, True),
        (ReviewMode.AFTER_LAST_ATTEMPT, False, None, False),
        (ReviewMode.AFTER_LAST_ATTEMPT, True, 1, True),
    ],
)
def test_review_modes(mode, passed, left, visible):
    assert scoring.review_visible(mode, passed=passed, attempts_left=left) is visible
