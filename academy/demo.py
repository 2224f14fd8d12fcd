"""`flask demo seed`: demo data, safe to run again (finds what exists, adds what is missing)."""

from __future__ import annotations

from datetime import time, timedelta

import click
from flask.cli import AppGroup
from sqlalchemy import select

from academy.accounts.models import Firm, FirmRole, Plan, Role, User
from academy.accounts.services import find_user_by_email, hash_password
from academy.core.clock import now
from academy.extensions import db
from academy.help.demo import seed_help
from academy.scheduling.attendance import record_no_show
from academy.scheduling.models import (
    AvailabilityWindow,
    Booking,
    BookingEvent,
    BookingEventKind,
    NoShow,
    NoShowSource,
    Occurrence,
    Offering,
    Outcome,
)
from academy.scheduling.services import book_one_on_one
from academy.scheduling.slots import load_slots
from academy.terms.services import accept, has_accepted_current

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
        firm = Firm(name=DEMO_FIRM, plan=business, seats=5, verified_at=now())
        db.session.add(firm)
    client = _user("client@example.com", "Ana Popescu", Role.CLIENT, firm, "Europe/Bucharest", "en")
    if client.firm_id in (None, firm.id) and client.firm_role is None:
        client.firm_role = FirmRole.OWNER  # issue 17: the demo client owns the demo firm
    staff = _user("staff@example.com", "Mihai Ionescu", Role.STAFF, None, "Europe/Bucharest", "en")
    _user("reviewer@example.com", "Elena Dumitrescu", Role.STAFF, None, "Europe/Bucharest", "en")
    db.session.commit()
    if not has_accepted_current(client):
        accept(client)  # POLICY R18: the demo client has accepted the terms in force
    _sessions(staff, client)
    _past_no_show(staff, client)
    from academy.workshops.demo import seed_workshops

    seed_workshops(staff, client, DEMO_PASSWORD)
    from academy.courses.demo import seed_courses

    seed_courses()
    seed_help(staff, client)
    from academy.firms.demo import seed_team

    seed_team(firm, client)


def _past_no_show(staff: User, client: User) -> None:
    """One past session the demo client missed, with its warning (POLICY R12, R14)."""
    if db.session.scalar(select(NoShow.id).where(NoShow.user_id == client.id).limit(1)):
        return
    offering = db.session.scalar(select(Offering).where(Offering.slug == "quick-assist"))
    start = (now() - timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    occurrence = Occurrence(
        offering=offering,
        host=staff,
        starts_at=start,
        ends_at=start + timedelta(minutes=offering.duration_minutes),
        meeting_url=staff.meeting_url,
    )
    booking = Booking(
        occurrence=occurrence,
        user=client,
        note="Client portal set-up",
        created_at=start - timedelta(days=5),
    )
    db.session.add_all(
        [
            occurrence,
            booking,
            BookingEvent(
                booking=booking,
                kind=BookingEventKind.BOOKED,
                via="account",
                by_user_id=client.id,
                at=start - timedelta(days=5),
                to_start=start,
            ),
        ]
    )
    db.session.flush()
    booking.outcome, booking.outcome_by_id, booking.outcome_at = Outcome.NO_SHOW, staff.id, start
    record_no_show(booking, NoShowSource.ABSENT, start, staff)
    db.session.commit()


def _sessions(staff: User, client: User) -> None:
    """Weekday hours for the demo staff member and two upcoming sessions for the client."""
    if not staff.meeting_url:
        staff.meeting_url = "https://meet.example.com/taxdome-mihai"
    has_hours = db.session.scalar(
        select(AvailabilityWindow.id).where(AvailabilityWindow.host_id == staff.id).limit(1)
    )
    if has_hours is None:
        for day in range(5):
            db.session.add_all(
                [
                    AvailabilityWindow(
                        host_id=staff.id, weekday=day, start_time=time(9), end_time=time(12)
                    ),
                    AvailabilityWindow(
                        host_id=staff.id, weekday=day, start_time=time(13), end_time=time(17)
                    ),
                ]
            )
    db.session.commit()
    if db.session.scalar(select(Booking.id).where(Booking.user_id == client.id).limit(1)):
        return
    for slug, days_ahead, note in (
        ("quick-assist", 3, "Recurring invoices for retainer clients."),
        ("implementation", 10, "Set up the client portal and e-signatures."),
    ):
        offering = db.session.scalar(select(Offering).where(Offering.slug == slug))
        earliest = now() + timedelta(days=days_ahead)
        slot = next(s for s in load_slots(offering, now(), [staff.id]) if s.starts_at >= earliest)
        book_one_on_one(client, offering, staff.id, slot.starts_at, note)


@demo_cli.command("seed")
def seed_command() -> None:
    """Create the demo firm, client, staff member, hours and sessions (idempotent)."""
    seed()
    click.echo(
        "demo data ready: client@example.com (owner of Demo Accounting SRL), staff@example.com, "
        "reviewer@example.com; "
        "password demo-pass-123"
    )
