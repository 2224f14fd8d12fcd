"""Language selection and translation of policy decisions."""

from __future__ import annotations

from datetime import datetime

from babel.lists import format_list
from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale, gettext, refresh
from flask_login import current_user

from academy.core.decisions import Decision
from academy.core.timezones import localtime, viewer_timezone


def select_locale() -> str:
    """The language of the person the page is for (an emailed link's owner, see show_as),
    else the user's profile language, else the footer switcher's choice, else
    Accept-Language."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and dispatcher: callers use force_locale()
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    owner = g.get("page_owner")
    if owner is not None and owner.language in languages:
        return str(owner.language)
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return str(current_user.language)
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    return request.accept_languages.best_match(languages) or languages[0]


def explain(decision: Decision, tz: str | None = None) -> str:
    """The decision's reason in the current language, with its parameters filled in; dates in
    `tz` (an email passes its recipient's zone), else the viewer's."""
    if not decision.reason:
        return ""
    zone = tz or viewer_timezone()
    return gettext(decision.reason, **{k: _shown(v, zone) for k, v in decision.params.items()})


def _shown(value: object, zone: str) -> object:
    """A decision's parameter as a person reads it: lists joined, instants as local dates."""
    if isinstance(value, list | tuple):
        return format_list([str(v) for v in value], locale=get_locale() or "en")
    if isinstance(value, datetime):  # the day and the time, naming the zone, as everywhere
        return localtime(value, "long", tz=zone)
    return value


def show_as(owner: object) -> None:
    """Render this request in `owner`'s language and time zone: a page opened from a link
    emailed to them (change, cancel, rate), whoever's browser it is opened in."""
    g.page_owner = owner
    g.pop("_viewer_tz", None)
    refresh()  # Flask-Babel caches the locale and zone per request
