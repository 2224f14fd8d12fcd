"""The workshops blueprint, and what its client and staff pages share.

Client pages are academy.workshops.views, staff pages academy.workshops.staff_views.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, abort
from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.extensions import db
from academy.scheduling.models import (
    Occurrence,
    OfferingKind,
)
from academy.workshops.forms import LEVELS, PRODUCT_AREAS

bp = Blueprint("workshops", __name__)


@lru_cache(maxsize=8)
def _labels(locale: str) -> tuple[dict[str, str], dict[str, str]]:
    # `locale` is the current one: the lazy labels are converted in it.
    return (
        {c.value: str(c.label) for c in LEVELS},
        {c.value: str(c.label) for c in PRODUCT_AREAS},
    )


def choice_labels() -> tuple[dict[str, str], dict[str, str]]:
    """({level: label}, {product area: label}) in the request's language, converted once per
    language and process: str() of a lazy label looks up its translation on every call, and
    the listing did it twice a row."""
    return _labels(str(get_locale() or "en"))


@bp.app_template_global()
def level_label(value: str) -> str:
    return choice_labels()[0].get(value, value)


@bp.app_template_global()
def area_label(value: str) -> str:
    return choice_labels()[1].get(value, value)


def workshop_date(occurrence_id: int) -> Occurrence:
    occurrence = db.session.scalar(
        select(Occurrence)
        .where(Occurrence.id == occurrence_id)
        .options(selectinload(Occurrence.offering), selectinload(Occurrence.host))
    )
    if occurrence is None or occurrence.offering.kind != OfferingKind.WORKSHOP:
        abort(404)
    return occurrence
