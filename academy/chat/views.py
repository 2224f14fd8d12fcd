"""The chat for clients (POLICY R1): the widget page, messages, typing, the stream, ending and
rating; staff write through the same message and typing endpoints."""

from __future__ import annotations

from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from werkzeug.wrappers import Response

from academy.chat import services
from academy.chat.blueprint import (
    bp,
    conversation_or_404,
    cursor_of,
    ended_stream_response,
    per_user,
    stream_limit,
    stream_response,
    wants_json,
)
from academy.chat.broker import channel_of
from academy.chat.models import ChatMessage, ChatStatus
from academy.core.errors import DomainError
from academy.core.forms import form_text
from academy.core.params import int_arg
from academy.core.security import not_activity, same_origin
from academy.core.text import download_name
from academy.extensions import db, limiter
from academy.scheduling.policy import POLICY


def _message_limit() -> str:
    return str(current_app.config["CHAT_MESSAGE_RATE_LIMIT"])


@bp.get("/chat")
@login_required
def widget() -> str | Response:
    if current_user.is_staff:
        return redirect(url_for(".console"))
    decision = services.chat_decision(current_user)  # POLICY R2, R5, R6
    conv = services.open_conversation(current_user) if decision else None
    last = None if conv else services.last_conversation(current_user)
    return render_template(
        "chat/widget.html",
        decision=decision,
        conv=conv,
        last=last,
        # Nobody online: a new message, or a conversation still waiting, goes to the inbox (R3).
        online=bool(services.online_staff())
        if decision and (conv is None or conv.status == ChatStatus.WAITING)
        else True,
        hours=int(POLICY.first_response.total_seconds() // 3600),
        body_max=services.BODY_MAX,
    )


@bp.post("/chat/start")
@login_required
@limiter.limit(_message_limit, key_func=per_user)
def start() -> Response:
    try:
        started = services.start(current_user, form_text("body"), request.files.get("file"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".widget"))
    if started.request is not None:  # nobody online: POLICY R3
        _offline_notice()
        return redirect(url_for("support.request_page", request_id=started.request.id))
    return redirect(url_for(".widget"))


def _offline_notice() -> None:
    hours = int(POLICY.first_response.total_seconds() // 3600)
    flash(
        _(
            "Nobody of the team is online now, so your message is a support request. "
            "We answer within %(hours)d hours.",
            hours=hours,
        ),
        "success",
    )


@bp.post("/chat/<int:conversation_id>/request")
@login_required
def to_request(conversation_id: int) -> Response:
    """POLICY R3: the waiting conversation's messages as a support request; it ends."""
    conv = conversation_or_404(conversation_id)
    try:
        filed = services.to_request(conv, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for(".widget"))
    _offline_notice()
    return redirect(url_for("support.request_page", request_id=filed.id))


@bp.post("/chat/<int:conversation_id>/messages")
@login_required
@limiter.limit(_message_limit, key_func=per_user)
def post_message(conversation_id: int) -> Any:
    conv = conversation_or_404(conversation_id)
    try:
        message = services.post(conv, current_user, form_text("body"), request.files.get("file"))
    except DomainError as error:
        if wants_json():
            ended = conv.status == ChatStatus.ENDED
            return jsonify(error=error.message, ended=ended, csrf_token=generate_csrf()), 422
        flash(error.message, "error")
    else:
        if wants_json():
            names = {current_user.id: current_user.name}
            reply = {**services.as_event(message, names), "csrf_token": generate_csrf()}
            return jsonify(reply), 201
    if current_user.is_staff:
        return redirect(url_for(".conversation", conversation_id=conv.id))
    return redirect(url_for(".widget"))


@bp.get("/chat/token")
@login_required
@not_activity
def token() -> Response:
    """A fresh CSRF token for a chat page open longer than a token lives (WTF_CSRF_TIME_LIMIT):
    the page asks for one when a message was refused with 400, then sends it again."""
    reply = jsonify(csrf_token=generate_csrf())
    reply.headers["Cache-Control"] = "no-store"
    return reply


@bp.post("/chat/<int:conversation_id>/typing")
@login_required
@not_activity
def typing(conversation_id: int) -> tuple[str, int]:
    services.typing(conversation_or_404(conversation_id), current_user)
    return "", 204


@bp.get("/chat/<int:conversation_id>/stream")
@login_required
@not_activity
@limiter.limit(stream_limit, key_func=per_user)
def stream(conversation_id: int) -> Response:
    """The conversation as Server-Sent Events; the session is the page's, and only pages of
    this site may open it (Origin / Fetch Metadata)."""
    if not same_origin():
        abort(403)
    conv = conversation_or_404(conversation_id)
    if conv.status == ChatStatus.ENDED:
        return ended_stream_response(conv.id, cursor_of())
    return stream_response(channel_of(conv.id), cursor_of())


@bp.post("/chat/<int:conversation_id>/end")
@login_required
def end(conversation_id: int) -> Response:
    conv = conversation_or_404(conversation_id)
    services.end(conv, current_user, "staff" if current_user.is_staff else "client")
    if current_user.is_staff:
        flash(_("The conversation has ended; the client gets its transcript by email."), "success")
        return redirect(url_for(".console"))
    flash(_("The conversation has ended. Its transcript is on its way to your email."), "success")
    return redirect(url_for(".widget"))


@bp.post("/chat/<int:conversation_id>/rating")
@login_required
def rate(conversation_id: int) -> Response:
    conv = conversation_or_404(conversation_id)
    try:
        rating = int_arg("rating", 0, minimum=0, maximum=5, source="form") or None
        services.rate(conv, current_user, rating, form_text("comment"))
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("Thank you for your rating."), "success")
    return redirect(url_for(".widget"))


@bp.get("/chat/files/<int:message_id>")
@login_required
def file(message_id: int) -> Response:
    message = db.session.get(ChatMessage, message_id) or abort(404)
    conversation_or_404(message.conversation_id)
    if not message.stored_name:
        abort(404)
    path = services.attachment_dir() / message.stored_name
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype=message.content_type,
        as_attachment=True,
        download_name=download_name(message.filename, fallback=message.stored_name),
    )
