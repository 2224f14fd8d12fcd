"""POLICY R2: which channels a plan and seat count grant, as pure decisions."""

from hypothesis import given
from hypothesis import strategies as st

from academy.scheduling.policy import Channel, Grant, channel_decision

TABLE = [
    Grant("Starter", Channel.HELP, 1),
    Grant("Starter", Channel.EMAIL, 1),
    Grant("Pro", Channel.HELP, 1),
    Grant("Pro", Channel.SESSIONS, 2),
    Grant("Business", Channel.SESSIONS, 2),
]


def test_r2_plan_with_channel_and_enough_seats_is_allowed():
    d = channel_decision(Channel.SESSIONS, "Pro", 2, TABLE)
    assert d.allowed and d.rule == "R2"


def test_r2_same_plan_too_few_seats_names_the_seat_count():
    d = channel_decision(Channel.SESSIONS, "Pro", 1, TABLE)
    assert not d.allowed and d.rule == "R2"
    assert d.params == {"seats": 2}
    assert "%(seats)d or more users" in d.reason


def test_r2_plan_without_channel_names_the_plans_that_have_it():
    d = channel_decision(Channel.SESSIONS, "Starter", 10, TABLE)
    assert not d.allowed
    assert d.params == {"plans": ["Pro", "Business"]}


def test_r2_channel_on_no_plan_is_refused_with_a_reason():
    d = channel_decision(Channel.WORKSHOPS, "Pro", 5, TABLE)
    assert not d.allowed and d.reason


def test_r2_no_firm_is_refused():
    d = channel_decision(Channel.HELP, None, 0, TABLE)
    assert not d.allowed and d.rule == "R2"


@given(seats=st.integers(min_value=1, max_value=10_000), need=st.integers(1, 10_000))
def test_r2_seat_threshold_edge(seats: int, need: int):
    """Exactly `min_seats` users is enough; one fewer is not."""
    table = [Grant("P", Channel.CHAT, need)]
    assert channel_decision(Channel.CHAT, "P", seats, table).allowed is (seats >= need)
