"""Demo courses for `flask demo seed`: two courses about TaxDome, and the demo client halfway
through the first one with its module quiz passed. Safe to run again (adds what is missing)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from academy.accounts.services import find_user_by_email
from academy.courses import services
from academy.courses.kinds import QuestionKind
from academy.courses.models import Course, Lesson, LessonCompletion, Level, Module, Question, Quiz
from academy.courses.scoring import ReviewMode
from academy.extensions import db

GETTING_STARTED = {
    "slug": "getting-started-with-taxdome",
    "title": "Getting started with TaxDome",
    "summary": "Set up your firm, invite your team and add your first clients. "
    "The essentials for your first week in TaxDome.",
    "level": Level.BEGINNER,
    "product_area": "basics",
    "estimated_minutes": 45,
    "modules": [
        (
            "Your firm's account",
            [
                (
                    "Welcome to TaxDome",
                    "TaxDome brings **clients, documents, billing and workflow** "
                    "into one place.\n\n"
                    "In this course you will:\n\n"
                    "- set up your firm's profile and branding;\n"
                    "- invite your team and choose their access rights;\n"
                    "- add clients and understand accounts and contacts.\n\n"
                    "> Tip: keep this course open in a second tab while you work in TaxDome.",
                    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                ),
                (
                    "Firm settings and branding",
                    "Open **Settings → Firm settings** to add your firm's name, "
                    "address and logo.\n\n"
                    "Your logo appears on the client portal, on invoices and in emails, so use a "
                    "square image of at least 200 by 200 pixels.\n\n"
                    "| Setting | Where clients see it |\n|---|---|\n"
                    "| Logo | Portal, invoices, emails |\n| Firm name | Everywhere |\n"
                    "| Time zone | Due dates and reminders |",
                    "",
                ),
                (
                    "Inviting your team",
                    "Go to **Settings → Team & plans** and choose *Add team member*.\n\n"
                    "1. Enter their email address.\n"
                    "2. Pick a role: *Administrator* or *Team member*.\n"
                    "3. Choose what they can see: all clients, or only those assigned to them.\n\n"
                    "Each team member uses one seat of your plan.",
                    "",
                ),
            ],
        ),
        (
            "Clients and jobs",
            [
                (
                    "Accounts and contacts",
                    "In TaxDome a **client account** is the household or the company you work "
                    "for; **contacts** are the people in it. One account can have several "
                    "contacts (spouses, partners, a bookkeeper), each with their own login.",
                    "",
                ),
                (
                    "Adding clients",
                    "Add clients one by one from **Clients → New client**, or import a CSV file "
                    "from **Clients → Import**. Map the columns once; TaxDome remembers it.",
                    "",
                ),
                (
                    "Your first job",
                    "A **job** is a piece of work for one account, such as a 2026 tax return. "
                    "Put jobs in a **pipeline** to see every client's stage at a glance.",
                    "",
                ),
            ],
        ),
    ],
}

CLIENT_PORTAL = {
    "slug": "client-portal-and-invoicing",
    "title": "Client portal and invoicing",
    "summary": "Give clients a secure portal to upload documents and sign, then bill them "
    "with invoices they pay online.",
    "level": Level.INTERMEDIATE,
    "product_area": "billing",
    "estimated_minutes": 60,
    "modules": [
        (
            "The client portal",
            [
                (
                    "What clients see",
                    "The portal shows each client their documents, organizers, invoices and "
                    "messages, under your firm's branding. It works in a browser and in the "
                    "TaxDome app.",
                    "",
                ),
                (
                    "Sending portal invitations",
                    "Open the account, choose **Login → Send invite**. The contact sets a "
                    "password and can upload straight away.",
                    "",
                ),
            ],
        ),
        (
            "Invoices and payments",
            [
                (
                    "Creating an invoice",
                    "From **Billing → Invoices → New invoice**, pick the account, add services "
                    "from your list and send. Recurring invoices repeat on the schedule you set.",
                    "",
                ),
                (
                    "Getting paid online",
                    "Connect a payment processor in **Settings → Billing** so clients can pay "
                    "by card or bank transfer from the portal. Paid invoices update by themselves.",
                    "",
                ),
            ],
        ),
    ],
}


def _build(spec: dict) -> Course:
    course = Course(
        slug=spec["slug"],
        title=spec["title"],
        summary=spec["summary"],
        level=spec["level"],
        product_area=spec["product_area"],
        estimated_minutes=spec["estimated_minutes"],
        published=True,
    )
    db.session.add(course)
    db.session.flush()
    for m, (title, lessons) in enumerate(spec["modules"], start=1):
        module = Module(course_id=course.id, title=title, position=m)
        db.session.add(module)
        db.session.flush()
        for n, (lesson_title, body, video) in enumerate(lessons, start=1):
            db.session.add(
                Lesson(
                    course_id=course.id,
                    module_id=module.id,
                    title=lesson_title,
                    body=body,
                    video_url=video,
                    position=n,
                )
            )
    db.session.commit()
    return course


def _question(quiz: Quiz, kind: QuestionKind, prompt: str, **kw: object) -> None:
    services.save_question(None, quiz, kind=kind, prompt=prompt, **kw)  # type: ignore[arg-type]


def _modules(course: Course) -> list[Module]:
    return list(
        db.session.scalars(
            select(Module).where(Module.course_id == course.id).order_by(Module.position)
        )
    )


def _getting_started() -> Course:
    course = _build(GETTING_STARTED)
    first = _modules(course)[0]
    check = services.save_quiz(
        None,
        course,
        {"title": "Account basics check", "module_id": first.id, "attempts_allowed": 3},
    )
    S, TF = QuestionKind.SINGLE, QuestionKind.TRUE_FALSE
    _question(
        check,
        S,
        "Where do you upload your firm's logo?",
        choices="* Settings → Firm settings\nClients → Import\nBilling → Invoices",
    )
    _question(check, TF, "Each team member uses one seat of your plan.", accepted="true")
    final = services.save_quiz(
        None,
        course,
        {
            "title": "Getting started: final quiz",
            "module_id": None,
            "pass_mark": 70,
            "attempts_allowed": 3,
            "wait_minutes": 10,
            "time_limit_minutes": 20,
            "shuffle_answers": True,
            "review_mode": ReviewMode.AFTER_PASSING,
        },
    )
    _question(
        final,
        S,
        "A household with two spouses is best set up as…",
        choices="Two separate accounts with no link\n* One account with two contacts\n"
        "One contact with two logins",
    )
    _question(
        final,
        QuestionKind.MULTIPLE,
        "Which of these can a client do in the portal?",
        choices="* Upload documents\n* Sign documents\n* Pay invoices\nChange your firm's plan",
    )
    _question(final, TF, "A job is a piece of work for one client account.", accepted="true")
    _question(
        final,
        QuestionKind.SHORT_TEXT,
        "What is the board that shows every job's stage at a glance called?",
        accepted="pipeline\na pipeline\npipelines",
    )
    _question(
        final,
        QuestionKind.NUMERIC,
        "Your plan has 5 seats and 3 team members. How many more people can you invite?",
        number=2,
        tolerance=0,
    )
    return course


def _client_portal() -> Course:
    course = _build(CLIENT_PORTAL)
    quiz = services.save_quiz(
        None,
        course,
        {"title": "Portal and invoices quiz", "module_id": None, "shuffle_questions": True},
    )
    _question(
        quiz,
        QuestionKind.SINGLE,
        "How does a contact get access to the portal?",
        choices="* You send a portal invitation\nThey call support\nThey sign up on taxdome.com",
    )
    _question(
        quiz,
        QuestionKind.TRUE_FALSE,
        "Recurring invoices have to be re-sent by hand each month.",
        accepted="false",
    )
    _question(
        quiz,
        QuestionKind.NUMERIC,
        "An invoice of 1,250 carries a 2 % card fee. How much is the fee?",
        number=25,
        tolerance=0.5,
    )
    return course


def _client_progress(course: Course) -> None:
    """The demo client: the first module's lessons done and its quiz passed (halfway)."""
    client = find_user_by_email("client@example.com")
    if client is None:
        return
    done = db.session.scalar(
        select(LessonCompletion.id).where(
            LessonCompletion.user_id == client.id, LessonCompletion.course_id == course.id
        )
    )
    if done is not None:
        return
    first = _modules(course)[0]
    for lesson in db.session.scalars(
        select(Lesson).where(Lesson.module_id == first.id).order_by(Lesson.position)
    ):
        services.complete_lesson(client, lesson)
    quiz = db.session.scalar(select(Quiz).where(Quiz.module_id == first.id))
    quiz = services.load_quiz(quiz.id)
    attempt = services.start_attempt(client, quiz)
    answers: dict[str, list[str]] = {}
    for question in db.session.scalars(
        select(Question).where(Question.quiz_id == quiz.id).options(selectinload(Question.choices))
    ):
        right = [str(c.id) for c in question.choices if c.correct] or [question.accepted]
        answers[f"q{question.id}"] = right
    services.save_answers(attempt, quiz, answers)
    services.submit_attempt(attempt, quiz)


def seed_courses() -> None:
    course = db.session.scalar(select(Course).where(Course.slug == GETTING_STARTED["slug"]))
    if course is None:
        course = _getting_started()
    if db.session.scalar(select(Course.id).where(Course.slug == CLIENT_PORTAL["slug"])) is None:
        _client_portal()
    _client_progress(course)
