"""The support inbox (POLICY R1, R3): requests from the web form or by email, staff replies,
and the 24-hour first-response clock."""

from __future__ import annotations

import contextlib
import email
import email.policy
import imaplib
import logging
import mailbox
import re
import statistics
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import nh3
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import FileStorage

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.files import store_file
from academy.core.i18n import explain
from academy.core.markers import N_
from academy.core.urls import external_url
from academy.extensions import db
from academy.notifications.services import enqueue_email
from academy.scheduling.access import can_use
from academy.scheduling.policy import POLICY, Channel
from academy.support.models import RequestStatus, SupportAttachment, SupportMessage, SupportRequest

log = logging.getLogger(__name__)
SUBJECT_MAX = 200
BODY_MAX = 20_000


def attachment_dir() -> Path:
    configured = current_app.config.get("SUPPORT_ATTACHMENT_DIR")
    return Path(configured) if configured else Path(current_app.config["EVIDENCE_DIR"]) / "support"


def _check_text(subject: str | None, body: str) -> None:
    if subject is not None and not subject.strip():
        raise DomainError(_l("Say in a few words what it is about."), "subject")
    if not body.strip():
        raise DomainError(_l("Write your message."), "body")
    if len(body) > BODY_MAX:
        raise DomainError(_l("Keep the message under 20,000 characters."), "body")


Stored = tuple[str, str, str, int]  # stored name, shown name, type, size


def _store_all(files: Iterable[tuple[bytes, str]], field: str) -> list[Stored]:
    """Check and keep every file before anything is written to the database, so that a
    refused file leaves the page as it was (with the error beside the field)."""
    files = list(files)
    if len(files) > current_app.config["SUPPORT_MAX_ATTACHMENTS"]:
        raise DomainError(_l("Attach at most 5 files."), field)
    return [(*store_file(data, name, field, attachment_dir()), len(data)) for data, name in files]


def _link(message: SupportMessage, stored: list[Stored]) -> None:
    for name, shown, mime, size in stored:
        db.session.add(
            SupportAttachment(
                message_id=message.id,
                request_id=message.request_id,
                stored_name=name,
                filename=shown,
                content_type=mime,
                size=size,
            )
        )


def _uploads(uploads: Iterable[FileStorage | None]) -> list[tuple[bytes, str]]:
    limit = current_app.config["EVIDENCE_MAX_BYTES"] + 1
    return [(u.read(limit), u.filename or "") for u in uploads if u is not None and u.filename]


def open_request(
    user: User, subject: str, body: str, uploads: Iterable[FileStorage | None] = ()
) -> SupportRequest:
    """A client opens a request (R2 plan, R5/R6 restrictions); R3 starts its clock."""
    if not (decision := can_use(user, Channel.EMAIL)):
        raise DomainError(explain(decision))
    _check_text(subject, body)
    stored = _store_all(_uploads(uploads), "attachments")
    at = now()
    request = SupportRequest(
        user_id=user.id,
        from_email=user.email,
        from_name=user.name,
        subject=subject.strip()[:SUBJECT_MAX],
        source="web",
        received_at=at,
        first_response_due_at=at + POLICY.first_response,  # POLICY R3
        updated_at=at,
    )
    db.session.add(request)
    db.session.flush()
    message = SupportMessage(request_id=request.id, author_id=user.id, body=body.strip())
    db.session.add(message)
    db.session.flush()
    _link(message, stored)
    db.session.commit()
    return request


def client_reply(
    request: SupportRequest, user: User, body: str, uploads: Iterable[FileStorage | None] = ()
) -> SupportMessage:
    """The client adds to their thread; a request waiting for them is open again."""
    _check_text(None, body)
    stored = _store_all(_uploads(uploads), "attachments")
    message = SupportMessage(request_id=request.id, author_id=user.id, body=body.strip())
    db.session.add(message)
    db.session.flush()
    _link(message, stored)
    request.status = RequestStatus.OPEN
    request.updated_at = now()
    db.session.commit()
    return message


def _recipient(request: SupportRequest) -> User | None:
    if request.user is not None:
        return request.user
    if request.from_email:
        # An unknown sender: an unsaved User carries the address for the email template.
        return User(
            email=request.from_email,
            name=request.from_name or request.from_email,
            language="en",
            timezone="UTC",
        )
    return None


