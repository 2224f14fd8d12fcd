# ruff: noqa: E501  (demo content: long sentences read better unbroken)
"""Demo data for the help centre, feedback and the support inbox (idempotent)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from academy.accounts.models import User
from academy.core.clock import now
from academy.extensions import db
from academy.feedback.models import FeedbackItem, FeedbackKind, FeedbackStatus
from academy.help.models import Article, HelpCategory, HelpSection
from academy.help.services import save_article
from academy.scheduling.policy import POLICY
from academy.support.models import RequestStatus, SupportMessage, SupportRequest

CATEGORIES = [
    ("Getting started", "Primii pași", "Set up your firm, your team and your clients.",
     "Configurați firma, echipa și clienții.",
     [("Your firm", "Firma dumneavoastră"), ("Your team", "Echipa")]),
    ("Billing and invoices", "Facturare și plăți", "Invoices, payments and recurring billing.",
     "Facturi, plăți și facturare recurentă.",
     [("Invoices", "Facturi"), ("Payments", "Plăți")]),
    ("Client portal", "Portalul clienților", "What your clients see and do.",
     "Ce văd și ce fac clienții dumneavoastră.",
     [("Portal basics", "Noțiuni de bază"), ("Documents and signatures", "Documente și semnături")]),
]  # fmt: skip

# (category index, section index, language, title, summary, tags, plans, body, translation of)
ARTICLES = [
    (0, 0, "en", "Set up your firm profile", "Name, logo, time zone and the details clients see.",
     "firm, settings, logo", "", "## Before you start\n\nYou need the **owner** role.\n\n"
     "1. Open **Settings → Firm**.\n2. Add your firm's name, logo and time zone.\n"
     "3. Save. Clients see the new details in the portal at once.\n", None),
    (0, 1, "en", "Invite your team members", "Add accountants and assistants with the right roles.",
     "team, roles, seats", "pro,business", "Each team member takes one **seat** of your plan.\n\n"
     "1. Go to **Settings → Team**.\n2. Click **Invite** and enter their email address.\n"
     "3. Choose a role: *Admin*, *Accountant* or *Assistant*.\n\n"
     "| Role | Can bill | Sees all clients |\n|---|---|---|\n| Admin | yes | yes |\n"
     "| Accountant | yes | assigned |\n| Assistant | no | assigned |\n", None),
    (0, 1, "en", "Book a 1:1 implementation session", "Plan your onboarding with our team.",
     "sessions, onboarding", "business", "Implementation sessions last 60 minutes.\n\n"
     "Book them from **Sessions** in the Academy. You can change or cancel up to 24 hours "
     "before the start.\n", None),
    (1, 0, "en", "Create recurring invoices", "Bill retainer clients automatically every month.",
     "invoices, recurring, billing", "pro,business", "Recurring invoices repeat on a schedule.\n\n"
     "1. Open **Billing → Recurring invoices**.\n2. Choose the client, the services and the day.\n"
     "3. Turn on **auto-pay** to charge the saved card.\n\n"
     "> Tip: combine with *pipelines* to start work when the invoice is paid.\n", None),
    (1, 0, "en", "Send an invoice for a one-off job", "Bill a client once, with taxes and discounts.",
     "invoices, taxes", "", "Go to **Billing → New invoice**, pick the client and add line "
     "items. Taxes are computed per line. Send it by email or through the portal.\n", None),
    (1, 1, "en", "Accept card and bank payments", "Connect TaxDome Pay and get paid online.",
     "payments, cards, ach", "", "Connect **TaxDome Pay** in *Settings → Payments*. Clients pay "
     "invoices by card or bank transfer from the portal; fees are shown before they pay.\n", None),
    (2, 0, "en", "Invite clients to the portal", "Give each client a secure login.",
     "portal, clients, invitation", "", "Open a client account and click **Invite to portal**. "
     "The client receives an email with a link valid for 7 days.\n", None),
    (2, 1, "en", "Request e-signatures", "Get documents signed without printing.",
     "signatures, documents, kba", "business", "Upload the PDF, place signature fields and "
     "choose who signs. Enable **KBA** for tax forms that need identity checks.\n", None),
    (1, 0, "ro", "Facturare recurentă pentru clienți", "Facturați automat în fiecare lună.",
     "facturare, facturi, recurent", "pro,business", "Facturile recurente se repetă după un "
     "program.\n\n1. Deschideți **Facturare → Facturi recurente**.\n2. Alegeți clientul, "
     "serviciile și ziua.\n3. Activați **plata automată** pentru cardul salvat.\n", 3),
    (0, 0, "ro", "Configurați profilul firmei", "Nume, siglă, fus orar și datele văzute de clienți.",
     "firmă, setări", "", "## Înainte de a începe\n\nAveți nevoie de rolul de **proprietar**."
     "\n\nDeschideți **Setări → Firmă**, adăugați numele, sigla și fusul orar, apoi salvați.\n", 0),
    (0, 1, "ro", "Programați o sesiune de implementare", "Planificați începutul cu echipa noastră.",
     "sesiune, implementare", "business", "O sesiune de implementare durează 60 de minute.\n\n"
     "O puteți reprograma sau anula cu cel puțin 24 de ore înainte de început; altfel se "
     "consideră neprezentare.\n", 2),
    (2, 0, "ro", "Invitați clienții în portal", "Fiecare client primește o autentificare sigură.",
     "portal, clienți", "", "Deschideți contul clientului și apăsați **Invită în portal**. "
     "Clientul primește un e-mail cu un link valabil 7 zile.\n", 6),
]  # fmt: skip


def seed_help(staff: User, client: User) -> None:
    """Categories, a dozen articles (some in Romanian), feedback and support requests."""
    if db.session.scalar(select(HelpCategory.id).limit(1)) is None:
        sections: list[list[HelpSection]] = []
        for i, (name, name_ro, desc, desc_ro, secs) in enumerate(CATEGORIES):
            from academy.core.text import slugify

            category = HelpCategory(
                slug=slugify(name), name=name, name_ro=name_ro, description=desc,
                description_ro=desc_ro, position=i,
            )  # fmt: skip
            db.session.add(category)
            db.session.flush()
            row = []
            for j, (sname, sname_ro) in enumerate(secs):
                section = HelpSection(
                    category_id=category.id, name=sname, name_ro=sname_ro, position=j
                )
                db.session.add(section)
                row.append(section)
            sections.append(row)
        db.session.commit()
        made: list[Article] = []
        for ci, si, lang, title, summary, tags, plans, body, of in ARTICLES:
            made.append(
                save_article(
                    None,
                    {
                        "title": title,
                        "summary": summary,
                        "tags": tags,
                        "plans": plans,
                        "body": body,
                        "status": "published",
                    },
                    by=staff,
                    section_id=sections[ci][si].id,
                    language=lang,
                    translation_of=made[of] if of is not None else None,
                )
            )
        save_article(
            None,
            {"title": "Pipelines and automations (draft)", "body": "Work in progress.",
             "status": "draft"},
            by=staff, section_id=sections[0][0].id,
        )  # fmt: skip
        made[0].views, made[3].views, made[3].helpful_yes, made[3].helpful_no = 120, 340, 41, 6
        db.session.commit()
    _feedback(staff, client)
    _requests(staff, client)


def _feedback(staff: User, client: User) -> None:
    if db.session.scalar(select(FeedbackItem.id).where(FeedbackItem.user_id == client.id).limit(1)):
        return
    at = now()
    article = db.session.scalar(select(Article).where(Article.slug == "create-recurring-invoices"))
    db.session.add_all(
        [
            FeedbackItem(kind=FeedbackKind.GENERAL, user_id=client.id, email=client.email,
                         category="product", rating=4, created_at=at - timedelta(days=6),
                         message="The client portal is great. Could clients upload from the phone camera?",
                         status=FeedbackStatus.PLANNED, assignee_id=staff.id),
            FeedbackItem(kind=FeedbackKind.GENERAL, user_id=client.id, email=client.email,
                         category="support", rating=5, created_at=at - timedelta(days=3),
                         message="Mihai's session on recurring invoices saved us hours. Thank you!",
                         status=FeedbackStatus.ANSWERED, answer="Thank you, Ana! We passed it on.",
                         answered_at=at - timedelta(days=2), answered_by_id=staff.id),
            FeedbackItem(kind=FeedbackKind.ARTICLE, user_id=client.id, email=client.email,
                         message="It does not say what happens when a card payment fails.",
                         subject_title=article.title if article else "", article_id=article.id if article else None,
                         created_at=at - timedelta(days=1)),
            FeedbackItem(kind=FeedbackKind.GENERAL, email="visitor@example.org", category="other",
                         message="Do you offer the Academy in Romanian?", created_at=at - timedelta(hours=5),
                         status=FeedbackStatus.IN_REVIEW),
            FeedbackItem(kind=FeedbackKind.GENERAL, user_id=client.id, email=client.email,
                         category="academy", rating=2, message="The workshop started 10 minutes late.",
                         created_at=at - timedelta(days=9), status=FeedbackStatus.CLOSED),
        ]
    )  # fmt: skip
    db.session.commit()


def _requests(staff: User, client: User) -> None:
    if db.session.scalar(select(SupportRequest.id).limit(1)):
        return
    at = now()
    rows = [
        # (subject, body, hours ago, answered after hours, status, user)
        ("Recurring invoice not sent on the 1st", "The invoice for client Alfa SRL was not sent this month.", 30, None, RequestStatus.OPEN, client),
        ("How do I add a second signer?", "We need both partners to sign the engagement letter.", 5, None, RequestStatus.OPEN, client),
        ("Portal login link expired", "A client says the invitation link no longer works.", 50, 3, RequestStatus.SOLVED, client),
        ("Export of all invoices", "Can we export last year's invoices to Excel?", 80, 30, RequestStatus.CLOSED, client),
        ("Întrebare despre abonament", "Bună ziua, ce include planul Business?", 2, None, RequestStatus.OPEN, None),
    ]  # fmt: skip
    for subject, body, ago, answered, status, user in rows:
        received = at - timedelta(hours=ago)
        request = SupportRequest(
            user_id=user.id if user else None,
            from_email=user.email if user else "office@contabil-exemplu.ro",
            from_name=user.name if user else "Cabinet Contabil Exemplu",
            subject=subject, source="web" if user else "email",
            message_id=None if user else "<demo-1@contabil-exemplu.ro>",
            received_at=received, first_response_due_at=received + POLICY.first_response,
            first_response_at=received + timedelta(hours=answered) if answered else None,
            status=status, assignee_id=staff.id if answered else None, updated_at=received,
        )  # fmt: skip
        db.session.add(request)
        db.session.flush()
        db.session.add(
            SupportMessage(
                request_id=request.id,
                author_id=user.id if user else None,
                body=body,
                created_at=received,
            )
        )
        if answered:
            db.session.add(SupportMessage(request_id=request.id, author_id=staff.id, from_staff=True,
                                          body="Thanks for writing. This is fixed now; let us know if it happens again.",
                                          created_at=received + timedelta(hours=answered)))  # fmt: skip
    db.session.commit()
