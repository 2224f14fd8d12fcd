"""Every page at phone width (390 px) and tablet width (768 px): the menu behind its button (at
both widths) by keyboard and by tap, nothing cut off or scrolling sideways, controls big enough
for a finger, no accessibility violation (issue 18). Screenshots of each page family at both
widths go to test-artifacts/screenshots/<database>/ (phone-*.png, tablet-*.png)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import SHOTS
from tests.browser.pages import (
    CLIENT,
    CLIENT_PAGES,
    STAFF,
    STAFF_PAGES,
    VISITOR_PAGES,
    log_in,
    seed_pages,
)

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 768, "height": 1024}

# The pages of the main menu: (link, the address it opens for a client).
MAIN_MENU = [
    ("Academy", "/academy"),
    ("Workshops", "/workshops/"),
    ("Sessions", "/sessions/"),
    ("Help", "/help/"),
    ("Feedback", "/feedback"),
]

# Controls a finger must hit: at least 44 px high (WCAG 2.5.5); links inside text are exempt.
TAP_TARGETS = (
    "button, a.button, select, textarea, summary, "
    "input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not([type=file]), "
    ".main-nav a, .menu__items a, .account-nav > a"
)

# One screenshot per page family (the first page of each at both widths).
FAMILIES = {
    "/": "home",
    "/login": "login",
    "/signup": "signup",
    "/academy": "catalogue",
    "/academy/course-a": "course",
    "/academy/course-a/lessons/1": "lesson",
    "/academy/attempts/1": "quiz",
    "/workshops/": "workshops",
    "/workshops/a-workshop": "workshop",
    "/sessions/": "sessions",
    "/sessions/quick-assist/": "slots",
    "/sessions/mine": "my-sessions",
    "/sessions/bookings/1": "booking",
    "/help/": "help",
    "/help/billing-and-invoices/create-recurring-invoices": "help-article",
    "/feedback": "feedback",
    "/support/requests/new": "support-new",
    "/support/requests/1": "support-request",
    "/profile": "profile",
    "/team": "team",
    "/chat": "chat",
    "/terms": "terms",
    "/staff/users": "staff-users",
    "/staff/sessions?host=": "staff-schedule",
    "/staff/availability": "staff-availability",
    "/staff/workshops/dates/2": "staff-roster",
    "/staff/academy/1": "staff-course",
    "/help/staff/articles": "staff-help-articles",
    "/staff/feedback": "staff-triage",
    "/staff/inbox": "staff-inbox",
    "/staff/inbox/dashboard": "staff-dashboard",
    "/staff/firms/unverified": "staff-unverified-firms",
    "/staff/chat": "staff-chat-console",
}


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": PHONE, "has_touch": True, "is_mobile": True}


def _menu(page: Page) -> Any:
    return page.get_by_role("button", name="Menu")


def _menu_link(page: Page, label: str) -> Any:
    return page.locator("#site-menu").get_by_role("link", name=label, exact=True)


def _no_sideways_scroll(page: Page, url: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"{url} scrolls sideways at {viewport} px: {width} px wide"


def _small_targets(page: Page) -> list[str]:
    """The visible controls lower than 44 px, as 'tag "text" height'."""
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.getClientRects().length
                            && getComputedStyle(el).visibility !== "hidden")
            .map((el) => [el, el.getBoundingClientRect().height])
            .filter(([, h]) => h < 43.5)
            .map(([el, h]) => {
              const text = (el.textContent || el.name || "").trim().slice(0, 30);
              return `${el.tagName.toLowerCase()} "${text}" ${h}px`;
            })""",
        TAP_TARGETS,
    )


