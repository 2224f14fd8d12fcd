"""axe-core finds no accessibility violations on the pages people use most."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

VISITOR_PAGES = [
    "/",
    "/login",
    "/signup",
    "/password/forgot",
    "/help/",
    "/academy",
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
    "/help/search?q=invoices",
    "/help/billing-and-invoices/",
    "/help/billing-and-invoices/create-recurring-invoices",
    "/help/billing-and-invoices/create-recurring-invoices?why=1",
    "/feedback/mine",
    "/support/requests",
    "/support/requests/new",
    "/support/requests/1",
]
STAFF_PAGES = [
    "/staff/users",
    "/staff/firms",
    "/staff/plans",
    "/staff/sessions?host=",
    "/staff/availability",
    "/staff/notifications",
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
]


def _check(page: Page, url: str) -> None:
    page.goto(url)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"


def _log_in(page: Page, email: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


@pytest.mark.parametrize("url", VISITOR_PAGES)
def test_visitor_pages(page: Page, url: str):
    _check(page, url)


def test_form_with_errors(page: Page):
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_client_and_staff_pages(page: Page, make_user, make_host, book, clock):
    from datetime import timedelta

    member = make_user(email="c@example.com", password="client-pass-1")
    admin = make_user("admin", email="a@example.com", password="admin-pass-12")
    book(member, make_host(), clock.now().replace(hour=7) + timedelta(days=3))
    from academy.help.demo import seed_help

    seed_help(admin, member)  # help articles, feedback and support requests (of the client)
    _log_in(page, "c@example.com", "client-pass-1")
    for url in CLIENT_PAGES:
        _check(page, url)
    page.get_by_role("button", name="Log out").click()
    _log_in(page, "a@example.com", "admin-pass-12")
    for url in STAFF_PAGES:
        _check(page, url)
