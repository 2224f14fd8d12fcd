"""The workshops blueprint, and what its client and staff pages share.

Client pages are academy.workshops.views, staff pages academy.workshops.staff_views.
"""

from __future__ import annotations

from flask import Blueprint, abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.extensions import db
from academy.scheduling.models import (
    Occurrence,
    OfferingKind,
)
from academy.workshops.forms import (
    LEVELS,
    PRODUCT_AREAS,
    label_of,
)

bp = Blueprint("workshops", __name__)


@bp.app_template_global()
def level_label(value: str) -> str:
    return label_of(LEVELS, value)


@bp.app_template_global()
def area_label(value: str) -> str:
    return label_of(PRODUCT_AREAS, value)


def workshop_date(occurrence_id: int) -> Occurrence:
    occurrence = db.session.scalar(
        select(Occurrence)
        .where(Occurrence.id == occurrence_id)
        .options(selectinload(Occurrence.offering), selectinload(Occurrence.host))
    )
    if occurrence is None or occurrence.offering.kind != OfferingKind.WORKSHOP:
        abort(404)
    return occurrence
