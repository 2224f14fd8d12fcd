"""A host's weekly hours and days off: when 1:1 slots are offered."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from academy.accounts.models import User
from academy.extensions import db
from academy.scheduling.models import DayOff, Occurrence, OccurrenceStatus


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
