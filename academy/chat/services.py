"""Live chat with the customer success team (POLICY R1): who may chat (R2, R5/R6), routing to
an available staff member, messages stored before they are delivered, the offline fallback to
a support request (R3), ending (transcript by email), ratings (R17) and evidence (R4)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from academy.accounts.models import Firm, Plan, Role, User
from academy.chat.broker import STAFF, broker, channel_of
from academy.chat.models import (
    ChatConversation,
    ChatMessage,
    ChatStatus,
    StaffPresence,
    SupportHours,
)
from academy.conduct import services as conduct
from academy.conduct.models import Incident, IncidentCategory, Restriction
from academy.core.clock import now
from academy.core.decisions import Decision
from academy.core.errors import DomainError
from academy.core.files import store_file
from academy.core.i18n import explain
from academy.core.markers import N_
from academy.core.urls import external_url
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.feedback.services import add_feedback
from academy.notifications.services import enqueue_email
from academy.scheduling.access import can_use
from academy.scheduling.models import NoShow
from academy.scheduling.policy import NO_SHOW_TERMS, Channel, add_months
from academy.support import services as support
from academy.support.models import SupportRequest

BODY_MAX = 4000
OPEN = (ChatStatus.WAITING, ChatStatus.ACTIVE)


def chat_decision(user: User) -> Decision:
    """May this client chat? The same access facts and reasons as every channel (POLICY R2
    plan, R5/R6 restriction)."""
    return can_use(user, Channel.CHAT)


# --- Who is online --------------------------------------------------------------------------


def on_duty(hours: Iterable[tuple[int, int, int]], zone: str, at: datetime) -> bool:
    """Whether `at` falls inside one of (weekday, start minute, end minute) in `zone`. No
    hours at all: no limit of the clock (presence alone decides)."""
    hours = list(hours)
    if not hours:
        return True
    local = at.astimezone(ZoneInfo(zone))
    minute = local.hour * 60 + local.minute
    return any(d == local.weekday() and s <= minute < e for d, s, e in hours)


def online_staff(at: datetime | None = None) -> list[int]:
    """Staff ids set available and inside their own support hours now. Two statements."""
    at = at or now()
    people = db.session.execute(
        select(User.id, User.timezone)
        .join(StaffPresence, StaffPresence.user_id == User.id)
        .where(StaffPresence.available, User.role.in_([Role.STAFF, Role.ADMIN]))
    ).all()
    if not people:
        return []
    hours: dict[int, list[tuple[int, int, int]]] = {}
    for uid, d, s, e in db.session.execute(
        select(
            SupportHours.user_id,
            SupportHours.weekday,
            SupportHours.start_minute,
            SupportHours.end_minute,
        ).where(SupportHours.user_id.in_([p.id for p in people]))
    ):
        hours.setdefault(uid, []).append((d, s, e))
    return [p.id for p in people if on_duty(hours.get(p.id, ()), p.timezone, at)]


def route_to(candidates: list[int]) -> int | None:
    """The available staff member with the fewest open conversations (then the lowest id)."""
    if not candidates:
        return None
    load = dict(
        db.session.execute(
            select(ChatConversation.assignee_id, func.count(ChatConversation.id))
            .where(
                ChatConversation.assignee_id.in_(candidates),
                ChatConversation.status.in_(OPEN),
            )
            .group_by(ChatConversation.assignee_id)
        ).all()
    )
    return min(candidates, key=lambda uid: (load.get(uid, 0), uid))


def set_presence(staff: User, available: bool) -> None:
    """Available or away. An UPDATE first, then the first row: a double-clicked first
    Available (two tabs) inserts one row, and the other request sets it (no error page)."""
    values = {"available": available, "updated_at": now()}
    mine = update(StaffPresence).where(StaffPresence.user_id == staff.id).values(**values)
    if not db.session.execute(mine).rowcount:
        try:
            with db.session.begin_nested():
                db.session.add(StaffPresence(user_id=staff.id, **values))
        except IntegrityError:  # the other request inserted it in the meantime
            db.session.execute(mine)
    db.session.commit()
    broker().publish(STAFF, {"type": "queue"})


def is_available(staff: User) -> bool:
    return bool(
        db.session.scalar(select(StaffPresence.available).where(StaffPresence.user_id == staff.id))
    )


def hours_of(staff: User) -> dict[int, tuple[int, int]]:
    return {
        h.weekday: (h.start_minute, h.end_minute)
        for h in db.session.scalars(select(SupportHours).where(SupportHours.user_id == staff.id))
    }


def set_hours(staff: User, hours: dict[int, tuple[int, int] | None]) -> None:
    """Replace the staff member's chat hours: weekday -> (start, end) minutes, None: off."""
    for weekday, span in hours.items():
        if span is not None and not 0 <= span[0] < span[1] <= 24 * 60:
            raise DomainError(_l("The end must be after the start."), f"day{weekday}")
    db.session.query(SupportHours).filter(SupportHours.user_id == staff.id).delete()
    for weekday, span in sorted(hours.items()):
        if span is not None:
            db.session.add(
                SupportHours(
                    user_id=staff.id, weekday=weekday, start_minute=span[0], end_minute=span[1]
                )
            )
    db.session.commit()


