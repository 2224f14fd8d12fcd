"""The staff chat console (POLICY R1): the queue with each client's firm, plan and standing,
taking, answering several at once, handing over, ending; presence and support hours; a
client's message as conduct evidence (R4)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from academy.accounts.models import User
from academy.chat import services
from academy.chat.blueprint import (
    bp,
    conversation_or_404,
    per_user,
    stream_limit,
    stream_response,
)
from academy.chat.broker import STAFF
from academy.chat.models import ChatMessage, ChatStatus
from academy.conduct.forms import CATEGORIES
from academy.conduct.models import IncidentCategory
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.forms import form_text
from academy.core.params import id_arg, to_id
from academy.core.security import not_activity, same_origin, staff_required
from academy.extensions import db, limiter

WEEKDAYS = [_l("Monday"), _l("Tuesday"), _l("Wednesday"), _l("Thursday"), _l("Friday"),
            _l("Saturday"), _l("Sunday")]  # fmt: skip


@bp.get("/staff/chat")
@staff_required
def console() -> str:
    return render_template(
        "chat/console.html",
        waiting=services.waiting(),
        mine=services.mine(current_user),
        available=services.is_available(current_user),
        online=len(services.online_staff()),
        at=now(),
    )


@bp.get("/staff/chat/queue")
@staff_required
def queue() -> str:
    """The queue alone: the console reloads it when the stream says it changed."""
    return render_template(
        "chat/_queue.html", waiting=services.waiting(), mine=services.mine(current_user), at=now()
    )


@bp.get("/staff/chat/stream")
@staff_required
@not_activity
@limiter.limit(stream_limit, key_func=per_user)
def queue_stream() -> Response:
    if not same_origin():
        abort(403)
    # One `queue` event at once: what changed while the console was reconnecting is shown.
    return stream_response(STAFF, 0)


@bp.post("/staff/chat/presence")
@staff_required
def presence() -> Response:
    available = request.form.get("available") == "1"
    services.set_presence(current_user, available)
    flash(_("You are available for chats.") if available else _("You are away."), "success")
    return redirect(url_for(".console"))


def _minutes(text: str | None) -> int | None:
    """'09:30' -> 570; '24:00' -> 1440 (the end of the day); anything else: None."""
    text = (text or "").strip()
    if text == "24:00":
        return 24 * 60
    if not re.fullmatch(r"[0-9]{2}:[0-9]{2}", text):
        return None
    hour, minute = int(text[:2]), int(text[3:])
    return hour * 60 + minute if hour < 24 and minute < 60 else None


@bp.route("/staff/chat/hours", methods=["GET", "POST"])
@staff_required
def hours() -> str | Response:
    """Chat hours per weekday, in the staff member's own zone."""
    current = services.hours_of(current_user)
    error = None
    if request.method == "POST":
        wanted: dict[int, tuple[int, int] | None] = {}
        for day in range(7):
            start, end = (_minutes(request.form.get(f"start{day}")),
                          _minutes(request.form.get(f"end{day}")))  # fmt: skip
            wanted[day] = (start, end) if start is not None and end is not None else None
        try:
            services.set_hours(current_user, wanted)
        except DomainError as e:
            error = e
        else:
            flash(_("Your chat hours are saved."), "success")
            return redirect(url_for(".hours"))
    return render_template(
        "chat/hours.html", current=current, weekdays=WEEKDAYS, error=error, form=request.form
    )


@bp.get("/staff/chat/<int:conversation_id>")
@staff_required
def conversation(conversation_id: int) -> str:
    conv = conversation_or_404(conversation_id)
    rows = services.console_rows(services.ChatConversation.id == conv.id)
    return render_template(
        "chat/staff_conversation.html",
        conv=conv,
        row=rows[0],
        colleagues=[u for u in services.staff_members() if u.id != current_user.id],
        body_max=services.BODY_MAX,
    )


@bp.post("/staff/chat/<int:conversation_id>/take")
@staff_required
def take(conversation_id: int) -> Response:
    conv = conversation_or_404(conversation_id)
    # From the conversation's page: the status and assignee it showed; from the queue: still
    # waiting.
    seen = None
    if "status" in request.form:
        seen = (request.form["status"], to_id(request.form.get("assignee")))
    if services.take(conv, current_user, seen):
        return redirect(url_for(".conversation", conversation_id=conv.id))
    if conv.status == ChatStatus.ENDED:
        flash(_("This conversation has ended."), "error")
        return redirect(url_for(".console"))
    holder = db.session.get(User, conv.assignee_id) if conv.assignee_id else None
    if holder is None or holder.id == current_user.id:  # a double click: the first took it
        return redirect(url_for(".conversation", conversation_id=conv.id))
    flash(_("This conversation was already taken by %(name)s.", name=holder.name), "error")
    return redirect(url_for(".console"))


@bp.post("/staff/chat/<int:conversation_id>/transfer")
@staff_required
def transfer(conversation_id: int) -> Response:
    conv = conversation_or_404(conversation_id)
    to_id = id_arg("to", "form")
    colleague = db.session.get(User, to_id) if to_id else None
    try:
        services.transfer(conv, current_user, colleague)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".conversation", conversation_id=conv.id))
    assert colleague is not None
    flash(_("Handed to %(name)s.", name=colleague.name), "success")
    return redirect(url_for(".console"))


@bp.route("/staff/chat/messages/<int:message_id>/incident", methods=["GET", "POST"])
@staff_required
def report(message_id: int) -> str | Response:
    """POLICY R4: report a conduct incident with this message as its evidence, in one step."""
    message = db.session.get(ChatMessage, message_id) or abort(404)
    conv = conversation_or_404(message.conversation_id)
    if message.from_staff or message.kind != "text":
        abort(404)
    error = None
    if request.method == "POST":
        category = request.form.get("category", "")
        if category not in set(IncidentCategory):
            abort(400)
        try:
            incident = services.report(
                message,
                by=current_user,
                category=IncidentCategory(category),
                description=form_text("description")[:5000],
            )
        except DomainError as e:
            error = e
        else:
            flash(_("The incident is recorded with the quoted message."), "success")
            return redirect(url_for("conduct.incident", incident_id=incident.id))
    author = db.session.get(User, message.author_id) if message.author_id else None
    return render_template(
        "chat/report.html",
        message=message,
        conv=conv,
        author=author,
        categories=CATEGORIES,
        error=error,
    )