def staff_reply(
    request: SupportRequest,
    *,
    by: User,
    body: str,
    status: RequestStatus = RequestStatus.PENDING,
    uploads: Iterable[FileStorage | None] = (),
) -> SupportMessage:
    """A staff reply: the client gets it by email and in their thread. The first one stops
    R3's clock (a conditional UPDATE, so two staff replying at once record the earlier one)."""
    _check_text(None, body)
    stored = _store_all(_uploads(uploads), "attachments")
    at = now()
    message = SupportMessage(
        request_id=request.id, author_id=by.id, from_staff=True, body=body.strip()
    )
    db.session.add(message)
    db.session.flush()
    _link(message, stored)
    db.session.execute(
        update(SupportRequest)
        .where(SupportRequest.id == request.id, SupportRequest.first_response_at.is_(None))
        .values(first_response_at=at)
    )
    request.status, request.updated_at = status, at
    if request.assignee_id is None:
        request.assignee_id = by.id
    recipient = _recipient(request)
    if recipient is not None:
        send_reply(recipient, request, message, by)
    db.session.commit()
    db.session.refresh(request, ["first_response_at"])
    return message


def send_reply(recipient: User, request: SupportRequest, message: SupportMessage, by: User) -> None:
    """A staff answer by email; a client with an account gets the link to the thread."""
    enqueue_email(
        recipient,
        "support_reply",
        N_("Re: %(subject)s"),
        "support_reply",
        body=message.body,
        url=external_url("support.request_page", request_id=request.id) if recipient.id else "",
        staff_name=by.name,
        # The tag lets an emailed answer join this thread (fetch-mail).
        subject_params={"subject": f"{request.subject} [#{request.id}]"},
    )


def update_request(
    request: SupportRequest, *, status: RequestStatus, assignee: User | None, client: User | None
) -> SupportRequest:
    """Staff set the status, the assignee, and match an unknown sender to a client."""
    if assignee is not None and not assignee.is_staff:
        raise DomainError(_l("Assign it to a staff member."), "assignee")
    if client is not None and client.is_staff:
        raise DomainError(_l("Requests are matched to clients."), "client")
    request.status = status
    request.assignee_id = assignee.id if assignee else None
    if client is not None:
        request.user_id = client.id
    request.updated_at = now()
    db.session.commit()
    return request


# --- Requests by email: `flask support fetch-mail` ---------------------------------------------


@dataclass
class ImportResult:
    filed: int = 0
    duplicates: int = 0
    unknown_senders: int = 0
    replies: int = 0


