"""Demo workshops for `flask demo seed`: one with seats, one full with a waitlist (the demo
client waiting), one in Romanian, and one past with its roster and attendance."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from academy.accounts.models import Firm, FirmRole, Plan, Role, User
from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.models import (
    Booking,
    BookingEvent,
    BookingEventKind,
    Occurrence,
    Offering,
    Outcome,
)
from academy.scheduling.workshops import register, schedule
from academy.terms.services import accept, has_accepted_current
from academy.workshops.services import save_workshop

OTHER_FIRM = "Contabil Expert SRL"
ATTENDEES = [  # email, name, language of their pages and emails
    ("radu.marin@example.com", "Radu Marin", "en"),
    ("ioana.stan@example.com", "Ioana Stan", "en"),
    ("andrei.pop@example.com", "Andrei Pop", "ro"),
    ("maria.ene@example.com", "Maria Ene", "en"),
    ("cristina.voicu@example.com", "Cristina Voicu", "ro"),
    ("george.lazar@example.com", "George Lazăr", "ro"),
]

WORKSHOPS = [
    {
        "title": "Client portal: set up and invite your clients",
        "description": (
            "Your clients upload documents, sign engagement letters and pay invoices in one "
            "place. In this hour we:\n\n"
            "* brand the portal with your logo and colours;\n"
            "* invite clients in bulk and explain what they see;\n"
            "* turn on the mobile app and push notifications.\n\n"
            "Bring your questions: the last 15 minutes are for them."
        ),
        "level": "beginner",
        "product_area": "client-portal",
        "language": "en",
        "capacity": 25,
        "days": 9,
        "hour": 15,
        "register": 6,
    },
    {
        "title": "Invoices and payments: recurring billing in practice",
        "description": (
            "Retainers, recurring invoices and automatic card payments, step by step. "
            "For firms that already send invoices from TaxDome.\n\n"
            "**You will leave with** a recurring invoice template and a payment reminder "
            "schedule ready to use."
        ),
        "level": "intermediate",
        "product_area": "billing",
        "language": "en",
        "capacity": 4,
        "days": 5,
        "hour": 14,
        "register": 6,  # four seats taken, two on the waitlist (the demo client second)
    },
    {
        "title": "Organizatoare și chestionare pentru sezonul fiscal",
        "description": (
            "Construim împreună un organizator pentru declarația anuală: întrebări "
            "condiționale, încărcare de documente și memento-uri automate pentru clienți."
        ),
        "level": "advanced",
        "product_area": "organizers",
        "language": "ro",
        "capacity": 15,
        "days": 14,
        "hour": 10,
        "register": 2,
    },
]


def _attendees(plan: Plan, password: str) -> list[User]:
    from academy.accounts.services import find_user_by_email, hash_password

    firm = db.session.scalar(select(Firm).where(Firm.name == OTHER_FIRM))
    if firm is None:
        firm = Firm(name=OTHER_FIRM, plan=plan, seats=10)
        db.session.add(firm)
    firm.verified_at = firm.verified_at or now()  # a customer staff know: not in the queue
    people = []
    for i, (email, name, language) in enumerate(ATTENDEES):
        role = FirmRole.OWNER if i == 0 else FirmRole.MEMBER  # the first runs the firm
        user = find_user_by_email(email)
        if user is None:
            user = User(
                email=email,
                name=name,
                role=Role.CLIENT,
                firm=firm,
                firm_role=role,
                timezone="Europe/Bucharest",
                language=language,
                password_hash=hash_password(password),
            )
            db.session.add(user)
        elif user.firm_id == firm.id and user.firm_role is None:  # seeded before roles
            user.firm_role = role
        people.append(user)
    db.session.commit()
    for user in people:
        if not has_accepted_current(user):
            accept(user)
    return people


def _at(days: int, hour: int) -> datetime:
    day = now() + timedelta(days=days)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def _past(host: User, people: list[User]) -> None:
    """A workshop held last week: four came, one did not show up (marked by staff)."""
    offering = save_workshop(
        None,
        title="Getting started with TaxDome: your first week",
        description="Accounts, contacts, the first pipeline and the client portal in one hour.",
        level="beginner",
        product_area="getting-started",
        language="en",
        host_id=host.id,
        capacity=20,
        duration=60,
        meeting_url=host.meeting_url,
        active=True,
    )
    start = _at(-6, 14)
    occurrence = Occurrence(
        offering=offering,
        host=host,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        capacity=20,
        seats_taken=5,
        meeting_url=host.meeting_url,
    )
    db.session.add(occurrence)
    for i, user in enumerate(people[:5]):
        booking = Booking(occurrence=occurrence, user=user, created_at=start - timedelta(days=8))
        booking.outcome = Outcome.ATTENDED if i < 4 else Outcome.NO_SHOW
        booking.outcome_by_id, booking.outcome_at = host.id, start + timedelta(minutes=10)
        db.session.add_all(
            [
                booking,
                BookingEvent(
                    booking=booking,
                    kind=BookingEventKind.BOOKED,
                    via="account",
                    by_user_id=user.id,
                    at=start - timedelta(days=8),
                    to_start=start,
                ),
            ]
        )
    db.session.flush()
    from academy.scheduling.attendance import record_no_show
    from academy.scheduling.models import NoShowSource

    no_show = db.session.scalar(
        select(Booking).where(
            Booking.occurrence_id == occurrence.id, Booking.outcome == Outcome.NO_SHOW
        )
    )
    record_no_show(no_show, NoShowSource.ABSENT, start, host)
    db.session.commit()


def seed_workshops(host: User, client: User, password: str) -> None:
    """Idempotent: nothing is added once the demo workshops exist. The attendees log in with
    `password` (the demo one)."""
    if db.session.scalar(select(Offering.id).where(Offering.kind == "workshop").limit(1)):
        return
    plan = db.session.scalar(select(Plan).where(Plan.code == "pro"))
    assert plan is not None
    people = _attendees(plan, password)
    for spec in WORKSHOPS:
        offering = save_workshop(
            None,
            title=spec["title"],
            description=spec["description"],
            level=spec["level"],
            product_area=spec["product_area"],
            language=spec["language"],
            host_id=host.id,
            capacity=spec["capacity"],
            duration=60,
            meeting_url=host.meeting_url,
            active=True,
        )
        occurrence = schedule(
            offering,
            start=_at(spec["days"], spec["hour"]),
            minutes=60,
            host=host,
            capacity=spec["capacity"],
            meeting_url=host.meeting_url,
        )
        registrants = people[: spec["register"]]
        if spec["capacity"] == 4:  # the full one: the demo client is second in the queue
            registrants = [*people[:5], client]
        for user in registrants:
            register(user, occurrence)
    _past(host, people)
