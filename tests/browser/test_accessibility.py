"""axe-core finds no accessibility violations on the pages people use most."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.pages import (
    CLIENT,
    CLIENT_PAGES,
    STAFF,
    STAFF_PAGES,
    VISITOR_PAGES,
    log_in,
    seed_pages,
)


def _check(page: Page, url: str) -> None:
    page.goto(url)
    results = Axe().run(page)
    assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"


@pytest.mark.parametrize("url", VISITOR_PAGES)
def test_visitor_pages(page: Page, url: str):
    _check(page, url)


def test_form_with_errors(page: Page):
    page.goto("/signup")
    page.get_by_role("button", name="Create account").click()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_client_and_staff_pages(
    page: Page, make_user, make_host, book, clock, make_workshop, register
):
    seed_pages(make_user, make_host, book, clock, make_workshop, register)
    log_in(page, *CLIENT)
    for url in CLIENT_PAGES:
        _check(page, url)
    page.get_by_role("button", name="Log out").click()
    log_in(page, *STAFF)
    for url in STAFF_PAGES:
        _check(page, url)
