"""Language selection and translation of policy decisions."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from babel.lists import format_list
from flask import Flask, Response, current_app, g, has_request_context, request
from flask_babel import get_locale, get_translations, gettext, refresh
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from academy.core.decisions import Decision
from academy.core.timezones import localtime, viewer_timezone

LANGUAGE_COOKIE = "language"
LANGUAGE_COOKIE_DAYS = 365


def remember_language(response: Response, language: str) -> None:
    """The footer switcher's choice, kept by this browser across logins (a plain preference
    cookie, not the session: choosing a language must not start a session)."""
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=LANGUAGE_COOKIE_DAYS * 86400,
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
        httponly=True,
        samesite="Lax",
    )


def chosen_language() -> str | None:
    """The footer switcher's choice in this browser, if it is one we speak."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in current_app.config["LANGUAGES"] else None


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
    chosen = chosen_language()
    if chosen:
        return chosen
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


def request_translations() -> Any:
    """Flask-Babel's translations for this request, found once per locale instead of on
    every `_()` of a template (a page has a hundred; each lookup walked the request context
    four times). Kept beside Flask-Babel's own locale, so force_locale() and refresh() (an
    email in its recipient's language, show_as) still switch it."""
    ctx = g.get("_flask_babel")  # Flask-Babel's per-request namespace
    if ctx is None:
        return get_translations()
    locale = getattr(ctx, "babel_locale", None)
    memo = getattr(ctx, "academy_translations", None)
    if memo is not None and locale is not None and memo[0] is locale:
        return memo[1]
    translations = get_translations()  # works the locale out (ctx.babel_locale) if needed
    ctx.academy_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


@pass_context
def _template_gettext(context: Any, message: str, **variables: Any) -> Any:
    """A template's `_()`: Jinja's newstyle gettext (the message translated, made Markup where
    the template escapes, always %-formatted, its variables escaped), in one call. Jinja's own
    `_` goes through two more context calls and a lookup for each of a page's hundred
    messages (issue 15)."""
    translations = request_translations()
    if not context.eval_ctx.autoescape:
        return translations.ugettext(message) % variables
    if not variables:  # most of them: the finished Markup is the same every time
        return _markup(translations, message)
    return Markup(translations.ugettext(message)) % variables  # noqa: S704 - our catalogue


@lru_cache(maxsize=4096)
def _markup(translations: Any, message: str) -> Markup:
    """A message without variables, translated and %-formatted as Markup, once per catalogue
    (one per language) and process."""
    return Markup(translations.ugettext(message)) % {}  # noqa: S704 - our own catalogue


def install_template_gettext(app: Flask) -> None:
    """Templates translate through request_translations() (same messages, same newstyle
    formatting and escaping as Flask-Babel's own callables)."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _template_gettext
