"""The staff page of every email the product sends, rendered with demo data in each language
(notifications.previews), so a wording change is read before it goes out."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user

from academy.notifications.previews import LANGUAGES, Rendered, all_previews, render

bp = Blueprint("emails", __name__, url_prefix="/staff/emails")

# The email's own HTML, shown in a sandboxed frame of the preview page: its inline styles
# (style-src 'unsafe-inline') and nothing else; framed by this site only.
FRAME_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


@bp.before_request
def _staff_only() -> None:
    # A page clients and visitors have no business knowing of: 404, not a login prompt.
    if not (current_user.is_authenticated and current_user.is_staff):
        abort(404)


def _rendered(name: str, language: str) -> Rendered:
    try:
        return render(name, language)
    except KeyError:
        abort(404)


@bp.get("/")
def index() -> str:
    return render_template(
        "staff/emails/index.html", previews=all_previews().values(), languages=LANGUAGES
    )


@bp.get("/<name>/<language>/")
def show(name: str, language: str) -> str:
    email = _rendered(name, language)
    context: dict[str, Any] = {"email": email, "preview": all_previews()[name]}
    return render_template("staff/emails/show.html", languages=LANGUAGES, **context)


@bp.get("/<name>/<language>.html")
def html(name: str, language: str) -> Response:
    response = Response(_rendered(name, language).html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAME_CSP
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response
