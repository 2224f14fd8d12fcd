"""Staff read an email in both languages before it is sent: the preview page, its sandboxed
HTML part, the text part and the invite beside it (README, "Emails")."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from academy.demo import seed


def test_staff_read_the_booking_confirmation_in_romanian(page: Page, shot, clock, app):
    seed()
    page.goto("/login")
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    page.goto("/staff/emails/")
    expect(page.get_by_role("heading", name="Email previews")).to_be_visible()
    assert Axe().run(page).violations_count == 0
    shot("emails-index")
    page.get_by_role("link", name="1:1 booked (with its invite): Română").click()

    expect(page.get_by_role("heading", name="1:1 booked (with its invite)")).to_be_visible()
    expect(page.get_by_text("Confirmat: Asistență rapidă")).to_be_visible()
    frame = page.frame_locator("iframe[title='The HTML part of the email']")
    expect(frame.get_by_text("Bună ziua, Ana Popescu,")).to_be_visible()
    expect(frame.get_by_role("link", name="Anulați")).to_be_visible()
    expect(page.locator("pre").first).to_contain_text("Bună ziua, Ana Popescu,")
    expect(page.get_by_text("METHOD:REQUEST").first).to_be_visible()
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    shot("emails-booking-confirmed-ro")

    page.get_by_role("link", name="English").click()
    expect(page.get_by_text("Confirmed: Quick assist")).to_be_visible()
    expect(frame.get_by_text("Hello Anna Smith,")).to_be_visible()
