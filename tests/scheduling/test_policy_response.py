"""POLICY R3: the 24-hour first-response clock, as a pure function with injected times."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from academy.scheduling.policy import POLICY, Policy, response_clock

ARRIVED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_r3_the_deadline_is_24_hours_after_arrival():
    assert POLICY.first_response == timedelta(hours=24)
    clock = response_clock(ARRIVED, None, ARRIVED + timedelta(hours=5))
    assert clock.deadline == ARRIVED + timedelta(hours=24)
    assert clock.margin == timedelta(hours=19) and not clock.breached and not clock.responded


def test_r3_waiting_past_the_deadline_is_a_breach_and_says_how_late():
    clock = response_clock(ARRIVED, None, ARRIVED + timedelta(hours=26))
    assert clock.breached and clock.margin == -timedelta(hours=2)


def test_r3_the_first_reply_stops_the_clock():
    replied = ARRIVED + timedelta(hours=3)
    later = ARRIVED + timedelta(days=10)
    clock = response_clock(ARRIVED, replied, later)
    assert clock.responded and not clock.breached and clock.margin == timedelta(hours=21)
    late = response_clock(ARRIVED, ARRIVED + timedelta(hours=30), later)
    assert late.breached and late.margin == -timedelta(hours=6)


@given(st.integers(min_value=-10_000, max_value=10_000))
def test_r3_exactly_at_the_deadline_is_on_time(seconds):
    at = ARRIVED + POLICY.first_response + timedelta(seconds=seconds)
    assert response_clock(ARRIVED, at, at).breached is (seconds > 0)
    assert response_clock(ARRIVED, None, at).breached is (seconds > 0)


def test_r3_the_duration_comes_from_the_policy_object():
    clock = response_clock(ARRIVED, None, ARRIVED, Policy(first_response=timedelta(hours=8)))
    assert clock.deadline == ARRIVED + timedelta(hours=8)


def test_r3_a_waiting_request_is_soon_due_within_the_warning_and_not_after_it_is_late():
    due = ARRIVED + POLICY.first_response
    warning = POLICY.first_response_warning
    assert not response_clock(ARRIVED, None, due - warning).soon
    assert response_clock(ARRIVED, None, due - warning + timedelta(seconds=1)).soon
    assert response_clock(ARRIVED, None, due).soon  # exactly at the deadline: still on time
    assert not response_clock(ARRIVED, None, due + timedelta(seconds=1)).soon  # late instead
    assert not response_clock(ARRIVED, due - timedelta(minutes=1), due).soon  # answered
