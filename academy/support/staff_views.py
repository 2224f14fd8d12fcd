"""Support inbox pages for staff (POLICY R3): requests by deadline, answering, the dashboard."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased
from werkzeug.wrappers import Response

from academy.accounts.models import User
from academy.accounts.services import staff_choices
from academy.core.caching import fragment_key
from academy.core.errors import DomainError
from academy.core.forms import query_text, show_error
from academy.core.pagination import pageable, paginate_rows
from academy.core.params import to_id
from academy.core.security import staff_required
from academy.core.timezones import viewer_timezone
from academy.core.urls import UrlPattern
from academy.extensions import db
from academy.support import services
from academy.support.blueprint import (
    DASHBOARD_PANELS,
    HELPERS,
    bp,
    clock_face,
    clock_of,
    thread,
)
from academy.support.forms import RequestSettingsForm, StaffReplyForm
from academy.support.models import RequestStatus, SupportRequest


class InboxRow(NamedTuple):
    """One request of the inbox list: what the table and its R3 clock show."""

    id: int
    subject: str
    source: str
    from_email: str
    status: str
    received_at: datetime
    first_response_at: datetime | None
    user_id: int | None
    user_name: str | None
    assignee_name: str | None


_CLIENT = aliased(User, name="client")
_ASSIGNEE = aliased(User, name="assignee")
# The inbox as rows of plain columns with the client and assignee joined, built once:
# entities and a selectinload of each row's two users were most of the page (issue 15).
_INBOX = (
    select(
        SupportRequest.id,
        SupportRequest.subject,
        SupportRequest.source,
        SupportRequest.from_email,
        SupportRequest.status,
        SupportRequest.received_at,
        SupportRequest.first_response_at,
        SupportRequest.user_id,
        _CLIENT.name,
        _ASSIGNEE.name,
    )
    .outerjoin(_CLIENT, _CLIENT.id == SupportRequest.user_id)
    .outerjoin(_ASSIGNEE, _ASSIGNEE.id == SupportRequest.assignee_id)
)
_WAITING = select(func.count(SupportRequest.id)).where(
    SupportRequest.first_response_at.is_(None),
    SupportRequest.status.in_([RequestStatus.OPEN, RequestStatus.PENDING]),
)


@lru_cache(maxsize=32)
def _inbox(status: str, assignee: str, search: bool) -> Select[Any]:
    """The inbox with its filters, built once per combination (params: status, assignee_id,
    like; pageable): building and keying it anew was a twentieth of the page (issue 15).
    `status` is a RequestStatus, "unmatched" or "" (all); `assignee` is "me", "none" or ""."""
    query = _INBOX
    if status == "unmatched":
        query = query.where(SupportRequest.user_id.is_(None))
    elif status:
        query = query.where(SupportRequest.status == bindparam("status"))
    if assignee == "me":
        query = query.where(SupportRequest.assignee_id == bindparam("assignee_id"))
    elif assignee == "none":
        query = query.where(SupportRequest.assignee_id.is_(None))
    if search:
        like = bindparam("like")
        query = query.where(
            SupportRequest.subject.ilike(like) | SupportRequest.from_email.ilike(like)
        )
    # POLICY R3: those still waiting for a first response first, nearest deadline first.
    return pageable(
        query.order_by(
            SupportRequest.first_response_at.is_not(None),
            SupportRequest.first_response_due_at,
            SupportRequest.id,
        )
    )


@bp.get("/staff/inbox")
@staff_required
def inbox() -> str:
    status = request.args.get("status", "open")
    assignee = request.args.get("assignee", "")
    q = query_text()
    params: dict[str, object] = {"status": status, "assignee_id": current_user.id}
    if q:
        params["like"] = f"%{q}%"
    statement = _inbox(
        status if status in set(RequestStatus) or status == "unmatched" else "",
        assignee if assignee in ("me", "none") else "",
        bool(q),
    )
    page = paginate_rows(statement, params, make=InboxRow)
    clocks = [clock_of(row) for row in page.items]  # POLICY R3
    return render_template(
        "support/inbox.html",
        page=page,
        rows=list(zip(page.items, clocks, strict=True)),
        # Kept rendered under a digest of the rows and of what their clocks say (core.caching).
        rows_key=fragment_key((page.items, [clock_face(c) for c in clocks])),
        status=status,
        assignee=assignee,
        q=q,
        waiting=db.session.scalar(_WAITING),
        request_url=UrlPattern(".staff_request", "request_id"),
        **HELPERS,
    )


@bp.route("/staff/inbox/<int:request_id>", methods=["GET", "POST"])
@staff_required
def staff_request(request_id: int) -> str | Response:
    item = thread(request_id)
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
    settings.assignee.choices = [("", _("Nobody")), *staff_choices()]
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
    zone = viewer_timezone()
    panels = [(template, figures(zone)) for template, figures in DASHBOARD_PANELS.values()]
    return render_template(
        "support/dashboard.html", stats=services.dashboard(zone), panels=panels, **HELPERS
    )
