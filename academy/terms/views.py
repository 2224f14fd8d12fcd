"""The terms page, generated from the policy (POLICY R18, R19), accepting it, and publishing a
new version (staff)."""

from __future__ import annotations

from babel.dates import format_timedelta
from babel.lists import format_list
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from academy.core.caching import visitor_page
from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.security import safe_next, staff_required
from academy.extensions import db
from academy.scheduling.policy import reminder_offsets
from academy.terms import services
from academy.terms.forms import PublishTermsForm
from academy.terms.models import TermsAcceptance, TermsVersion

bp = Blueprint("terms", __name__)


@bp.get("/terms")
def terms_page() -> str:
    return visitor_page(_terms_page, versions=("terms", "plans"))


def _terms_page() -> str:
    version = services.current_version()
    accepted_at = None
    needs = False
    if current_user.is_authenticated and not current_user.is_staff and version is not None:
        accepted_at = db.session.scalar(
            select(TermsAcceptance.accepted_at).where(
                TermsAcceptance.user_id == current_user.id,
                TermsAcceptance.version_id == version.id,
            )
        )
        needs = accepted_at is None
    # In hours ("48 hours, 24 hours and 1 hour"), as the terms state them.
    reminders = [
        format_timedelta(b, granularity="hour", threshold=10**6, locale=str(get_locale() or "en"))
        for b in reminder_offsets("email")
    ]
    return render_template(
        "terms/terms.html",
        version=version,
        own=current_user.is_authenticated and not current_user.is_staff,
        reminder_text=format_list(reminders, locale=str(get_locale() or "en")),
        sms_minutes=int(reminder_offsets("sms")[0].total_seconds() // 60),
        needs_acceptance=needs,
        accepted_at=accepted_at,
        next_url=safe_next(request.args.get("next")) or "",
    )


@bp.post("/terms/accept")
@login_required
def accept_terms() -> Response:
    services.accept(current_user)
    flash(_("Thank you. You accepted the support terms."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for(".terms_page"))


@bp.route("/staff/terms", methods=["GET", "POST"])
@staff_required
def staff_terms() -> str | Response:
    form = PublishTermsForm()
    if form.validate_on_submit():
        try:
            services.publish(form.label.data, form.summary.data or "", current_user)
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("The new version is published."), "success")
            return redirect(url_for(".staff_terms"))
    versions = db.session.scalars(
        select(TermsVersion).order_by(TermsVersion.published_at.desc())
    ).all()
    return render_template("terms/staff.html", form=form, versions=versions)
