"""The support answer email, with demo data, for the staff preview page."""

from __future__ import annotations

from academy.accounts.models import Role
from academy.accounts.previews import demo_user
from academy.core.clock import now
from academy.core.markers import N_
from academy.notifications.previews import preview
from academy.support.models import SupportMessage, SupportRequest
from academy.support.services import send_reply

SUBJECTS = {"en": "Invoices in the client portal", "ro": "Facturile din portalul clienților"}
ANSWERS = {
    "en": "Thank you for writing. Open Settings, then Client portal, and switch on invoices.\n"
    "The steps with pictures: https://help.example.com/portal-invoices",
    "ro": "Vă mulțumim că ne-ați scris. Deschideți Setări, apoi Portalul clienților, și "
    "activați facturile.\nPașii, cu imagini: https://help.example.com/portal-invoices",
}


@preview("support_reply", label=N_("Support: a staff answer"))
def support_reply(language: str) -> None:
    # Not saved: the answer needs only the request's id and subject and the message's text.
    request = SupportRequest(id=1001, subject=SUBJECTS[language], received_at=now())
    message = SupportMessage(body=ANSWERS[language], from_staff=True)
    send_reply(demo_user(language), request, message, demo_user(language, Role.STAFF, "Maria"))
