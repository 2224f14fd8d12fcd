"""Workshops in chromium: the demo client registers, another client takes the last seat, a
third joins the waitlist; when the demo client cancels, the third is promoted."""

from playwright.sync_api import Page, expect

from academy.demo import seed
from tests.fixtures.scheduling import THU


def _log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _date(page: Page):
    return page.locator(".wdate", has_text="VAT returns in TaxDome")


def test_register_fill_waitlist_cancel_promote(page: Page, shot, clock, make_workshop, db):
    from academy.accounts.models import User

    seed()
    staff = db.session.query(User).filter_by(email="staff@example.com").one()
    make_workshop(capacity=2, title="VAT returns in TaxDome", host=staff, start=THU)

    _log_in(page, "client@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Workshops").click()
    expect(page.get_by_role("heading", name="Live workshops")).to_be_visible()
    expect(_date(page)).to_contain_text("2 seats left")
    expect(_date(page)).to_contain_text("Thursday, December 3, 2026, 11:00")  # her zone: Bucharest
    shot("workshops-listing")
    _date(page).get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered")
    expect(page.get_by_text("Confirmed")).to_be_visible()
    shot("workshops-registered")

    _log_in(page, "radu.marin@example.com")
    page.goto("/workshops/")
    expect(_date(page)).to_contain_text("1 seat left")
    _date(page).get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("You are registered")

    _log_in(page, "ioana.stan@example.com")
    page.goto("/workshops/")
    expect(_date(page)).to_contain_text("Full — join the waitlist")
    shot("workshops-full")
    _date(page).get_by_role("button", name="Join the waitlist").click()
    expect(page.get_by_text("You are number 1 on the waitlist")).to_be_visible()
    shot("workshops-waitlisted")

    _log_in(page, "client@example.com")
    page.goto("/sessions/mine")
    page.get_by_role("link", name="VAT returns in TaxDome").click()
    page.get_by_role("link", name="Cancel the session").click()
    expect(page.get_by_role("heading", name="Cancel the session?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel the session").click()
    expect(page.get_by_role("heading", name="Your session is cancelled")).to_be_visible()

    _log_in(page, "ioana.stan@example.com")
    page.goto("/sessions/mine")
    item = page.locator(".booking-item", has_text="VAT returns in TaxDome")
    expect(item).not_to_contain_text("On the waitlist")
    item.get_by_role("link", name="VAT returns in TaxDome").click()
    expect(page.get_by_text("Confirmed")).to_be_visible()
    expect(page.get_by_text("Given a seat from the waitlist")).to_be_visible()
    shot("workshops-promoted")

    _log_in(page, "staff@example.com")
    page.goto("/staff/workshops")
    page.get_by_role("link", name="VAT returns in TaxDome").click()
    page.locator("table").get_by_role("link").first.click()
    expect(page.get_by_role("heading", name="Registered (2)")).to_be_visible()
    expect(page.get_by_role("heading", name="Cancelled (1)")).to_be_visible()
    shot("workshops-roster")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/workshops/")
    shot("workshops-listing-phone")
