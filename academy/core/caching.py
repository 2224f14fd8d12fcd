"""Visitor pages from memory, and the HTTP caching headers that let browsers keep them.

A visitor (a browser with no session cookie: not logged in, no message waiting, no vote
remembered) sees the same page as every other visitor with the same language. Such a page is
rendered once per worker and kept a few minutes (`VISITOR_PAGE_SECONDS`), under a key made of
its language, its URL and the version counters of what it shows (academy.core.versions): a
staff edit changes the version, so the next visitor gets the new page at once, in every
worker. A page whose content changes without an edit (seats left in a workshop listing) passes
a shorter time and no version.

Everyone else (logged in, or holding a session for any reason) gets the page rendered for
them, as always, with `Cache-Control: no-store` when logged in (core.security).

A cached page is also sent with `Cache-Control: public, max-age`, an ETag, and answers a
conditional request with 304 (issue 15).

Parts of pages are kept too, with `{% cache %}` (Flask-Caching's fragments, keyed on what
they show). A kept part that holds a form leaves slots for what is the request's own, the
session's CSRF token and the page's own address, and `filled` puts them in (the layout's
account menu and footer, kept for every logged-in viewer alike). A list's rows are kept under
`fragment_key` of what they are made from (workshop dates, a week of free times, the course
cards, the staff schedule and triage).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Flask, Response, current_app, g, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape

from academy.core.versions import versions_of
from academy.extensions import pages


def is_visitor_request() -> bool:
    """A GET from a browser with no session cookie at all."""
    if request.method not in ("GET", "HEAD") or current_user.is_authenticated:
        return False
    app = current_app
    return app.session_interface.get_cookie_name(app) not in request.cookies  # type: ignore[arg-type]


def visitor_page(
    render: Callable[[], str], *, versions: tuple[str, ...] = (), seconds: int | None = None
) -> str:
    """`render()`'s page, from memory for a visitor (see the module's docstring). A page that
    turned out to need the session (a form's CSRF token, a message) is not kept."""
    seconds = current_app.config["VISITOR_PAGE_SECONDS"] if seconds is None else seconds
    if seconds <= 0 or not is_visitor_request():
        return render()
    counters = versions_of(versions) if versions else {}
    key = "|".join(
        [
            "page",
            str(get_locale()),
            request.full_path,
            *(f"{n}={counters.get(n)}" for n in versions),
        ]
    )
    html = pages.get(key)
    if html is None:
        html = render()
        if session.modified or session:
            return html
        pages.set(key, html, timeout=seconds)
    g.public_seconds = seconds
    return html


def install_conditional(app: Flask) -> None:
    @app.after_request
    def _public(response: Response) -> Response:
        seconds = g.get("public_seconds")
        if seconds is None or response.status_code != 200 or session.modified or session:
            return response
        response.cache_control.public = True
        response.cache_control.max_age = seconds
        response.vary.add("Cookie")  # a session cookie means another page
        response.vary.add("Accept-Language")
        response.add_etag()
        return response.make_conditional(request)


def fragment_key(*parts: object) -> str:
    """A `{% cache %}` key standing for everything a kept fragment is made from: a digest of
    their repr (rows of plain values: tuples, numbers, strings, dates). A change in any of
    them is a new key, so a kept list is never stale; the old one ages out (its timeout)."""
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


# The slots of a kept fragment (`{{ csrf_slot }}`, `{{ here_slot }}` in a template).
CSRF_SLOT = "__csrf_token_slot__"
HERE_SLOT = "__this_page_slot__"


def filled(html: str) -> Markup:
    """A kept fragment with its slots filled: the session's CSRF token (made only if the
    fragment has a form that needs it: a visitor's page must not start a session) and this
    page's path with its query, escaped."""
    text = str.__str__(html)  # plain text: Markup.replace would escape what it puts in itself
    if CSRF_SLOT in text:
        text = text.replace(CSRF_SLOT, str(escape(generate_csrf())))
    if HERE_SLOT in text:
        here = request.full_path if request.query_string else request.path
        text = text.replace(HERE_SLOT, str(escape(here)))
    return Markup(text)  # noqa: S704 - our own rendered template, what it puts in escaped