# --- Reading a conversation ----------------------------------------------------------------


def conversation_for(conversation_id: int, user: User) -> ChatConversation | None:
    """The conversation if `user` may read and write it: its client, or staff. None
    otherwise (the view answers 404, whether it exists or not)."""
    conv = db.session.get(ChatConversation, conversation_id)
    if conv is None or not (user.is_staff or conv.client_id == user.id):
        return None
    return conv


def open_conversation(user: User) -> ChatConversation | None:
    return db.session.scalar(
        select(ChatConversation)
        .where(ChatConversation.client_id == user.id, ChatConversation.status.in_(OPEN))
        .order_by(ChatConversation.id.desc())
        .limit(1)
    )


def last_conversation(user: User) -> ChatConversation | None:
    return db.session.scalar(
        select(ChatConversation)
        .where(ChatConversation.client_id == user.id)
        .order_by(ChatConversation.id.desc())
        .limit(1)
    )


def messages_after(conversation_id: int, cursor: int, limit: int = 500) -> list[ChatMessage]:
    """What a stream has not sent yet (its cursor is the last message id it sent)."""
    return list(
        db.session.scalars(
            select(ChatMessage)
            .where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > cursor)
            .order_by(ChatMessage.id)
            .limit(limit)
        )
    )


EVENTS_LIMIT = 500  # messages read per statement by a stream (it reads again while it gets as many)


def events_after(
    conversation_id: int, cursor: int, limit: int | None = None
) -> list[dict[str, Any]]:
    """What a stream sends on a wake-up, in one statement: the messages after its cursor
    with their authors' names, at most `limit` (EVENTS_LIMIT): a stream that got as many asks
    again after the last one."""
    limit = limit or EVENTS_LIMIT
    rows = db.session.execute(
        select(ChatMessage, User.name)
        .outerjoin(User, User.id == ChatMessage.author_id)
        .where(ChatMessage.conversation_id == conversation_id, ChatMessage.id > cursor)
        .order_by(ChatMessage.id)
        .limit(limit)
    ).all()
    return [as_event(m, {m.author_id or 0: name or ""}) for m, name in rows]


def author_names(messages: Iterable[ChatMessage]) -> dict[int, str]:
    ids = {m.author_id for m in messages if m.author_id is not None}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def as_event(message: ChatMessage, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": message.id,
        "author_id": message.author_id,
        "author": names.get(message.author_id or 0, ""),
        "from_staff": message.from_staff,
        "kind": message.kind,
        "body": message.body,
        "file": message.filename or "",
        "at": message.created_at.isoformat(),
    }


# --- Changing a conversation ---------------------------------------------------------------


def _check_body(body: str, has_file: bool) -> str:
    body = (body or "").strip()
    if not body and not has_file:
        raise DomainError(_l("Write your message."), "body")
    if len(body) > BODY_MAX:
        raise DomainError(_l("Keep the message under 4,000 characters."), "body")
    return body


def attachment_dir() -> Path:
    return support.attachment_dir() / "chat"


def _store(upload: FileStorage | None) -> tuple[str, str, str] | None:
    if upload is None or not upload.filename:
        return None
    data = upload.read(current_app.config["EVIDENCE_MAX_BYTES"] + 1)
    return store_file(data, upload.filename, "file", attachment_dir())


