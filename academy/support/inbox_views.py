"""Support inbox pages (POLICY R1, R3): clients open requests and follow their thread; staff
answer them by deadline. Routes live on the support blueprint (academy.support.views)."""

from __future__ import annotations

from datetime import timedelta

from babel.dates import format_timedelta
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from academy.accounts.models import Role, User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import paginate
from academy.core.params import to_id
from academy.core.security import staff_required
from academy.core.text import download_name
from academy.core.timezones import viewer_timezone
from academy.extensions import db
from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel, ResponseClock, response_clock
from academy.support import inbox as services
from academy.support.forms import ReplyForm, RequestForm, RequestSettingsForm, StaffReplyForm
from academy.support.models import RequestStatus, SupportAttachment, SupportMessage, SupportRequest
from academy.support.views import bp


def duration(delta: timedelta) -> str:
    """'3 hours', '2 days' in the viewer's language (the sign is said by the caller)."""
    return format_timedelta(
        abs(delta), granularity="minute", threshold=1.5, locale=str(get_locale() or "en")
    )


def clock_of(item: SupportRequest) -> ResponseClock:
    return response_clock(item.received_at, item.first_response_at, now())  # POLICY R3


HELPERS = {"clock_of": clock_of, "duration": duration}


def _thread(request_id: int) -> SupportRequest:
    return db.session.scalar(
        select(SupportRequest)
        .options(
            selectinload(SupportRequest.user),
            selectinload(SupportRequest.assignee),
            selectinload(SupportRequest.messages).selectinload(SupportMessage.author),
            selectinload(SupportRequest.messages).selectinload(SupportMessage.attachments),
        )
        .where(SupportRequest.id == request_id)
    ) or abort(404)


def _own(request_id: int) -> SupportRequest:
    """A client's own request; someone else's is a 404 (staff see every one)."""
    item = _thread(request_id)
    if not current_user.is_staff and item.user_id != current_user.id:
        abort(404)
    return item


# --- Clients ----------------------------------------------------------------------------------


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
            flash(_("Your request is sent. We answer within 24 hours."), "success")
            return redirect(url_for(".request_page", request_id=item.id))
    return render_template("support/new_request.html", form=form, decision=decision)


@bp.route("/support/requests/<int:request_id>", methods=["GET", "POST"])
@login_required
def request_page(request_id: int) -> str | Response:
    item = _own(request_id)
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


# --- Staff -------------------------------------------------------------------------------------


def _staff_choices() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.id, User.name)
        .where(User.role.in_([Role.STAFF, Role.ADMIN]))
        .order_by(User.name)
    )
    return [(str(i), n) for i, n in rows]


@bp.get("/staff/inbox")
@staff_required
def inbox() -> str:
    status = request.args.get("status", "open")
    assignee = request.args.get("assignee", "")
    q = query_text()
    query = select(SupportRequest).options(
        selectinload(SupportRequest.user), selectinload(SupportRequest.assignee)
    )
    if status in set(RequestStatus):
        query = query.where(SupportRequest.status == status)
    elif status == "unmatched":
        query = query.where(SupportRequest.user_id.is_(None))
    if assignee == "me":
        query = query.where(SupportRequest.assignee_id == current_user.id)
    elif assignee == "none":
        query = query.where(SupportRequest.assignee_id.is_(None))
    if q:
        like = f"%{q}%"
        query = query.where(
            SupportRequest.subject.ilike(like) | SupportRequest.from_email.ilike(like)
        )
    # POLICY R3: those still waiting for a first response first, nearest deadline first.
    query = query.order_by(
        SupportRequest.first_response_at.is_not(None),
        SupportRequest.first_response_due_at,
        SupportRequest.id,
    )
    waiting = db.session.scalar(
        select(func.count(SupportRequest.id)).where(
            SupportRequest.first_response_at.is_(None),
            SupportRequest.status.in_([RequestStatus.OPEN, RequestStatus.PENDING]),
        )
    )
    return render_template(
        "support/inbox.html",
        page=paginate(query),
        status=status,
        assignee=assignee,
        q=q,
        waiting=waiting,
        **HELPERS,
    )


@bp.route("/staff/inbox/<int:request_id>", methods=["GET", "POST"])
@staff_required
def staff_request(request_id: int) -> str | Response:
    item = _thread(request_id)
    form = StaffReplyForm(prefix="reply")
    settings = (
        RequestSettingsForm(
            prefix="set",
            status=item.status,
            assignee=str(item.assignee_id or ""),
            client_email=item.user.email if item.user else "",
        )
        if request.method == "GET"
        else RequestSettingsForm(prefix="set")
    )
    settings.assignee.choices = [("", _("Nobody")), *_staff_choices()]
    if "reply-body" in request.form and form.validate_on_submit():
        try:
            services.staff_reply(
                item,
                by=current_user,
                body=form.body.data,
                status=RequestStatus(form.status.data),
                uploads=form.attachments.data or [],
            )
        except DomainError as error:
            show_error(form, error)
        else:
            flash(_("Your reply is sent to the client."), "success")
            return redirect(url_for(".staff_request", request_id=item.id))
    elif "set-status" in request.form and settings.validate_on_submit():
        assignee_id = to_id(settings.assignee.data)
        assignee = db.session.get(User, assignee_id) if assignee_id else None
        client = None
        if email := (settings.client_email.data or "").strip().lower():
            client = db.session.scalar(select(User).where(func.lower(User.email) == email))
            if client is None:
                settings.client_email.errors = [_("No account has this email address.")]
        if not settings.client_email.errors:
            try:
                services.update_request(
                    item,
                    status=RequestStatus(settings.status.data),
                    assignee=assignee,
                    client=client,
                )
            except DomainError as error:
                show_error(settings, error)
            else:
                flash(_("Saved."), "success")
                return redirect(url_for(".staff_request", request_id=item.id))
    return render_template(
        "support/staff_request.html", item=item, form=form, settings=settings, **HELPERS
    )


@bp.get("/staff/inbox/dashboard")
@staff_required
def dashboard() -> str:
    return render_template(
        "support/dashboard.html", stats=services.dashboard(viewer_timezone()), **HELPERS
    )
