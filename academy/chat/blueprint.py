"""The chat's blueprint: client pages (academy.chat.views) and the staff console
(academy.chat.staff_views) hang on it, endpoints are `chat.*`; and what both share."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from flask import Blueprint, Flask, Response, abort, current_app, request
from flask_login import current_user

from academy.chat import services
from academy.chat.broker import Subscription, broker
from academy.chat.models import ChatConversation, ChatStatus
from academy.core.params import to_id
from academy.extensions import db

bp = Blueprint("chat", __name__)


def conversation_or_404(conversation_id: int) -> ChatConversation:
    """Only its client and staff may read or write a conversation; anyone else: 404."""
    return services.conversation_for(conversation_id, current_user) or abort(404)


def wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _sse(event: str, data: object, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def event_stream(app: Flask, sub: Subscription, cursor: int, replay: bool = True) -> Iterator[str]:
    """Server-Sent Events: everything after the cursor from the database, then each message
    as it is announced. The database is read only on a wake-up, and its connection is given
    back at once: an idle stream holds a thread and a queue, no connection."""
    keepalive = app.config["CHAT_KEEPALIVE_SECONDS"]
    deadline = time.monotonic() + app.config["CHAT_STREAM_SECONDS"]
    conversation_id = int(sub.channel[1:]) if sub.channel.startswith("c") else None
    try:
        yield "retry: 2000\n\n"
        wake = replay
        while True:
            if wake and conversation_id is not None:
                with app.app_context():
                    events = services.events_after(conversation_id, cursor)
                    db.session.remove()
                for item in events:
                    cursor = item["id"]
                    yield _sse("message", item, item["id"])
            elif wake:
                yield _sse("queue", {})
            if time.monotonic() >= deadline:
                return  # the browser reconnects (Last-Event-ID) and is checked again
            event = sub.get(timeout=min(keepalive, max(deadline - time.monotonic(), 0.01)))
            if event is None:
                wake = False
                yield ": keep-alive\n\n"
            elif event.get("type") == "typing":
                wake = False
                yield _sse("typing", {k: event[k] for k in ("from_staff", "name")})
            else:
                wake = True
    finally:
        sub.close()


def stream_response(channel: str, cursor: int, replay: bool = True) -> Response:
    sub = broker().subscribe(channel)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    response = Response(event_stream(app, sub, cursor, replay), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy must pass each event on at once
    return response


def cursor_of() -> int:
    """The last message id the browser has: EventSource's Last-Event-ID on a reconnect, or
    `?after=` for a first connection that already shows some."""
    return to_id(request.headers.get("Last-Event-ID")) or to_id(request.args.get("after")) or 0


def is_open(conv: ChatConversation) -> bool:
    return conv.status != ChatStatus.ENDED
