"""Free 1:1 slots from hosts' weekly hours, days off and what is already booked.

`free_slots` is pure (plain values in, instants out) so that DST and edge cases are easy
to test; `load_slots` gathers its inputs for some hosts in a fixed number of queries.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, select

from academy.accounts.models import User
from academy.core.sql import rows
from academy.extensions import db
from academy.scheduling.models import (
    AvailabilityWindow,
    DayOff,
    Occurrence,
    OccurrenceStatus,
    Offering,
)
from academy.scheduling.policy import POLICY, Policy, booking_decision


@dataclass(frozen=True)
class Slot:
    host_id: int
    host_name: str
    starts_at: datetime
    ends_at: datetime


LONGEST_SESSION = timedelta(days=1)


def overlaps(start: datetime, end: datetime, busy: list[tuple[datetime, datetime]]) -> bool:
    """Does [start, end) meet one of a host's `busy` intervals? Absolute instants, so a host's
    1:1 hours in Asia/Kathmandu (+05:45) and a workshop at 10:00 UTC compare right (R7).

    `busy` is sorted and its intervals do not overlap one another (the database refuses
    overlapping occurrences of a host), so the last one starting before `end` is the only
    one that can reach past `start`."""
    i = bisect_left(busy, (end,))
    return i > 0 and busy[i - 1][1] > start


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """Wall-clock time in `zone` as an instant; a time skipped by DST moves forward."""
    naive = datetime.combine(day, at)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:  # in the spring-forward gap
        aware = (naive + timedelta(hours=1)).replace(tzinfo=zone)
    return aware.astimezone(UTC)


def free_slots(
    *,
    windows: Iterable[tuple[int, time, time]],
    days_off: set[date],
    host_zone: str,
    duration: timedelta,
    busy: list[tuple[datetime, datetime]],
    now: datetime,
    since: datetime | None = None,
    until: datetime | None = None,
    policy: Policy = POLICY,
) -> list[datetime]:
    """Start instants (UTC) of free slots of `duration` for one host, from now to the horizon,
    and within [since, until) when given (a page shows one week: only that week is computed).
    `busy`: the host's scheduled sessions as (start, end) instants, sorted."""
    zone = ZoneInfo(host_zone)
    by_weekday: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, start, end in windows:
        by_weekday[weekday].append((start, end))
    since = max(since or now, now)
    until = min(until or now + policy.booking_horizon, now + policy.booking_horizon + timedelta(1))
    first = (since - timedelta(days=1)).astimezone(zone).date()
    last = until.astimezone(zone).date()
    result: list[datetime] = []
    day = first
    while day <= last:
        if day not in days_off:
            for start, end in sorted(by_weekday.get(day.weekday(), ())):
                t, stop = local_instant(day, start, zone), local_instant(day, end, zone)
                while t + duration <= stop:
                    if (
                        since <= t < until
                        and booking_decision(t, now, policy).allowed
                        and not overlaps(t, t + duration, busy)
                    ):
                        result.append(t)
                    t += policy.slot_grid
        day += timedelta(days=1)
    return sorted(set(result))


# The four statements of `load_slots`, built once: building a statement anew (columns,
# operators, the cache key) cost as much as running it.
_WINDOWS = select(
    AvailabilityWindow.host_id,
    AvailabilityWindow.weekday,
    AvailabilityWindow.start_time,
    AvailabilityWindow.end_time,
)
_WINDOWS_OF = _WINDOWS.where(AvailabilityWindow.host_id.in_(bindparam("hosts", expanding=True)))
# Entities: booking asks the session for the host next (`db.session.get`), from memory.
_HOSTS = select(User).where(User.id.in_(bindparam("hosts", expanding=True)))
_DAYS_OFF = select(DayOff.host_id, DayOff.day).where(
    DayOff.host_id.in_(bindparam("hosts", expanding=True)), DayOff.day >= bindparam("first_day")
)
_BUSY = (
    select(Occurrence.host_id, Occurrence.starts_at, Occurrence.ends_at)
    .where(
        Occurrence.host_id.in_(bindparam("hosts", expanding=True)),
        Occurrence.status == OccurrenceStatus.SCHEDULED,
        Occurrence.ends_at > bindparam("now"),
        # A lower bound on starts_at lets the (host_id, starts_at) index skip the host's
        # past; nothing is booked for longer than a day (forms stop at 8 hours), and the
        # host-time constraint of the database refuses an overlap anyway.
        Occurrence.starts_at > bindparam("after"),
        Occurrence.starts_at < bindparam("horizon"),
    )
    .order_by(Occurrence.host_id, Occurrence.starts_at)
)


def load_slots(
    offering: Offering,
    now: datetime,
    host_ids: list[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    policy: Policy = POLICY,
) -> list[Slot]:
    """Free slots of `offering` starting in [since, until) (default: now to the horizon), for
    all hosts with weekly hours (or the given ones).

    Four queries whatever the number of hosts, weeks or bookings.
    """
    windows = (rows(_WINDOWS) if host_ids is None else rows(_WINDOWS_OF, {"hosts": host_ids})).all()
    hosts = {w.host_id for w in windows}
    if not hosts:
        return []
    users = {u.id: u for u in db.session.scalars(_HOSTS, {"hosts": list(hosts)})}
    offs: dict[int, set[date]] = defaultdict(set)
    for host_id, day in rows(
        _DAYS_OFF, {"hosts": list(hosts), "first_day": (now - timedelta(days=1)).date()}
    ):
        offs[host_id].add(day)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for host_id, start, end in rows(
        _BUSY,
        {
            "hosts": list(hosts),
            "now": now,
            "after": now - LONGEST_SESSION,
            "horizon": now + policy.booking_horizon + timedelta(days=1),
        },
    ):
        busy[host_id].append((start, end))
    duration = timedelta(minutes=offering.duration_minutes)
    slots = [
        Slot(host_id, users[host_id].name, start, start + duration)
        for host_id in sorted(hosts)
        for start in free_slots(
            windows=[
                (w.weekday, w.start_time, w.end_time) for w in windows if w.host_id == host_id
            ],
            days_off=offs[host_id],
            host_zone=users[host_id].timezone,
            duration=duration,
            busy=busy[host_id],
            now=now,
            since=since,
            until=until,
            policy=policy,
        )
    ]
    return sorted(slots, key=lambda s: (s.starts_at, s.host_name))