def _lock(conv: ChatConversation) -> bool:
    """Messages of one conversation are written one after the other (the row lock lasts until
    the commit), so their ids are in the order they become visible: a stream that has read up
    to id n never sees a smaller id commit later and skips it. (PostgreSQL; SQLite has one
    writer at a time anyway. take/transfer/end hold the lock through their UPDATE.)

    Whether the conversation is still open, read under that lock (a compare-and-set that
    changes nothing; on SQLite it is the write that takes the lock): a message posted as the
    conversation ends is refused, never stored after its "ended" line."""
    db.session.execute(
        select(ChatConversation.id).where(ChatConversation.id == conv.id).with_for_update()
    )
    return bool(
        db.session.execute(
            update(ChatConversation)
            .where(ChatConversation.id == conv.id, ChatConversation.status != ChatStatus.ENDED)
            .values(status=ChatConversation.status)
        ).rowcount
    )


def _add(
    conv: ChatConversation,
    author: User | None,
    body: str,
    kind: str = "text",
    stored: tuple[str, str, str] | None = None,
) -> ChatMessage:
    message = ChatMessage(
        conversation_id=conv.id,
        author_id=author.id if author else None,
        from_staff=bool(author and author.is_staff),
        kind=kind,
        body=body,
        created_at=now(),
    )
    if stored is not None:
        message.stored_name, message.filename, message.content_type = stored
    db.session.add(message)
    return message


def _publish(conv: ChatConversation, event: dict[str, Any], queue: bool = False) -> None:
    """After the commit: the stream reads what the event announces from the database."""
    broker().publish(channel_of(conv.id), event)
    if queue:
        broker().publish(STAFF, {"type": "queue"})


@dataclass
class Started:
    conversation: ChatConversation | None = None
    request: SupportRequest | None = None  # nobody online: the message became a request (R3)


def start(user: User, body: str, upload: FileStorage | None = None) -> Started:
    """A client opens the chat with a first message. With nobody of the team online the
    message becomes a support request with its 24-hour clock (POLICY R3)."""
    if user.is_staff:
        raise DomainError(_l("The chat is for clients."))
    if not (decision := chat_decision(user)):  # POLICY R2, R5, R6
        raise DomainError(explain(decision))
    # A double click or a second tab: the client's row lock makes the second start wait for
    # the first, then see its conversation (PostgreSQL; SQLite has one writer at a time, and
    # the unique index on open conversations refuses a second one in any case).
    db.session.execute(select(User.id).where(User.id == user.id).with_for_update())
    if (conv := open_conversation(user)) is not None:  # a second tab: the same conversation
        post(conv, user, body, upload)
        return Started(conversation=conv)
    body = _check_body(body, upload is not None and bool(upload.filename))
    staff = route_to(online_staff())
    if staff is None:
        subject = str(_l("Chat message"))
        uploads = [upload] if upload is not None else []
        return Started(request=support.open_request(user, subject, body or subject, uploads))
    stored = _store(upload)
    conv = ChatConversation(
        client_id=user.id, assignee_id=staff, status=ChatStatus.WAITING, created_at=now()
    )
    db.session.add(conv)
    try:
        db.session.flush()
    except IntegrityError:  # another request opened one in the meantime: post into it
        db.session.rollback()
        conv = open_conversation(user)
        if conv is None or not _lock(conv):  # it has ended since: start again
            db.session.rollback()
            raise DomainError(_l("Send your message again, please.")) from None
    _add(conv, user, body, stored=stored)
    db.session.commit()
    _publish(conv, {"type": "message"}, queue=True)
    return Started(conversation=conv)


