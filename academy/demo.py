"""`flask demo seed`: demo data, safe to run again (finds what exists, adds what is missing)."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from academy.accounts.models import Firm, Plan, Role, User
from academy.accounts.services import find_user_by_email, hash_password
from academy.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")

DEMO_PASSWORD = "demo-pass-123"  # noqa: S105  (documented in README; demo only)
DEMO_FIRM = "Demo Accounting SRL"


def _user(email: str, name: str, role: Role, firm: Firm | None, tz: str, lang: str) -> User:
    user = find_user_by_email(email)
    if user is None:
        user = User(
            email=email,
            name=name,
            role=role,
            firm=firm,
            timezone=tz,
            language=lang,
            password_hash=hash_password(DEMO_PASSWORD),
        )
        db.session.add(user)
    return user


def seed() -> None:
    business = db.session.scalar(select(Plan).where(Plan.code == "business"))
    if business is None:
        raise click.ClickException("no plans: run `flask db upgrade` first")
    firm = db.session.scalar(select(Firm).where(Firm.name == DEMO_FIRM))
    if firm is None:
        firm = Firm(name=DEMO_FIRM, plan=business, seats=5)
        db.session.add(firm)
    _user("client@example.com", "Ana Popescu", Role.CLIENT, firm, "Europe/Bucharest", "en")
    _user("staff@example.com", "Mihai Ionescu", Role.STAFF, None, "Europe/Bucharest", "en")
    db.session.commit()


@demo_cli.command("seed")
def seed_command() -> None:
    """Create the demo firm, client and staff member (idempotent)."""
    seed()
    click.echo("demo data ready: client@example.com / staff@example.com, password demo-pass-123")
