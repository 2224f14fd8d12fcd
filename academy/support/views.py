"""Support inbox pages for clients (POLICY R1, R3): open a request, follow its thread."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from academy.core.errors import DomainError
from academy.core.forms import show_error
from academy.core.pagination import paginate
from academy.core.text import download_name
from academy.extensions import db
from academy.scheduling.access import can_use
from academy.scheduling.policy import POLICY, Channel
from academy.support import services
from academy.support.blueprint import HELPERS, bp, own_request
from academy.support.forms import ReplyForm, RequestForm
from academy.support.models import SupportAttachment, SupportRequest


@bp.get("/support/requests")
@login_required
def my_requests() -> str:
    page = paginate(
        select(SupportRequest)
        .where(SupportRequest.user_id == current_user.id)
        .order_by(SupportRequest.updated_at.desc(), SupportRequest.id.desc())
    )
    return render_template("support/my_requests.html", page=page, **HELPERS)


@bp.route("/support/requests/new", methods=["GET", "POST"])
@login_required
def new_request() -> str | Response:
    decision = can_use(current_user, Channel.EMAIL)  # POLICY R2, R6
    form = RequestForm()
    if decision and form.validate_on_submit():
        try:
            item = services.open_request(
                current_user, form.subject.data, form.body.data, form.attachments.data or []
            )
        except DomainError as error:
            show_error(form, error)
        else:
            hours = int(POLICY.first_response.total_seconds() // 3600)  # R3
            flash(
                _("Your request is sent. We answer within %(hours)d hours.", hours=hours), "success"
            )
            return redirect(url_for(".request_page", request_id=item.id))
    return render_template("support/new_request.html", form=form, decision=decision)


@bp.route("/support/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_page(request_id: int) -> str | Response:
    item = own_request(request_id)
    if current_user.is_staff:
        return redirect(url_for(".staff_request", request_id=item.id))
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            services.client_reply(item, current_user, form.body.data, form.attachments.data or [])
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Your reply is sent."), "success")
            return redirect(url_for(".request_page", request_id=item.id, _anchor="reply"))
    return render_template("support/request.html", item=item, form=form, **HELPERS)


@bp.get("/support/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int) -> Response:
    file = db.session.get(SupportAttachment, attachment_id) or abort(404)
    owner = db.session.scalar(
        select(SupportRequest.user_id).where(SupportRequest.id == file.request_id)
    )
    if not current_user.is_staff and owner != current_user.id:
        abort(404)
    path = services.attachment_dir() / file.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=file.content_type,
        as_attachment=True,
        download_name=download_name(file.filename, fallback=file.stored_name),
    )