def post(
    conv: ChatConversation, user: User, body: str, upload: FileStorage | None = None
) -> ChatMessage:
    """A message in an open conversation, from its client or from staff; the first staff
    message is the first answer (its time is the wait the dashboard counts)."""
    if conv.status == ChatStatus.ENDED:
        raise DomainError(_l("This conversation has ended."), "body")
    if not user.is_staff and not (decision := chat_decision(user)):  # POLICY R6
        end(conv, None, "restriction")
        raise DomainError(explain(decision), "body")
    body = _check_body(body, upload is not None and bool(upload.filename))
    stored = _store(upload)
    if not _lock(conv):  # it ended while this message was on its way
        db.session.rollback()
        db.session.refresh(conv)
        raise DomainError(_l("This conversation has ended."), "body")
    message = _add(conv, user, body, stored=stored)
    joined = False
    if user.is_staff:
        db.session.execute(
            update(ChatConversation)
            .where(ChatConversation.id == conv.id, ChatConversation.first_answer_at.is_(None))
            .values(first_answer_at=now())
        )
        # Answering a waiting conversation takes it (once, whoever answers first).
        joined = bool(
            db.session.execute(
                update(ChatConversation)
                .where(
                    ChatConversation.id == conv.id, ChatConversation.status == ChatStatus.WAITING
                )
                .values(status=ChatStatus.ACTIVE, assignee_id=user.id)
            ).rowcount
        )
        if joined:
            _add(conv, user, user.name, kind="joined")
    db.session.commit()
    _publish(conv, {"type": "message"}, queue=joined)  # first: the other side waits for it
    if user.is_staff:
        db.session.refresh(conv)
    return message


def to_request(conv: ChatConversation, user: User) -> SupportRequest:
    """POLICY R3: a waiting conversation whose team has gone (nobody online) becomes a support
    request with the client's messages, and ends. A compare-and-set on "still waiting": a
    staff member who takes it at that moment keeps it, and the client is told."""
    if user.id != conv.client_id:
        raise DomainError(_l("Only the client turns a conversation into a request."))
    changed = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conv.id, ChatConversation.status == ChatStatus.WAITING)
        .values(status=ChatStatus.ENDED, ended_at=now(), ended_by="request")
    ).rowcount
    if not changed:
        db.session.rollback()
        db.session.refresh(conv)
        raise DomainError(_l("Someone of the team has joined: the conversation goes on."))
    lines = []
    for m in messages_after(conv.id, 0, limit=10_000):
        if m.kind == "text" and not m.from_staff:
            file = str(_l("File: %(name)s", name=m.filename)) if m.filename else ""
            lines.append("\n".join(part for part in (m.body, file) if part))
    _add(conv, None, "request", kind="ended")
    subject = str(_l("Chat message"))
    body = "\n\n".join(lines)[: support.BODY_MAX] or subject
    try:
        request = support.open_request(user, subject, body)  # commits the end with it
    except DomainError:
        db.session.rollback()
        db.session.refresh(conv)
        raise
    db.session.refresh(conv)
    _publish(conv, {"type": "message"}, queue=True)
    return request


def typing(conv: ChatConversation, user: User) -> None:
    """Someone is typing: told to the other side, never stored."""
    if conv.status != ChatStatus.ENDED:
        _publish(conv, {"type": "typing", "from_staff": user.is_staff, "name": user.name})


def take(conv: ChatConversation, staff: User, seen: tuple[str, int | None] | None = None) -> bool:
    """A staff member takes a conversation, as a compare-and-set: from the queue (`seen`
    None) only while it is still waiting; from its page only while its status and assignee
    are those that page showed (`seen`). Two staff at once, or a stale page: one takes it,
    the other gets False (nothing written, no second "joined" line) and is told who has it."""
    where = [ChatConversation.id == conv.id]
    if seen is None:
        where.append(ChatConversation.status == ChatStatus.WAITING)
    else:
        status, assignee = seen
        where += [
            ChatConversation.status == status,
            ChatConversation.status != ChatStatus.ENDED,
            ChatConversation.assignee_id.is_(None)
            if assignee is None
            else ChatConversation.assignee_id == assignee,
            # Already mine and answered: nothing to take.
            (ChatConversation.assignee_id != staff.id)
            | (ChatConversation.status == ChatStatus.WAITING),
        ]
    changed = db.session.execute(
        update(ChatConversation)
        .where(*where)
        .values(assignee_id=staff.id, status=ChatStatus.ACTIVE)
    ).rowcount
    if not changed:
        db.session.rollback()
        db.session.refresh(conv)
        return False
    _add(conv, staff, staff.name, kind="joined")
    db.session.commit()
    db.session.refresh(conv)
    _publish(conv, {"type": "message"}, queue=True)
    return True


