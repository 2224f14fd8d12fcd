"""The home page and the language switcher."""

from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from academy.accounts import services as accounts
from academy.core.caching import visitor_page
from academy.core.clock import now
from academy.core.i18n import remember_language
from academy.core.security import safe_next
from academy.scheduling.access import facts_for, overview
from academy.scheduling.attendance import open_notice_id
from academy.scheduling.policy import CHANNEL_NAMES, standing_notice

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> str:
    if not current_user.is_authenticated:
        return visitor_page(lambda: render_template("main/index.html", names=CHANNEL_NAMES))
    channels = overview(current_user)
    notice, standing, restricted = None, None, None
    if not current_user.is_staff:
        # R5/R6: a restriction blocks several channels; say it once, at the top.
        restricted = next((d for _, d in channels if not d and d.rule in ("R5", "R6")), None)
        notice = open_notice_id(current_user)
        if notice is not None:  # R14/R15: what the record means now, with its dates
            standing = standing_notice(
                facts_for(current_user), now(), current_app.config["FEE_CURRENCY"]
            )
    return render_template(
        "main/index.html",
        channels=channels,
        names=CHANNEL_NAMES,
        notice=notice,
        standing=standing,
        restricted=restricted,
    )


@bp.route("/language", methods=["GET", "POST"])
def set_language() -> Response:
    """The footer switcher, remembered in this browser's language cookie. A visitor's is a
    GET form: it changes nothing stored, so it needs no CSRF token and hence no session, and
    visitor pages stay cacheable (issue 15). Logged in, it is a POST (CSRF-checked) that
    also saves the profile's language."""
    values = request.form if request.method == "POST" else request.args
    lang = values.get("language", "")
    response = redirect(safe_next(values.get("next")) or url_for(".index"))
    if lang in current_app.config["LANGUAGES"]:
        remember_language(response, lang)
        if request.method == "POST" and current_user.is_authenticated:
            accounts.set_language(current_user, lang)
    return response
