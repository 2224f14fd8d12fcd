"""The feedback answer email, with demo data, for the staff preview page."""

from __future__ import annotations

from academy.accounts.previews import demo_user
from academy.core.markers import N_
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.feedback.services import send_answer
from academy.notifications.previews import preview

TEXTS = {
    "en": ("The search in the help centre missed my question.", "Thank you: it finds it now."),
    "ro": (
        "Căutarea din centrul de ajutor nu mi-a găsit întrebarea.",
        "Vă mulțumim: acum o găsește.",
    ),
}


@preview("feedback_answer", label=N_("Feedback: our answer"))
def feedback_answer(language: str) -> None:
    message, answer = TEXTS[language]
    item = FeedbackItem(kind=FeedbackKind.GENERAL, message=message, answer=answer)  # not saved
    send_answer(demo_user(language), item)
