"""Language selection and translation of policy decisions."""

from __future__ import annotations

from babel.lists import format_list
from flask import current_app, has_request_context, request, session
from flask_babel import get_locale, gettext
from flask_login import current_user

from academy.scheduling.policy import Decision


def select_locale() -> str:
    """The user's profile language, else the footer switcher's choice, else Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and dispatcher: callers use force_locale()
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def explain(decision: Decision) -> str:
    """The decision's reason in the viewer's language, with its parameters filled in."""
    if not decision.reason:
        return ""
    params = {
        k: format_list(list(v), locale=get_locale() or "en") if isinstance(v, list | tuple) else v
        for k, v in decision.params.items()
    }
    return gettext(decision.reason, **params)