def _walk(page: Page, urls: list[str], prefix: str) -> None:
    """Each page at phone width, then at tablet width: checked, and its family photographed."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    for size, name in ((PHONE, "phone"), (TABLET, "tablet")):
        page.set_viewport_size(size)
        for url in urls:
            page.goto(url)
            _no_sideways_scroll(page, url)
            closed = _small_targets(page) if name == "phone" else []
            # The open menu too (folded at both widths): what a thumb hits first.
            _menu(page).click()
            _no_sideways_scroll(page, f"{url} (menu open)")
            if name == "phone":
                problems += [f"{url}: {target}" for target in closed]
                problems += [f"{url} (menu): {t}" for t in _small_targets(page) if t not in closed]
                results = Axe().run(page)
                assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"
            _menu(page).click()
            if url in FAMILIES:
                shot = SHOTS / f"{name}-{prefix}{FAMILIES[url]}.png"
                page.screenshot(path=str(shot), full_page=True)
    assert not problems, "tap targets under 44 px:\n" + "\n".join(problems)


def _opened(page: Page, path: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(path) + "$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _no_sideways_scroll(page, path)


def test_the_menu_opens_by_keyboard_and_escape_closes_it(page: Page, make_user):
    make_user(email=CLIENT[0], password=CLIENT[1])
    log_in(page, *CLIENT)
    help_link = _menu_link(page, "Help")
    expect(help_link).to_be_hidden()
    # Tab from the top of the page: skip link, brand, then the menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
    expect(_menu(page)).to_be_focused()
    expect(_menu(page)).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    expect(_menu(page)).to_have_attribute("aria-expanded", "true")
    expect(help_link).to_be_visible()
    # Tab goes on into the menu: nothing holds focus on the button.
    page.keyboard.press("Tab")
    expect(_menu_link(page, "Academy")).to_be_focused()
    page.keyboard.press("Escape")
    expect(help_link).to_be_hidden()
    expect(_menu(page)).to_be_focused()
    expect(_menu(page)).to_have_attribute("aria-expanded", "false")
    # Space opens it as well, and each page of the menu is reached from the keyboard.
    for label, path in MAIN_MENU:
        _menu(page).focus()
        page.keyboard.press("Space")
        _menu_link(page, label).focus()
        page.keyboard.press("Enter")
        _opened(page, path)
        expect(_menu(page)).to_have_attribute("aria-expanded", "false")


def test_every_page_of_the_menus_by_tap(
    page: Page, make_user, make_host, book, clock, make_workshop, register
):
    seed_pages(make_user, make_host, book, clock, make_workshop, register)
    page.goto("/")
    # A visitor's Sessions asks them to log in first.
    login_first = "/login?next=%2Fsessions%2F"
    visitor = [(label, login_first if path == "/sessions/" else path) for label, path in MAIN_MENU]
    for label, path in [*visitor, ("Sign up", "/signup"), ("Log in", "/login")]:
        _menu(page).tap()
        _menu_link(page, label).tap()
        _opened(page, path)
    log_in(page, *CLIENT)
    for label, path in MAIN_MENU:
        _menu(page).tap()
        _menu_link(page, label).tap()
        _opened(page, path)
    account = [
        ("Profile and calendar feed", "/profile"),
        ("My sessions", "/sessions/mine"),
        ("My certificates", "/academy/certificates"),
        ("My support requests", "/support/requests"),
        ("My feedback", "/feedback/mine"),
        ("Your team", "/team"),
    ]
    for label, path in account:
        _menu(page).tap()
        page.locator(".account-nav summary").tap()
        page.get_by_role("link", name=label).tap()
        _opened(page, path)
    _menu(page).tap()
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").tap()
    log_in(page, *STAFF)
    staff_links = page.locator(".main-nav .menu__items a")
    count = staff_links.count()
    assert count >= 10
    for i in range(count):
        _menu(page).tap()
        page.locator(".main-nav summary", has_text="Staff").tap()
        link = staff_links.nth(i)
        href = link.get_attribute("href")
        link.tap()
        _opened(page, href)


def test_without_javascript_the_whole_menu_lies_open(browser: Any, live_server: str):
    context = browser.new_context(base_url=live_server, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    expect(_menu(page)).to_be_hidden()
    for label, _ in MAIN_MENU:
        expect(_menu_link(page, label)).to_be_visible()
    _no_sideways_scroll(page, "/ without JavaScript")
    context.close()


def test_visitor_pages_at_phone_and_tablet_width(page: Page):
    _walk(page, VISITOR_PAGES, "visitor-")


def test_client_and_staff_pages_at_phone_and_tablet_width(
    page: Page, make_user, make_host, book, clock, make_workshop, register
):
    seed_pages(make_user, make_host, book, clock, make_workshop, register)
    log_in(page, *CLIENT)
    _walk(page, CLIENT_PAGES, "client-")
    _menu(page).click()  # at tablet width too, the menu is folded behind its button
    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    log_in(page, *STAFF)
    _walk(page, STAFF_PAGES, "staff-")
