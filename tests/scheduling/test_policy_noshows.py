"""POLICY R14-R16: the no-show ledger as pure decisions, window edges pinned by hypothesis.

Decided and documented here: a no-show exactly 12 months after another one IS within the
12 months (R15); the six-month cooldown counts from the most recent no-show.
"""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from academy.scheduling.policy import (
    PenaltyMode,
    add_months,
    penalty_decision,
    standing,
    within_window,
)

JAN = datetime(2026, 1, 15, 10, tzinfo=UTC)
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(JAN, 12) == datetime(2027, 1, 15, 10, tzinfo=UTC)
    assert add_months(datetime(2026, 8, 31, tzinfo=UTC), 6) == datetime(2027, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 8, 31, tzinfo=UTC), 6) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 31, tzinfo=UTC), -1) == datetime(2026, 2, 28, tzinfo=UTC)


def test_r15_exactly_twelve_months_later_is_within():
    assert within_window(JAN, add_months(JAN, 12))
    assert not within_window(JAN, add_months(JAN, 12) + timedelta(seconds=1))


@given(first=instants, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=800)))
def test_r15_within_is_exactly_up_to_twelve_calendar_months(first, gap):
    assert within_window(first, first + gap) is (first + gap <= add_months(first, 12))


def test_r14_one_no_show_is_a_warning_without_penalty():
    record = standing([JAN], JAN + timedelta(days=1))
    assert record.warned and not record.penalty
    assert penalty_decision(record, PenaltyMode.COOLDOWN, JAN, False).allowed


def test_r15_second_within_twelve_months_triggers_the_penalty():
    second = add_months(JAN, 12)
    record = standing([JAN, second], second)
    assert record.penalty and record.cooldown_until == add_months(second, 6)
    late = standing([JAN, second + timedelta(seconds=1)], second + timedelta(days=1))
    assert not late.penalty


def test_r15_cooldown_counts_six_months_from_the_most_recent():
    second = JAN + timedelta(days=40)
    record = standing([JAN, second], second + timedelta(days=1))
    until = add_months(second, 6)
    refused = penalty_decision(record, PenaltyMode.COOLDOWN, until - timedelta(seconds=1), False)
    assert not refused.allowed and refused.rule == "R15" and refused.not_before == until
    assert penalty_decision(record, PenaltyMode.COOLDOWN, until, False).allowed


def test_r15_fee_applies_to_the_next_session_once():
    second = JAN + timedelta(days=40)
    record = standing([JAN, second], second + timedelta(days=1))
    due = penalty_decision(record, PenaltyMode.FEE, second + timedelta(days=2), False)
    assert due.allowed and due.fee_required
    paid = penalty_decision(record, PenaltyMode.FEE, second + timedelta(days=2), True)
    assert paid.allowed and not paid.fee_required


def test_r16_rolling_window_counts_only_the_last_twelve_months():
    at = add_months(JAN, 13)
    record = standing([JAN, add_months(JAN, 2), add_months(JAN, 12)], at)
    assert record.recent == (add_months(JAN, 2), add_months(JAN, 12))


@given(shows=st.lists(instants, max_size=6), at=instants)
def test_r16_recent_are_exactly_those_within_the_window_before_now(shows, at):
    record = standing(shows, at)
    assert set(record.recent) == {s for s in shows if s <= at <= add_months(s, 12)}
