"""Response headers every page carries, and role checks at the edge (ARCHITECTURE 8)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, request, session
from flask_login import current_user, login_required

F = TypeVar("F", bound=Callable[..., Any])

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def install_headers(app: Flask) -> None:
    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if app.config.get("PREFERRED_URL_SCHEME") == "https":
            hsts = "max-age=31536000"
            if app.config.get("HSTS_INCLUDE_SUBDOMAINS"):
                hsts += "; includeSubDomains"
            response.headers.setdefault("Strict-Transport-Security", hsts)
        if request.endpoint != "static" and "_user_id" in session:
            # A page for a logged-in person is never kept by the browser or a proxy: not in
            # the back/forward cache after logout, not on a shared computer (ASVS 8.2.1).
            response.headers["Cache-Control"] = "no-store"
        return response


def not_activity(view: F) -> F:
    """Mark a view that the page itself calls on a timer (a CSRF token refresh), not the
    person: its requests do not keep an idle session alive (academy.accounts.sessions)."""
    view.not_activity = True  # type: ignore[attr-defined]
    return view


def is_activity(endpoint: str | None) -> bool:
    view = current_app.view_functions.get(endpoint or "")
    return not getattr(view, "not_activity", False)


def _requires(check: Callable[[Any], bool]) -> Callable[[F], F]:
    """A decorator: logged in (else the login page), and `check(user)` (else a 403 page)."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not check(current_user):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


staff_required = _requires(lambda user: user.is_staff)  # staff and admins
admin_required = _requires(lambda user: user.is_admin)


def safe_next(target: str | None) -> str | None:
    """A `next=` target only if it is a path on this site (no scheme, no host, no `//`)."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def same_origin() -> bool:
    """Whether this request was sent by a page of this site, by the headers browsers set and a
    page cannot (Fetch Metadata, else Origin, else Referer): the CSRF check of a form that a
    visitor sends without a session, hence without a token (OWASP's "verifying origin with
    standard headers"). A request that carries none of them is refused."""
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in ("same-origin", "none")
    base = urlsplit(current_app.config["BASE_URL"])
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value:
            sent = urlsplit(value)
            return (sent.scheme, sent.netloc) == (base.scheme, base.netloc)
    return False
