"""The home page and the language switcher."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from academy.core.security import safe_next
from academy.extensions import db
from academy.scheduling.access import can_use, overview
from academy.scheduling.models import Notice
from academy.scheduling.policy import CHANNEL_NAMES, Channel
from academy.sessions.forms import ConfirmForm

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    channels = overview(current_user) if current_user.is_authenticated else None
    notices, record = [], None
    if current_user.is_authenticated and not current_user.is_staff:
        notices = db.session.scalars(
            select(Notice)
            .where(Notice.user_id == current_user.id, Notice.dismissed_at.is_(None))
            .order_by(Notice.created_at.desc())
            .limit(3)
        ).all()
        if notices:  # R14/R15: say what the record means now
            record = can_use(current_user, Channel.SESSIONS)
    return render_template(
        "main/index.html",
        channels=channels,
        names=CHANNEL_NAMES,
        notices=notices,
        terms=record,
        confirm=ConfirmForm(),
    )


@bp.post("/language")
def set_language() -> Response:
    """The footer switcher: remembered in the session, and in the profile when logged in."""
    lang = request.form.get("language", "")
    if lang in current_app.config["LANGUAGES"]:
        session["language"] = lang
        if current_user.is_authenticated:
            current_user.language = lang
            db.session.commit()
    return redirect(safe_next(request.form.get("next")) or url_for(".index"))
