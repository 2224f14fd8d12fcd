"""A person signs up, logs out, logs in, switches to Romanian, and logs out, in chromium."""

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from academy.notifications.models import OutboxMessage


def test_sign_up_log_in_switch_language_log_out(page: Page, shot, make_user, db):
    page.goto("/")
    expect(page.get_by_role("heading", name="Get the most out of TaxDome")).to_be_visible()
    shot("home-visitor")

    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Full name").fill("Ioana Marinescu")
    page.get_by_label("Work email").fill("ioana@")
    page.get_by_label("Firm name").fill("Marinescu Contabilitate")
    # The browser's own zone is preselected (static/js/app.js).
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Bucharest")
    page.get_by_role("button", name="Create account").click()

    # The error is beside the field, and what was typed is still there.
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Ioana Marinescu")
    shot("signup-error")
    page.get_by_label("Work email").fill("ioana@example.com")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    # The password is chosen from the emailed link (issue 13: the same answer for every email).
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.kind == "signup_confirm")
    )
    page.goto(re.search(r"(http://127\.0\.0\.1:\d+/signup/finish/\S+)", body).group(1))
    page.get_by_label("Choose a password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_have_text(
        "Use at least 10 characters (at most 200)."
    )
    page.get_by_label("Choose a password").fill("qwertyuiop")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#password-error")).to_contain_text("common passwords")
    shot("signup-weak-password")
    page.get_by_label("Choose a password").fill("a-long-password")
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("status")).to_contain_text("Welcome to TaxDome Academy")
    expect(page.get_by_role("heading", name="Your support channels")).to_be_visible()
    shot("home-client")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You are logged out.")

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("ioana@example.com")
    page.get_by_label("Password").fill("a-long-password")
    page.get_by_role("button", name="Log in").click()
    # The account menu: her name opens her pages.
    page.locator(".account-nav").get_by_text("Ioana Marinescu").click()
    expect(page.get_by_role("link", name="Profile and calendar feed")).to_be_visible()
    shot("account-menu")
    page.keyboard.press("Escape")
    expect(page.get_by_role("link", name="Profile and calendar feed")).to_be_hidden()

    # The footer switcher submits on change (no inline script; static/js/app.js).
    page.get_by_label("Language").select_option("ro")
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    expect(page.get_by_role("button", name="Deconectare")).to_be_visible()
    shot("home-client-ro")

    page.get_by_role("button", name="Deconectare").click()
    expect(page.get_by_role("banner").get_by_role("link", name="Autentificare")).to_be_visible()
    # Remembered for the visitor too.
    expect(page.locator("html")).to_have_attribute("lang", "ro")


def test_wrong_password_and_staff_menu(page: Page, shot, make_user):
    make_user("staff", email="staff@example.com", password="staff-pass-123", name="Mihai")
    page.goto("/login")
    page.get_by_label("Email").fill("staff@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#password-error")).to_have_text("Wrong email or password.")
    page.get_by_label("Password").fill("staff-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Staff", exact=True).click()
    page.get_by_role("link", name="Plan table").click()
    expect(page.get_by_role("heading", name="Plan table")).to_be_visible()
    shot("staff-plan-table")


def test_narrow_screen_layout(page: Page, shot):
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/signup")
    expect(page.get_by_role("heading", name="Create your Academy account")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot("signup-phone")
