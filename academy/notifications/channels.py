"""The channels a message can go out on, registered by name: email and SMS today.

A channel knows whether it can reach a person, how to turn a template into an outbox row (in
the recipient's language and zone), and how to send a row. The outbox, the dispatcher and the
reminders of the terms (policy.Policy.reminder_plan) name channels; none branches on them. A
new channel is one class here, its templates (`templates/<name>/`), and its line in the plan.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, ClassVar, Protocol

from flask import render_template
from flask_babel import force_locale, gettext

from academy.core.clock import now
from academy.extensions import db
from academy.notifications.mail import Outgoing, build_email, transport_for
from academy.notifications.models import OutboxMessage
from academy.notifications.sms import provider_for

Send = Callable[[Outgoing], None]
# What every message's template may use besides what its caller passes, by name: a domain
# registers it (the app factory registers the recipient's terms), so this module needs none.
context_providers: dict[str, Callable[[Any], Any]] = {}


class Recipient(Protocol):
    """Whom a message is for (a user, seen only through what messages need)."""

    id: int
    email: str
    phone: str | None
    language: str
    timezone: str


class Channel(ABC):
    name: ClassVar[str]

    @abstractmethod
    def reaches(self, recipient: Recipient) -> bool: ...

    def queue(
        self,
        recipient: Recipient,
        kind: str,
        template: str,
        *,
        subject: str = "",
        due_at: datetime | None = None,
        dedupe_key: str | None = None,
        attachments: list[dict[str, Any]] | None = None,
        booking_id: int | None = None,
        **context: Any,
    ) -> OutboxMessage | None:
        """Render `templates/<channel>/<template>` for `recipient` and add the row to the
        session (the caller commits, with its own change); None if it cannot reach them."""
        if not self.reaches(recipient):
            return None
        with force_locale(recipient.language):
            provided = {name: make(recipient) for name, make in context_providers.items()}
            ctx = {"user": recipient, "tz": recipient.timezone, **provided, **context}
            message = OutboxMessage(
                kind=kind,
                channel=self.name,
                user_id=recipient.id,
                attachments=attachments or [],
                dedupe_key=dedupe_key,
                due_at=due_at or now(),
                booking_id=booking_id,
                **self.render(template, subject, ctx),
            )
        db.session.add(message)
        return message

    @abstractmethod
    def render(self, template: str, subject: str, ctx: dict[str, Any]) -> dict[str, Any]:
        """The row's recipient, subject and bodies (called in the recipient's language)."""

    @abstractmethod
    def sender(self, config: dict[str, Any]) -> AbstractContextManager[Send]:
        """A way to send rows of this channel, open for one batch of the dispatcher."""


class EmailChannel(Channel):
    """`emails/<template>.txt` and `.html`; SMTP, or .eml files in development."""

    name = "email"

    def reaches(self, recipient: Recipient) -> bool:
        return bool(recipient.email)

    def render(self, template: str, subject: str, ctx: dict[str, Any]) -> dict[str, Any]:
        return {
            "recipient": ctx["user"].email,
            # `subject` is a message id marked with N_(), translated here with its params.
            "subject": gettext(subject, **ctx.get("subject_params", {})),
            "body_text": render_template(f"emails/{template}.txt", **ctx),
            "body_html": render_template(f"emails/{template}.html", **ctx),
        }

    @contextmanager
    def sender(self, config: dict[str, Any]) -> Iterator[Send]:
        with transport_for(config) as transport:
            yield lambda msg: transport.send(build_email(msg, config["MAIL_DEFAULT_SENDER"]))


class SmsChannel(Channel):
    """`sms/<template>.txt`, one line; a Twilio-style API, or files in development."""

    name = "sms"

    def reaches(self, recipient: Recipient) -> bool:
        return bool(recipient.phone)

    def render(self, template: str, subject: str, ctx: dict[str, Any]) -> dict[str, Any]:
        body = " ".join(render_template(f"sms/{template}.txt", **ctx).split())
        return {
            "recipient": ctx["user"].phone,
            "subject": body[:80],  # what the notification log shows for it
            "body_text": body,
        }

    @contextmanager
    def sender(self, config: dict[str, Any]) -> Iterator[Send]:
        provider = provider_for(config)
        yield lambda msg: provider.send(msg.recipient, msg.body_text, reference=f"outbox{msg.id}")


CHANNELS: dict[str, Channel] = {c.name: c for c in (EmailChannel(), SmsChannel())}


def channel(name: str) -> Channel:
    return CHANNELS[name]


def reachable(recipient: Recipient) -> frozenset[str]:
    """The channels a person can be reached on now (an SMS needs a phone number)."""
    return frozenset(name for name, c in CHANNELS.items() if c.reaches(recipient))
