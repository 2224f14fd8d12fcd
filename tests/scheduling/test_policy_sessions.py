"""POLICY R7-R10 as pure decisions, with the edges pinned by hypothesis."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from academy.scheduling.policy import (
    POLICY,
    booking_decision,
    change_decision,
    link_valid_until,
    outcome_decision,
    reminders,
)

START = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)
PHONE, NO_PHONE = {"email", "sms"}, {"email"}  # the channels that reach the attendee
H = timedelta(hours=1)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(UTC)
)
offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10))


# R10 ---------------------------------------------------------------------------------------------


def test_r10_exactly_24_hours_before_is_on_time():
    d = change_decision(START, START - 24 * H)
    assert d.allowed and not d.late and d.rule == "R10"


def test_r10_one_second_less_is_late_but_allowed():
    d = change_decision(START, START - 24 * H + timedelta(seconds=1))
    assert d.allowed and d.late
    assert "counts as a no-show" in d.reason and d.params == {"hours": 24}


def test_r10_after_the_start_nothing_can_change():
    assert not change_decision(START, START).allowed
    assert not change_decision(START, START + H).allowed


@given(start=instants, before=offsets)
def test_r10_late_exactly_when_notice_is_short(start, before):
    d = change_decision(start, start - before)
    if before == timedelta(0):
        assert not d.allowed
    else:
        assert d.allowed and d.late is (before < POLICY.notice)


@given(start=instants, before=offsets)
def test_r10_staff_changing_a_clients_session_is_never_late(start, before):
    """R10/R12 are about the client's own changes (issue 19, defect 2)."""
    d = change_decision(start, start - before, by_client=False)
    assert d.allowed is (before > timedelta(0)) and not d.late


# R12, R13 ----------------------------------------------------------------------------------------


def test_r13_no_show_and_interruption_only_after_five_unresponsive_minutes():
    """Issue 19, defect 3: 'interrupted' 20 s after the start, a no-show after 13 s."""
    for outcome in ("no_show", "interrupted"):
        for early in (timedelta(seconds=13), timedelta(seconds=20), timedelta(minutes=5)):
            d = outcome_decision(outcome, START, START + early)
            assert not d.allowed and d.rule == "R13" and d.params == {"minutes": 5}
        assert outcome_decision(outcome, START, START + timedelta(minutes=5, seconds=1))
    assert outcome_decision("attended", START, START)
    assert not outcome_decision("attended", START, START - timedelta(seconds=1))


# R8 ----------------------------------------------------------------------------------------------


def test_r8_all_reminders_for_an_early_booking():
    planned = reminders(START, START - timedelta(days=7), PHONE)
    assert [(r.channel, START - r.due_at) for r in planned] == [
        ("email", 48 * H),
        ("email", 24 * H),
        ("email", H),
        ("sms", timedelta(minutes=30)),
    ]
    assert len({r.key for r in planned}) == 4


def test_r8_no_sms_without_a_phone():
    assert all(r.channel == "email" for r in reminders(START, START - 72 * H, NO_PHONE))


def test_r8_a_reminder_whose_time_has_passed_is_not_sent_late():
    planned = reminders(START, START - 30 * H, NO_PHONE)
    assert [START - r.due_at for r in planned] == [24 * H, H]
    # Booked exactly at a reminder's time: that reminder is already due, so it is skipped.
    assert [START - r.due_at for r in reminders(START, START - 24 * H, NO_PHONE)] == [H]


@given(start=instants, before=offsets, phone=st.booleans())
def test_r8_reminders_are_always_after_booking_and_before_the_start(start, before, phone):
    booked = start - before
    for r in reminders(start, booked, PHONE if phone else NO_PHONE):
        assert booked < r.due_at < start


# R7 / R9 -----------------------------------------------------------------------------------------


def test_r7_booking_only_in_the_future_and_within_the_horizon():
    now = START - 24 * H
    assert booking_decision(START, now).allowed
    assert not booking_decision(now, now).allowed
    too_far = now + POLICY.booking_horizon + timedelta(minutes=1)
    d = booking_decision(too_far, now)
    assert not d.allowed and d.params == {"weeks": 6}


def test_r9_links_work_until_the_start():
    assert link_valid_until(START) == START
