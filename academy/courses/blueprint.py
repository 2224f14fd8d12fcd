"""The Academy's blueprint, and what its page modules share.

Its routes live in views.py (courses, lessons, certificates), quiz_views.py (taking a quiz)
and staff_views.py (authoring); each imports `bp` from here, so none imports another, and
academy/__init__.py imports all three before registering it.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from academy.core.decisions import Decision
from academy.core.i18n import explain
from academy.courses import kinds
from academy.courses.forms import AREA_NAMES, LEVEL_NAMES
from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel

bp = Blueprint("courses", __name__)
bp.add_app_template_global(kinds.kind_of, "question_kind")


@bp.app_template_global("kind_macros")
def _kind_macros(name: str) -> Any:
    """A question kind's template as a module of its macros (`input`, `review`): templates
    show each question through it, `kind_macros(q.kind).input(...)`. The same module as an
    `{% import %}` without context gives, minus the import's lookups on every question of a
    page (issue 15)."""
    return current_app.jinja_env.get_template(kinds.kind_of(name).template).module


@bp.app_context_processor
def _names() -> dict[str, Any]:
    return _names_in(str(get_locale()))


@lru_cache(maxsize=16)
def _names_in(locale: str) -> dict[str, dict[str, str]]:
    """The levels' and product areas' names in one language (in the forms' order), translated
    once per process: a lazy name is translated again each time it is shown, twice per card
    of the catalogue (issue 15)."""
    return {
        "level_names": {value: str(label) for value, label in LEVEL_NAMES.items()},
        "area_names": {value: str(label) for value, label in AREA_NAMES.items()},
    }


def is_staff() -> bool:
    return bool(current_user.is_authenticated and current_user.is_staff)


def access() -> Decision:
    """POLICY R1/R2: the Academy is a support channel of the client's plan (staff bypass)."""
    return can_use(current_user, Channel.ACADEMY)


def wants_json() -> bool:
    """The quiz page's autosave asks with fetch() and wants JSON back, not a page."""
    return request.headers.get("X-Requested-With") == "fetch"


def refused(decision: Decision) -> Any:
    if wants_json():  # the quiz page's autosave: a message it can show
        return jsonify(saved=False, message=explain(decision)), 403
    return render_template("courses/refused.html", decision=decision), 403
