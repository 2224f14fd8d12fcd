"""The chat's email, with demo data, for the staff preview page (notifications.previews): a
demo conversation saved inside the preview's savepoint, then the transcript the service sends."""

from __future__ import annotations

from datetime import timedelta

from academy.accounts.models import Role
from academy.accounts.previews import demo_user
from academy.chat.models import ChatConversation, ChatMessage, ChatStatus
from academy.chat.services import send_transcript
from academy.core.clock import now
from academy.core.markers import N_
from academy.extensions import db
from academy.notifications.previews import preview

LINES = {
    "en": (
        "Hello, recurring invoices did not go out on the 1st. Can you look?",
        "Of course. The schedule was paused: see https://help.taxdome.com/recurring",
    ),
    "ro": (
        "Bună ziua, facturile recurente nu au plecat pe 1. Vă puteți uita?",
        "Desigur. Programarea era oprită: vedeți https://help.taxdome.com/recurring",
    ),
}


@preview("chat_transcript", label=N_("Chat transcript"))
def chat_transcript(language: str) -> None:
    client = demo_user(language)
    staff = demo_user(language, Role.STAFF, name="Maria Ionescu")
    start = now() - timedelta(minutes=20)
    conv = ChatConversation(
        client_id=client.id,
        assignee_id=staff.id,
        status=ChatStatus.ENDED,
        created_at=start,
        first_answer_at=start + timedelta(minutes=1),
        ended_at=start + timedelta(minutes=9),
    )
    db.session.add(conv)
    db.session.flush()
    question, answer = LINES[language]
    for minutes, author, from_staff, body in (
        (0, client, False, question),
        (1, staff, True, answer),
    ):
        db.session.add(
            ChatMessage(
                conversation_id=conv.id,
                author_id=author.id,
                from_staff=from_staff,
                body=body,
                created_at=start + timedelta(minutes=minutes),
            )
        )
    db.session.flush()
    send_transcript(conv)
