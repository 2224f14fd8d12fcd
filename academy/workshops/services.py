"""Staff authoring of workshops (their dates, seats and registrations: scheduling.workshops)."""

from __future__ import annotations

from sqlalchemy import select

from academy.core.text import slugify
from academy.extensions import db
from academy.scheduling.models import Offering, OfferingKind


def _unique_slug(title: str, own_id: int | None) -> str:
    base = slugify(title, 70) or "workshop"
    taken = set(
        db.session.scalars(
            select(Offering.slug).where(Offering.slug.like(f"{base}%"), Offering.id != own_id)
        )
    )
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def save_workshop(
    offering: Offering | None,
    *,
    title: str,
    description: str,
    level: str,
    product_area: str,
    language: str,
    host_id: int,
    capacity: int,
    duration: int,
    meeting_url: str,
    active: bool,
) -> Offering:
    """Create (offering None) or edit a workshop. Its URL keeps the slug it was created with."""
    if offering is None:
        offering = Offering(kind=OfferingKind.WORKSHOP, slug=_unique_slug(title, None))
        db.session.add(offering)
    offering.title = title.strip()
    offering.description = description.strip()
    offering.level = level
    offering.product_area = product_area
    offering.language = language
    offering.host_id = host_id
    offering.capacity = capacity
    offering.duration_minutes = duration
    offering.meeting_url = meeting_url.strip()
    offering.active = active
    db.session.commit()
    return offering
