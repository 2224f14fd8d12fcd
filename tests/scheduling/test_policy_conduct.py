"""POLICY R4-R6 as pure decisions."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from academy.scheduling.policy import (
    ActiveRestriction,
    Channel,
    Measure,
    measure_decision,
    restriction_decision,
    review_decision,
)

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)


def test_r4_the_reporter_cannot_review():
    assert not review_decision(7, 7) and review_decision(7, 8)


def test_r5_a_temporary_restriction_needs_a_future_end():
    assert not measure_decision(Measure.TEMPORARY, None, NOW)
    assert not measure_decision(Measure.TEMPORARY, NOW, NOW)
    assert measure_decision(Measure.TEMPORARY, NOW + timedelta(days=1), NOW)
    assert measure_decision(Measure.PERMANENT, None, NOW)


def test_r6_blocks_booking_registering_and_requests_but_not_reading():
    temp = [ActiveRestriction(False, NOW + timedelta(days=30))]
    for channel in (Channel.SESSIONS, Channel.WORKSHOPS, Channel.EMAIL, Channel.CHAT):
        d = restriction_decision(channel, temp, False, NOW)
        assert not d and d.rule == "R6" and d.params == {"date": NOW + timedelta(days=30)}
    for channel in (Channel.HELP, Channel.ACADEMY, Channel.RESOURCES):
        assert restriction_decision(channel, temp, False, NOW)


@given(days=st.integers(min_value=-400, max_value=400))
def test_r6_a_temporary_restriction_ends_by_itself_at_its_date(days):
    until = NOW + timedelta(days=days)
    blocked = not restriction_decision(
        Channel.SESSIONS, [ActiveRestriction(False, until)], False, NOW
    )
    assert blocked is (until > NOW)


def test_r5_ended_subscription_blocks_everything():
    d = restriction_decision(Channel.HELP, [], True, NOW)
    assert not d and d.rule == "R5"
