"""The demo client books a 1:1 session, moves it from the email's Change link, and the
calendar invite follows (POLICY R7, R9, R11), in chromium."""

import re

import vobject
from playwright.sync_api import Page, expect

from academy.demo import seed
from academy.notifications.dispatcher import dispatch_due
from tests.fixtures.mail import calendar_part


def _invite(message):
    part = calendar_part(message)
    return vobject.readOne(part.get_content()).vevent


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_book_then_move_from_the_email_link(page: Page, shot, clock, smtp, app):
    seed()
    dispatch_due()  # the demo bookings' confirmations
    smtp.messages.clear()
    _log_in(page, "client@example.com")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    expect(page.get_by_role("heading", name="1:1 sessions")).to_be_visible()
    shot("sessions-offerings")
    page.get_by_role("link", name="See free times").last.click()  # Quick assist
    expect(page.get_by_text("Times in Europe/Bucharest.")).to_be_visible()
    shot("sessions-slots")
    page.locator("button.slot").first.click()

    expect(page.get_by_role("heading", name="Confirm your session")).to_be_visible()
    page.get_by_label("What would you like to cover? (optional)").fill("Client portal invites")
    shot("sessions-confirm")
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_role("status")).to_contain_text("Your session is booked")
    expect(page.get_by_text("https://meet.example.com/taxdome-mihai")).to_be_visible()
    shot("sessions-booked")

    dispatch_due()
    [confirmation] = [
        m for m in smtp.to("client@example.com") if m["Subject"] == "Confirmed: Quick assist"
    ]
    first = _invite(confirmation)
    body = confirmation.get_body(("plain",)).get_content()
    change = re.search(r"(http://127\.0\.0\.1:\d+/sessions/b/\S+/change)", body).group(1)

    # The link works without logging in (a fresh browser context: no cookies).
    page.context.clear_cookies()
    page.goto(change)
    expect(page.get_by_role("heading", name="Change the time")).to_be_visible()
    shot("sessions-change-from-email")
    page.get_by_role("link", name="Next week").click()
    page.locator("button.slot").nth(2).click()
    # The session booked is tomorrow morning: less than 24 hours' notice, so the page asks
    # once more before the move counts as a no-show (R10).
    expect(page.get_by_role("heading", name="Move it anyway?")).to_be_visible()
    page.get_by_role("button", name="Yes, move it — it counts as a no-show").click()
    expect(page.get_by_role("heading", name="Your session has moved")).to_be_visible()
    shot("sessions-moved")

    dispatch_due()
    [update] = [m for m in smtp.to("client@example.com") if m["Subject"] == "Moved: Quick assist"]
    moved = _invite(update)
    assert moved.uid.value == first.uid.value
    assert int(moved.sequence.value) == int(first.sequence.value) + 1
    assert moved.dtstart.value > first.dtstart.value

    _log_in(page, "client@example.com")
    page.goto("/sessions/mine")
    # The two demo sessions, the one just booked, and the demo waitlist place of a workshop.
    expect(page.locator(".booking-item")).to_have_count(4)
    shot("sessions-mine")


def test_staff_schedule_and_availability(page: Page, shot, clock):
    seed()
    _log_in(page, "staff@example.com")
    page.goto("/staff/sessions")
    expect(page.get_by_role("cell", name="Ana Popescu client@example.com").first).to_be_visible()
    shot("staff-schedule")
    page.goto("/staff/availability")
    expect(page.get_by_label("Monday 1 From")).to_have_value("09:00")
    shot("staff-availability")