def _text_body(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    if part.get_content_type() == "text/html":
        content = nh3.clean(content, tags=set())
    return str(content).strip()


def _arrival(msg: EmailMessage) -> datetime:
    """When the message arrived: its Date, unless missing, unreadable or in the future."""
    at = now()
    try:
        sent = parsedate_to_datetime(str(msg["Date"]))
    except (TypeError, ValueError, IndexError):
        return at
    if sent is None or sent.tzinfo is None:
        return at
    return min(sent, at)


# Our replies carry "[#<request id>]" in their subject; an emailed answer to one joins that thread.
THREAD_TAG = re.compile(r"\[#(\d{1,12})\]")


def _email_attachments(msg: EmailMessage, message: SupportMessage) -> None:
    files = []
    for part in msg.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            files.append((data, part.get_filename() or "attachment"))
    for data, filename in files[: current_app.config["SUPPORT_MAX_ATTACHMENTS"]]:
        try:
            _link(message, _store_all([(data, filename)], "attachments"))
        except DomainError as error:  # kept as a note in the thread, not lost silently
            message.body += f"\n\n[{filename}: {error.message}]"


def _thread_for(subject: str, address: str) -> SupportRequest | None:
    """The request an emailed reply belongs to: tagged in the subject, from the same sender."""
    tag = THREAD_TAG.search(subject)
    if tag is None or not address:
        return None
    request = db.session.get(SupportRequest, int(tag.group(1)))
    if request is None or request.from_email.lower() != address:
        return None
    return request


def import_message(msg: EmailMessage) -> str:
    """File one email: 'filed' (a new request from a client), 'unknown' (a new request from an
    unknown sender, for staff to match), 'reply' (added to the thread it answers), or
    'duplicate' (a message with this Message-ID was filed before)."""
    message_id = (str(msg["Message-ID"] or "")).strip()[:300] or None
    if message_id and db.session.scalar(
        select(SupportMessage.id).where(SupportMessage.email_message_id == message_id)
    ):
        return "duplicate"
    name, address = parseaddr(str(msg["From"] or ""))
    address = address.strip().lower()
    subject = str(msg["Subject"] or "").strip()
    user = (
        db.session.scalar(select(User).where(func.lower(User.email) == address))
        if address
        else None
    )
    if user is not None and user.is_staff:
        user = None
    arrival = _arrival(msg)
    body = _text_body(msg)[:BODY_MAX] or "(empty message)"
    request = _thread_for(subject, address)
    outcome = "reply"
    if request is None:
        request = SupportRequest(
            user_id=user.id if user else None,
            from_email=address[:254],
            from_name=name[:200],
            subject=(subject or "(no subject)")[:SUBJECT_MAX],
            source="email",
            message_id=message_id,
            received_at=arrival,
            first_response_due_at=arrival + POLICY.first_response,  # POLICY R3
            updated_at=now(),
        )
        db.session.add(request)
        outcome = "filed" if user else "unknown"
    else:
        request.status, request.updated_at = RequestStatus.OPEN, now()
    try:
        db.session.flush()
        message = SupportMessage(
            request_id=request.id,
            author_id=request.user_id,
            body=body,
            created_at=arrival,
            email_message_id=message_id,
        )
        db.session.add(message)
        db.session.flush()
    except IntegrityError:  # the same message filed by another run in the meantime
        db.session.rollback()
        return "duplicate"
    _email_attachments(msg, message)
    db.session.commit()
    return outcome


def _maildir_messages(path: str) -> Iterator[bytes]:
    box = mailbox.Maildir(path, create=False)
    for key in box.iterkeys():
        with box.get_file(key) as f:
            yield f.read()


def _imap_messages(config: dict[str, object]) -> Iterator[bytes]:
    imap = imaplib.IMAP4_SSL(str(config["SUPPORT_IMAP_HOST"]), int(config["SUPPORT_IMAP_PORT"]))  # type: ignore[call-overload]
    try:
        imap.login(str(config["SUPPORT_IMAP_USER"]), str(config["SUPPORT_IMAP_PASSWORD"]))
        imap.select(str(config["SUPPORT_IMAP_FOLDER"]), readonly=True)
        _, data = imap.search(None, "ALL")
        for number in data[0].split():
            _, parts = imap.fetch(number, "(BODY.PEEK[])")
            for part in parts:
                if isinstance(part, tuple):
                    yield part[1]
    finally:
        with contextlib.suppress(imaplib.IMAP4.error):
            imap.logout()


def fetch_mail(maildir: str | None = None) -> ImportResult:
    """Read the configured mailbox (a Maildir, else IMAP) and file every new message.
    Safe to run again: messages already filed (same Message-ID) are skipped."""
    config = current_app.config
    path = maildir or config["SUPPORT_MAILDIR"]
    if path:
        source = _maildir_messages(path)
    elif config["SUPPORT_IMAP_HOST"]:
        source = _imap_messages(config)
    else:
        raise DomainError(_l("Set SUPPORT_MAILDIR or SUPPORT_IMAP_HOST to fetch mail."))
    result = ImportResult()
    for raw in source:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(msg, EmailMessage)
        outcome = import_message(msg)
        if outcome == "duplicate":
            result.duplicates += 1
        elif outcome == "reply":
            result.replies += 1
        else:
            result.filed += 1
            result.unknown_senders += outcome == "unknown"
    return result


# --- The staff dashboard (R3) -------------------------------------------------------------------


@dataclass
class Dashboard:
    days: list[tuple[date, int]]
    median_first_response: timedelta | None
    breaches: int
    open_overdue: int
    total: int

    @property
    def peak(self) -> int:
        return max((n for _, n in self.days), default=0) or 1


def dashboard(zone: str, days: int = 14) -> Dashboard:
    """Requests per day (in the viewer's zone) over the last `days`, the median time to a
    first response over the same period, and R3 breaches: answered late or still waiting
    past the deadline. Three statements whatever the number of requests."""
    at = now()
    tz = ZoneInfo(zone)
    today = at.astimezone(tz).date()
    start_day = today - timedelta(days=days - 1)
    since = datetime.combine(start_day, datetime.min.time(), tz)
    received = db.session.scalars(
        select(SupportRequest.received_at).where(SupportRequest.received_at >= since)
    ).all()
    counts = {start_day + timedelta(days=i): 0 for i in range(days)}
    for instant in received:
        day = instant.astimezone(tz).date()
        if day in counts:
            counts[day] += 1
    answered = db.session.execute(
        select(SupportRequest.received_at, SupportRequest.first_response_at).where(
            SupportRequest.received_at >= since, SupportRequest.first_response_at.is_not(None)
        )
    ).all()
    waits = [(first - got).total_seconds() for got, first in answered]
    median = timedelta(seconds=statistics.median(waits)) if waits else None
    late_answer = SupportRequest.first_response_at > SupportRequest.first_response_due_at
    still_waiting = SupportRequest.first_response_at.is_(None) & (
        SupportRequest.first_response_due_at < at
    )
    breaches, overdue = db.session.execute(
        select(
            func.count(SupportRequest.id).filter(late_answer | still_waiting),
            func.count(SupportRequest.id).filter(
                still_waiting
                & SupportRequest.status.in_([RequestStatus.OPEN, RequestStatus.PENDING])
            ),
        )
    ).one()
    return Dashboard(sorted(counts.items()), median, breaches, overdue, len(received))
