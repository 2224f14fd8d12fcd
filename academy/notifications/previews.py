"""Every email the product sends, rendered with demo data for staff to read before it goes out
(README, "Emails"): `/staff/emails/`, and the test that parses each one in both languages.

A domain registers a preview in its own `previews.py` with `@preview(name, *templates)`: a
function that makes demo objects for a recipient in the given language and calls the same send
function the service calls (so a preview shows the real subject, context and invite). `render`
runs it inside a SAVEPOINT without autoflush and rolls it back: the demo objects and the
outbox row it queued are never written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from flask import current_app

from academy.core.clock import now
from academy.extensions import db
from academy.notifications.mail import build_email
from academy.notifications.models import OutboxMessage

LANGUAGES = ("en", "ro")

Build = Callable[[str], Any]


@dataclass(frozen=True)
class Preview:
    name: str
    templates: tuple[str, ...]  # templates/emails/<template>.txt and .html it renders
    build: Build
    label: str
    kind: str  # the outbox kind of the message it shows (its name, unless a variant)


@dataclass(frozen=True)
class Rendered:
    name: str
    language: str
    subject: str
    text: str
    html: str
    ics: str  # "" when the email has no invite
    method: str
    raw: bytes  # the whole message as it would be sent

    def parsed(self) -> EmailMessage:
        message = message_from_bytes(self.raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return message


REGISTRY: dict[str, Preview] = {}


def preview(
    name: str, *templates: str, label: str = "", kind: str = ""
) -> Callable[[Build], Build]:
    """Register `build(language)`: it queues the email of kind `kind` (by default `name`) for
    a demo recipient; a variant of an email (another branch of its wording) has its own name."""

    def register(build: Build) -> Build:
        if name in REGISTRY and REGISTRY[name].build is not build:
            raise ValueError(f"two previews named {name!r}")
        REGISTRY[name] = Preview(name, templates or (name,), build, label or name, kind or name)
        return build

    return register


def all_previews() -> dict[str, Preview]:
    """Every registered preview by name (the app factory imports each domain's previews)."""
    return dict(sorted(REGISTRY.items()))


def render(name: str, language: str) -> Rendered:
    """The email `name` as a recipient speaking `language` would get it; nothing is kept."""
    found = REGISTRY.get(name)
    if found is None or language not in LANGUAGES:
        raise KeyError(name)
    session = db.session
    with session.no_autoflush:
        savepoint = session.begin_nested()
        try:
            found.build(language)
            queued = [
                m
                for m in session.new
                if isinstance(m, OutboxMessage) and m.channel == "email" and m.kind == found.kind
            ]
            if not queued:
                raise LookupError(f"preview {name!r} queued no {found.kind!r} email")
            message = queued[0]
            message.id, message.created_at = 0, now()
            email = build_email(message, current_app.config["MAIL_DEFAULT_SENDER"])
            invite = next(
                (a for a in message.attachments or [] if a["content_type"].startswith("text/cal")),
                None,
            )
            return Rendered(
                name=name,
                language=language,
                subject=message.subject,
                text=message.body_text,
                html=message.body_html or "",
                ics=invite["content"] if invite else "",
                method=invite["content_type"].split("method=")[1].split(";")[0] if invite else "",
                raw=bytes(email),
            )
        finally:
            savepoint.rollback()
