"""The account emails, with demo data, for the staff preview page (notifications.previews)."""

from __future__ import annotations

import secrets
from typing import Any

from academy.accounts.models import Role, User
from academy.accounts.services import (
    SignupDetails,
    send_password_reset,
    send_signup_confirm,
    send_signup_existing,
)
from academy.core.markers import N_
from academy.extensions import db
from academy.notifications.previews import preview

ZONES = {"en": "America/New_York", "ro": "Europe/Bucharest"}
NAMES = {"en": "Anna Smith", "ro": "Ana Popescu"}


def demo_user(language: str, role: Role = Role.CLIENT, name: str = "", **fields: Any) -> User:
    """A person for a preview, saved inside the preview's savepoint (rolled back after) so
    that whatever the email looks up about them (their plan's terms) is found."""
    user = User(
        email=f"demo.{secrets.token_hex(4)}@example.com",
        name=name or NAMES[language],
        password_hash="!",  # noqa: S106 - no password: nobody can log in as a demo
        role=role,
        language=language,
        timezone=ZONES[language],
        **fields,
    )
    db.session.add(user)
    db.session.flush()
    return user


@preview("signup_confirm", label=N_("Sign-up: choose a password"))
def signup_confirm(language: str) -> None:
    name, zone = NAMES[language], ZONES[language]
    send_signup_confirm(SignupDetails(name, "new.client@example.com", "Demo LLC", zone, language))


@preview("signup_existing", label=N_("Sign-up: the address has an account"))
def signup_existing(language: str) -> None:
    send_signup_existing(demo_user(language))


@preview("password_reset", label=N_("Password reset"))
def password_reset(language: str) -> None:
    send_password_reset(demo_user(language))
