"""Email transport: SMTP when MAIL_SERVER is set, else .eml files in instance/mail/."""

from __future__ import annotations

import smtplib
import ssl
from contextlib import suppress
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr
from pathlib import Path
from typing import Any, Protocol


class Outgoing(Protocol):
    """What sending reads of an outbox row: the dispatcher passes the claimed rows as plain
    result rows, previews and tests pass OutboxMessage objects."""

    @property
    def id(self) -> int: ...
    @property
    def recipient(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def body_text(self) -> str: ...
    @property
    def body_html(self) -> str | None: ...
    @property
    def attachments(self) -> list[dict[str, Any]] | None: ...
    @property
    def created_at(self) -> datetime: ...


def message_id(msg: Outgoing, sender: str) -> str:
    """Stable per outbox row: a message sent again after a dispatcher crashed mid-send carries
    the same Message-ID, so mail servers and clients can recognise the copy. The row's id and
    creation instant make it unique across databases that reuse ids."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "academy.invalid"
    stamp = int(msg.created_at.timestamp() * 1_000_000)
    return f"<outbox.{msg.id}.{stamp}@{domain}>"


def _content_type(att: dict[str, Any]) -> tuple[str, str, dict[str, str]]:
    maintype, _, rest = att["content_type"].partition("/")
    subtype, *params = [p.strip() for p in rest.split(";")]
    return maintype, subtype.lower(), dict(p.split("=", 1) for p in params if "=" in p)


def build_email(msg: Outgoing, sender: str) -> EmailMessage:
    """The MIME tree mail programs expect (README, "Emails"):

    multipart/alternative[text/plain, text/html] for a message, and with an invite
    multipart/mixed[multipart/alternative[text/plain, text/html, text/calendar; method=M],
    application/ics (invite.ics, attachment)]. Outlook and Gmail show their accept/decline and
    "add to calendar" controls only for an invite that is an alternative of the body (iTIP
    over email, RFC 6047); the attached copy serves programs that show only attachments. The
    Content-Type's method is the one inside the invite (R11)."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = msg.recipient
    email["Subject"] = msg.subject
    email["Message-ID"] = message_id(msg, sender)
    email.set_content(msg.body_text)
    if msg.body_html:
        email.add_alternative(msg.body_html, subtype="html")
    attachments = []
    for att in msg.attachments or []:
        maintype, subtype, params = _content_type(att)
        if (maintype, subtype) == ("text", "calendar"):
            method = params.get("method", "")
            email.add_alternative(att["content"], subtype="calendar", params={"method": method})
            attachments.append((att, "application", "ics", {"name": att["filename"]}))
        else:
            attachments.append((att, maintype, subtype, params))
    for att, maintype, subtype, params in attachments:
        email.add_attachment(
            att["content"].encode(),
            maintype=maintype,
            subtype=subtype,
            filename=att["filename"],
            params=params,
        )
    return email


class Transport(Protocol):
    def __enter__(self) -> Transport: ...
    def __exit__(self, *exc: object) -> None: ...
    def send(self, email: EmailMessage) -> None: ...


class SMTPTransport:
    """One connection per dispatcher pass (all its batches); reconnects if the server drops
    it (smtplib closes the session on a timeout too, as a drop)."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c["MAIL_USE_SSL"]:
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                c["MAIL_SERVER"],
                c["MAIL_PORT"],
                timeout=c["MAIL_TIMEOUT"],
                context=ssl.create_default_context(),
            )
        else:
            conn = smtplib.SMTP(c["MAIL_SERVER"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
            if c["MAIL_USE_TLS"]:
                conn.starttls(context=ssl.create_default_context())
        if c["MAIL_USERNAME"]:
            conn.login(c["MAIL_USERNAME"], c["MAIL_PASSWORD"])
        return conn

    def __enter__(self) -> SMTPTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            with suppress(OSError):  # smtplib's errors are OSErrors; the mail was sent
                self.conn.quit()
            self.conn = None

    def send(self, email: EmailMessage) -> None:
        if self.conn is None:
            self.conn = self._connect()
        try:
            self.conn.send_message(email)
        except smtplib.SMTPServerDisconnected:
            self.conn = self._connect()
            self.conn.send_message(email)


class FileTransport:
    """Development mode: each message becomes an .eml file you can open in a mail program."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)

    def __enter__(self) -> FileTransport:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send(self, email: EmailMessage) -> None:
        name = email["Message-ID"].strip("<>").replace("@", "_").replace("/", "_")
        (self.directory / f"{name}.eml").write_bytes(bytes(email))


def transport_for(config: dict[str, Any]) -> Transport:
    if config["MAIL_SERVER"]:
        return SMTPTransport(config)
    return FileTransport(config["MAIL_FILE_DIR"])
