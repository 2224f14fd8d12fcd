"""The chat's blueprint: client pages (academy.chat.views) and the staff console
(academy.chat.staff_views) hang on it, endpoints are `chat.*`; and what both share."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
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


def per_user() -> str:
    """The rate limits' key: the user (every chat endpoint needs a login)."""
    return f"chat:{current_user.get_id() or request.remote_addr}"


def stream_limit() -> str:
    return str(current_app.config["CHAT_STREAM_RATE_LIMIT"])


class OpenStreams:
    """Streams open now in this process, per user: each holds a thread, so one user may hold
    at most CHAT_STREAMS_PER_USER of them (a sixth tab is answered 429)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: Counter[str] = Counter()

    def acquire(self, user: str, cap: int) -> bool:
        with self._lock:
            if self._open[user] >= cap:
                return False
            self._open[user] += 1
            return True

    def release(self, user: str) -> None:
        with self._lock:
            self._open[user] -= 1
            if self._open[user] <= 0:
                del self._open[user]

    def count(self, user: str) -> int:
        with self._lock:
            return self._open[user]


def open_streams() -> OpenStreams:
    """This process's count (one per app)."""
    return current_app.extensions.setdefault("chat_open_streams", OpenStreams())


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
            while wake and conversation_id is not None:  # until it has read everything
                with app.app_context():
                    events = services.events_after(conversation_id, cursor)
                    db.session.remove()
                for item in events:
                    cursor = item["id"]
                    yield _sse("message", item, item["id"])
                if len(events) < services.EVENTS_LIMIT:
                    break
            if wake and conversation_id is None:
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


def _sse_response(body: Iterator[str]) -> Response:
    response = Response(body, mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy must pass each event on at once
    return response


def stream_response(channel: str, cursor: int, replay: bool = True) -> Response:
    user = str(current_user.get_id())
    counts = open_streams()
    if not counts.acquire(user, current_app.config["CHAT_STREAMS_PER_USER"]):
        abort(429)
    try:
        sub = broker().subscribe(channel)
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        response = _sse_response(event_stream(app, sub, cursor, replay))
    except BaseException:
        counts.release(user)
        raise
    # Called when the server closes the response, whether its body was read or not.
    response.call_on_close(lambda: counts.release(user))
    return response


def ended_stream_response(conversation_id: int, cursor: int) -> Response:
    """An ended conversation: nothing more will come, so no subscription and no thread held.
    What is after the cursor is replayed (its "ended" line closes the page's stream); nothing
    after it: 204, which tells EventSource not to reconnect."""
    events = services.events_after(conversation_id, cursor)
    if not events:
        return Response(status=204)
    blocks = []
    while events:
        blocks += [_sse("message", e, e["id"]) for e in events]
        if len(events) < services.EVENTS_LIMIT:
            break
        events = services.events_after(conversation_id, events[-1]["id"])
    return _sse_response(iter(blocks))


def cursor_of() -> int:
    """The last message id the browser has: EventSource's Last-Event-ID on a reconnect, or
    `?after=` for a first connection that already shows some."""
    return to_id(request.headers.get("Last-Event-ID")) or to_id(request.args.get("after")) or 0


def is_open(conv: ChatConversation) -> bool:
    return conv.status != ChatStatus.ENDED