def transfer(conv: ChatConversation, staff: User, to: User | None) -> None:
    """Hand a conversation to a colleague."""
    if to is None or not to.is_staff:
        raise DomainError(_l("Choose a staff member."), "to")
    changed = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conv.id, ChatConversation.status != ChatStatus.ENDED)
        .values(assignee_id=to.id)
    ).rowcount
    if not changed:
        db.session.rollback()
        raise DomainError(_l("This conversation has ended."))
    _add(conv, staff, to.name, kind="handed")
    db.session.commit()
    db.session.refresh(conv)
    _publish(conv, {"type": "message"}, queue=True)


def end(conv: ChatConversation, by: User | None, reason: str) -> bool:
    """End the conversation (client, staff, or a restriction: POLICY R6) and queue the
    transcript to the client, in their language, once."""
    at = now()
    changed = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conv.id, ChatConversation.status != ChatStatus.ENDED)
        .values(status=ChatStatus.ENDED, ended_at=at, ended_by=reason)
    ).rowcount
    if not changed:
        db.session.rollback()
        return False
    _add(conv, by, reason, kind="ended")
    db.session.flush()
    send_transcript(conv)
    db.session.commit()
    db.session.refresh(conv)
    _publish(conv, {"type": "message"}, queue=True)
    return True


def send_transcript(conv: ChatConversation) -> None:
    """The transcript by email in the client's language, once per conversation."""
    sent = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conv.id, ChatConversation.transcript_sent_at.is_(None))
        .values(transcript_sent_at=now())
    ).rowcount
    if not sent:
        return
    client = db.session.get(User, conv.client_id)
    assert client is not None
    messages = [m for m in messages_after(conv.id, 0, limit=10_000) if m.kind == "text"]
    names = author_names(messages)
    enqueue_email(
        client,
        "chat_transcript",
        N_("Your chat with the customer success team"),
        "chat_transcript",
        dedupe_key=f"chat-transcript-{conv.id}",
        lines=[
            (names.get(m.author_id or 0, ""), m.created_at, m.body, m.filename) for m in messages
        ],
        url=external_url("chat.widget"),
    )


def end_for_restricted(user_id: int) -> int:
    """POLICY R5/R6: a restriction ends the client's open conversations at once; a firm's
    ended subscription (R5), those of every client of that firm."""
    firm = db.session.scalar(
        select(Firm)
        .join(User, User.firm_id == Firm.id)
        .where(User.id == user_id, Firm.subscription_ended_at.is_not(None))
    )
    clients = (
        select(User.id).where(User.firm_id == firm.id)
        if firm is not None
        else select(User.id).where(User.id == user_id)
    )
    ended = 0
    for conv in db.session.scalars(
        select(ChatConversation).where(
            ChatConversation.client_id.in_(clients), ChatConversation.status.in_(OPEN)
        )
    ).all():
        ended += end(conv, None, "restriction")
    return ended


def rate(conv: ChatConversation, user: User, rating: int | None, comment: str) -> FeedbackItem:
    """The client rates an ended conversation, once, into the one feedback table (R17)."""
    if user.id != conv.client_id:
        raise DomainError(_l("Only the client rates a conversation."))
    if conv.status != ChatStatus.ENDED:
        raise DomainError(_l("Rate the conversation once it has ended."), "rating")
    if conv.feedback_id is not None:
        raise DomainError(_l("You have rated this conversation already."), "rating")
    if rating is None:
        raise DomainError(_l("Choose a rating from 1 to 5."), "rating")
    # The item and the conversation's link to it commit together, or neither: a second tab
    # rating at the same instant finds the link taken and rolls its own item back, so the
    # feedback table never holds two ratings of one conversation, not even for a moment.
    item = add_feedback(
        kind=FeedbackKind.CHAT,
        user=user,
        rating=rating,
        message=comment,
        subject_title=f"Chat #{conv.id} ({conv.created_at:%Y-%m-%d})",
    )
    changed = db.session.execute(
        update(ChatConversation)
        .where(ChatConversation.id == conv.id, ChatConversation.feedback_id.is_(None))
        .values(feedback_id=item.id)
    ).rowcount
    if not changed:  # a second tab rated it in the meantime: keep the first
        db.session.rollback()
        raise DomainError(_l("You have rated this conversation already."), "rating")
    db.session.commit()
    conv.feedback_id = item.id
    return item


