"""Free slots from weekly hours: zones, daylight saving, days off, busy times, the horizon."""

from datetime import UTC, date, datetime, time, timedelta

from academy.scheduling.slots import free_slots

WED = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
EVERY_DAY_9_TO_11 = [(d, time(9), time(11)) for d in range(7)]


def _slots(**kw):
    args = {
        "windows": EVERY_DAY_9_TO_11,
        "days_off": set(),
        "host_zone": "Europe/Bucharest",
        "duration": timedelta(minutes=60),
        "busy": [],
        "now": WED,
    }
    return free_slots(**{**args, **kw})


def test_slots_follow_the_hosts_wall_clock_and_never_start_in_the_past():
    slots = _slots()
    # Today 09:00-11:00 Bucharest (07:00-09:00 UTC) is past at 10:00 UTC.
    assert slots[0] == datetime(2026, 11, 26, 7, 0, tzinfo=UTC)
    assert slots[:3] == [
        datetime(2026, 11, 26, 7, 0, tzinfo=UTC),
        datetime(2026, 11, 26, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 26, 8, 0, tzinfo=UTC),
    ]
    assert all(s > WED for s in slots)


def test_slots_stop_at_the_six_week_horizon():
    assert max(_slots()) <= WED + timedelta(weeks=6)


def test_days_off_and_busy_times_are_skipped():
    tomorrow = date(2026, 11, 26)
    slots = _slots(days_off={tomorrow})
    assert all(s.date() != tomorrow for s in slots)
    busy = [(datetime(2026, 11, 27, 7, 30, tzinfo=UTC), datetime(2026, 11, 27, 8, 0, tzinfo=UTC))]
    slots = _slots(busy=busy)
    friday = [s for s in slots if s.date() == date(2026, 11, 27)]
    # 60-minute slots that would overlap 07:30-08:00 UTC are gone: 07:00 and 07:30.
    assert friday == [datetime(2026, 11, 27, 8, 0, tzinfo=UTC)]


def test_daylight_saving_moves_the_utc_time_not_the_local_one():
    """A New York host's 09:00 is 13:00 UTC on EDT (until 1 Nov 2026), 14:00 UTC on EST."""
    now = datetime(2026, 10, 29, 12, 0, tzinfo=UTC)
    slots = _slots(host_zone="America/New_York", now=now, duration=timedelta(hours=2))
    by_day = {s.date(): s for s in slots}
    assert by_day[date(2026, 10, 30)] == datetime(2026, 10, 30, 13, 0, tzinfo=UTC)  # EDT
    assert by_day[date(2026, 11, 2)] == datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # EST


def test_a_window_in_the_spring_forward_gap_starts_after_it():
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    # Bucharest skips 03:00-04:00 on 29 March 2026.
    slots = _slots(windows=[(6, time(3), time(5))], now=now, duration=timedelta(minutes=30))
    sunday = [s for s in slots if s.date() == date(2026, 3, 29)]
    assert sunday[0] == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 04:00 EEST


def test_busy_times_off_the_half_hour_block_the_slots_they_touch():
    """POLICY R7: a Kathmandu host (+05:45) has 1:1 hours on their own quarter hours; a
    workshop 05:00-06:00 UTC (10:45-11:45 local) blocks every slot it meets, compared as
    absolute intervals, not grid cells."""
    now = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    busy = [(datetime(2026, 11, 26, 5, 0, tzinfo=UTC), datetime(2026, 11, 26, 6, 0, tzinfo=UTC))]
    slots = _slots(host_zone="Asia/Kathmandu", now=now, busy=busy, duration=timedelta(minutes=30))
    thursday = [s for s in slots if s.date() == date(2026, 11, 26)]
    # 09:00-11:00 local is 03:15-05:15 UTC: the 30-minute slots from 04:45 on meet the workshop.
    assert thursday == [
        datetime(2026, 11, 26, 3, 15, tzinfo=UTC),
        datetime(2026, 11, 26, 3, 45, tzinfo=UTC),
        datetime(2026, 11, 26, 4, 15, tzinfo=UTC),
    ]
