"""A host's weekly hours and days off: when 1:1 slots are offered."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select

from academy.accounts.models import User
from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.models import AvailabilityWindow, DayOff, Occurrence, OccurrenceStatus


def weekly_hours(host: User) -> list[AvailabilityWindow]:
    return list(
        db.session.scalars(
            select(AvailabilityWindow)
            .where(AvailabilityWindow.host_id == host.id)
            .order_by(AvailabilityWindow.weekday, AvailabilityWindow.start_time)
        )
    )


def set_weekly_hours(host: User, windows: Iterable[tuple[int, time, time]]) -> None:
    """Replace the host's weekly hours: (weekday, start, end) in their own zone. Sessions
    already booked stay; new slots follow the new hours."""
    db.session.execute(delete(AvailabilityWindow).where(AvailabilityWindow.host_id == host.id))
    db.session.add_all(
        AvailabilityWindow(host_id=host.id, weekday=day, start_time=start, end_time=end)
        for day, start, end in windows
    )
    db.session.commit()


def set_meeting_room(host: User, url: str) -> None:
    """The video room the host's 1:1 sessions use from now on."""
    host.meeting_url = url.strip()
    db.session.commit()


def days_off_ahead(host: User) -> list[DayOff]:
    today = now().astimezone(ZoneInfo(host.timezone)).date()
    return list(
        db.session.scalars(
            select(DayOff)
            .where(DayOff.host_id == host.id, DayOff.day >= today)
            .order_by(DayOff.day)
        )
    )


def own_day_off(host: User, day_off_id: int) -> DayOff | None:
    return db.session.scalar(
        select(DayOff).where(DayOff.id == day_off_id, DayOff.host_id == host.id)
    )


def remove_day_off(item: DayOff) -> None:
    db.session.delete(item)
    db.session.commit()


def add_day_off(host: User, day: date, reason: str | None) -> list[Occurrence]:
    """No new slots on `day` (in the host's zone). Sessions already booked that day stay as
    they are; they are returned, so the host is told and can move or cancel them."""
    exists = db.session.scalar(select(DayOff).where(DayOff.host_id == host.id, DayOff.day == day))
    if exists is None:
        db.session.add(DayOff(host_id=host.id, day=day, reason=(reason or "").strip()))
        db.session.commit()
    zone = ZoneInfo(host.timezone)
    start = datetime.combine(day, time(0), zone)
    return list(
        db.session.scalars(
            select(Occurrence)
            .where(
                Occurrence.host_id == host.id,
                Occurrence.status == OccurrenceStatus.SCHEDULED,
                Occurrence.starts_at < start + timedelta(days=1),
                Occurrence.ends_at > start,
            )
            .order_by(Occurrence.starts_at)
        )
    )
