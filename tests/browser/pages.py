"""The pages every browser check walks through, and the data they need (test_accessibility at
desktop width, test_phone at phone and tablet width)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from playwright.sync_api import Page

CLIENT = ("c@example.com", "client-pass-1")
STAFF = ("a@example.com", "admin-pass-12")

VISITOR_PAGES = [
    "/",
    "/login",
    "/signup",
    "/password/forgot",
    "/help/",
    "/academy",
    "/workshops/",
    "/nope",
    "/terms",
    "/feedback",
]
CLIENT_PAGES = [
    "/",
    "/profile",
    "/help/",
    "/sessions/",
    "/sessions/quick-assist/",
    "/sessions/mine",
    "/sessions/bookings/1",
    "/sessions/bookings/1/change",
    "/sessions/bookings/1/cancel",
    "/workshops/",
    "/workshops/a-workshop",
    "/sessions/bookings/2",
    "/sessions/bookings/2/change",
    "/academy",
    "/academy/course-a",
    "/academy/course-a/lessons/1",
    "/academy/quizzes/1",
    "/academy/attempts/1",
    "/academy/certificates",
    "/help/search?q=invoices",
    "/help/billing-and-invoices/",
    "/help/billing-and-invoices/create-recurring-invoices",
    "/help/billing-and-invoices/create-recurring-invoices?why=1",
    "/feedback/mine",
    "/support/requests",
    "/support/requests/new",
    "/support/requests/1",
    "/team",
    "/chat",
]
STAFF_PAGES = [
    "/staff/users",
    "/staff/firms",
    "/staff/plans",
    "/staff/sessions?host=",
    "/staff/availability",
    "/staff/notifications",
    "/staff/workshops",
    "/staff/workshops/new",
    "/staff/workshops/1",
    "/staff/workshops/dates/2",
    "/staff/workshops/dates/2/cancel",
    "/staff/academy",
    "/staff/academy/1",
    "/staff/academy/lessons/1",
    "/staff/academy/quizzes/1",
    "/staff/academy/questions/1",
    "/help/staff/articles",
    "/help/staff/articles/new",
    "/help/staff/articles/1/edit",
    "/help/staff/articles/1/history?a=1&b=1",
    "/help/staff/articles/4/comments",
    "/help/staff/categories",
    "/staff/feedback",
    "/staff/feedback/1",
    "/staff/inbox",
    "/staff/inbox/1",
    "/staff/inbox/dashboard",
    "/staff/firms/unverified",
    "/staff/firms/1/verify",
    "/staff/chat",
    "/staff/chat/hours",
]


def academy_data(member) -> None:
    """A course (id 1, lesson 1, quiz 1 with question 1) and the member's open attempt 1."""
    from academy.courses import services
    from academy.courses.models import Course, Lesson, Module
    from academy.extensions import db

    course = Course(slug="course-a", title="Course A", summary="S", published=True)
    db.session.add(course)
    db.session.flush()
    module = Module(course_id=course.id, title="Module")
    db.session.add(module)
    db.session.flush()
    db.session.add(Lesson(course_id=course.id, module_id=module.id, title="Lesson", body="**B**"))
    db.session.commit()
    quiz = services.save_quiz(None, course, {"title": "Quiz", "time_limit_minutes": 10})
    services.save_question(None, quiz, kind="single", prompt="Pick", choices="* A\nB")
    services.save_question(None, quiz, kind="short_text", prompt="Type", accepted="x")
    services.start_attempt(member, services.load_quiz(quiz.id))


def seed_pages(
    make_user: Any, make_host: Any, book: Any, clock: Any, make_workshop: Any, register: Any
) -> None:
    """Every page of the lists above with something on it: a booking (1) and a workshop
    registration (2) of the client, the course of academy_data(), help, feedback and support."""
    member = make_user(email=CLIENT[0], password=CLIENT[1], firm_role="owner")
    admin = make_user("admin", email=STAFF[0], password=STAFF[1])
    book(member, make_host(), clock.now().replace(hour=7) + timedelta(days=3))
    register(member, make_workshop(title="A workshop"))
    academy_data(member)
    from academy.help.demo import seed_help

    seed_help(admin, member)  # help articles, feedback and support requests (of the client)


def log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