def report(
    message: ChatMessage, *, by: User, category: IncidentCategory, description: str
) -> Incident:
    """POLICY R4: a client's chat message as the evidence of a conduct incident, in one step;
    the incident keeps the quoted message, who wrote it and when."""
    if message.from_staff or message.author_id is None or message.kind != "text":
        raise DomainError(_l("Only a client's message can be evidence."))
    client = db.session.get(User, message.author_id)
    assert client is not None
    return conduct.report_incident(
        client,
        by=by,
        category=category,
        description=description or str(_l("Reported from a chat message.")),
        quote=conduct.Quote(message.id, message.body, client.name, message.created_at),
    )


# --- The staff console and the dashboard ----------------------------------------------------


@dataclass
class Row:
    conversation: ChatConversation
    client: User
    firm: str
    plan: str
    no_shows: int
    restricted: bool
    assignee: str


def console_rows(where: Any) -> list[Row]:
    """Conversations with their client's firm, plan and standing: three statements."""
    # POLICY R16: the standing staff see is the rolling window's no-shows.
    cutoff = add_months(now(), -NO_SHOW_TERMS.window_months)
    rows = db.session.execute(
        select(ChatConversation, User, Firm.name, Plan.name)
        .join(User, User.id == ChatConversation.client_id)
        .outerjoin(Firm, Firm.id == User.firm_id)
        .outerjoin(Plan, Plan.id == Firm.plan_id)
        .where(where)
        .order_by(ChatConversation.created_at, ChatConversation.id)
        .limit(200)
    ).all()
    ids = {r[1].id for r in rows}
    staff_ids = {r[0].assignee_id for r in rows if r[0].assignee_id}
    if not ids:
        return []
    no_shows = dict(
        db.session.execute(
            select(NoShow.user_id, func.count(NoShow.id))
            .where(
                NoShow.user_id.in_(ids),
                NoShow.excused_at.is_(None),
                NoShow.occurred_at >= cutoff,
            )
            .group_by(NoShow.user_id)
        ).all()
    )
    at = now()
    restricted = set(
        db.session.scalars(
            select(Restriction.user_id).where(
                Restriction.user_id.in_(ids),
                Restriction.lifted_at.is_(None),
                Restriction.permanent | (Restriction.until > at),
            )
        )
    )
    names = dict(
        db.session.execute(select(User.id, User.name).where(User.id.in_(staff_ids))).all()
        if staff_ids
        else []
    )
    return [
        Row(conv, client, firm or "", plan or "", no_shows.get(client.id, 0),
            client.id in restricted, names.get(conv.assignee_id or 0, ""))
        for conv, client, firm, plan in rows
    ]  # fmt: skip


def waiting() -> list[Row]:
    return console_rows(ChatConversation.status == ChatStatus.WAITING)


def mine(staff: User) -> list[Row]:
    return console_rows(
        (ChatConversation.status == ChatStatus.ACTIVE) & (ChatConversation.assignee_id == staff.id)
    )


@dataclass
class ChatStats:
    days: list[tuple[date, int]]
    median_wait: timedelta | None
    ratings: int
    average_rating: float | None
    total: int


def stats(zone: str, days: int = 14) -> ChatStats:
    """Conversations per day (viewer's zone), the median wait for a first answer, ratings."""
    tz = ZoneInfo(zone)
    today = now().astimezone(tz).date()
    start_day = today - timedelta(days=days - 1)
    since = datetime.combine(start_day, datetime.min.time(), tz)
    rows = db.session.execute(
        select(ChatConversation.created_at, ChatConversation.first_answer_at).where(
            ChatConversation.created_at >= since
        )
    ).all()
    counts = {start_day + timedelta(days=i): 0 for i in range(days)}
    for created, _ in rows:
        day = created.astimezone(tz).date()
        if day in counts:
            counts[day] += 1
    waits = [(first - created).total_seconds() for created, first in rows if first is not None]
    count, average = db.session.execute(
        select(func.count(FeedbackItem.id), func.avg(FeedbackItem.rating)).where(
            FeedbackItem.kind == FeedbackKind.CHAT, FeedbackItem.created_at >= since
        )
    ).one()
    return ChatStats(
        sorted(counts.items()),
        timedelta(seconds=statistics.median(waits)) if waits else None,
        count,
        float(average) if average is not None else None,
        len(rows),
    )


def staff_members() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.role.in_([Role.STAFF, Role.ADMIN])).order_by(User.name)
        )
    )
