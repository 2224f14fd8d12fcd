"""Firms as teams in chromium (issue 17): an owner invites two colleagues; one signs up through
the emailed link and joins, the other invitation is revoked; the owner assigns a course; the
member completes it and the team page shows "Done". Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from academy.courses import services as courses
from academy.courses.kinds import QuestionKind
from academy.notifications.dispatcher import dispatch_due
from tests.firms.conftest import make_course, make_firm  # noqa: F401 - fixtures

PW = "correct-horse-1"  # noqa: S105 - the test factory's password


def _log_in(page: Page, email: str, password: str = PW) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def test_an_owner_invites_assigns_and_sees_done(
    page: Page, shot, clock, smtp, make_firm, make_course, live_server
):
    _firm, owner = make_firm(seats=4, name="Olga Owner", password=PW)
    course = make_course(lessons=1, quiz=False)
    quiz = courses.save_quiz(None, course, {"title": "Final check"})
    courses.save_question(
        None, quiz, kind=QuestionKind.TRUE_FALSE, prompt="Sky is blue", accepted="true"
    )

    _log_in(page, owner.email)
    page.get_by_text(owner.name, exact=True).click()  # the account menu
    page.get_by_role("link", name="Your team").click()
    expect(page.get_by_role("heading", name=re.compile("Your team"))).to_be_visible()
    page.get_by_label("Email addresses").fill("dana@acme.ro, otto@acme.ro")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitations sent")
    expect(page.locator("#seats")).to_contain_text("1 members, 2 pending invitations, 1 seats left.")

    page.get_by_role("link", name="Revoke otto@acme.ro").click()
    expect(page.get_by_role("heading", name="Revoke the invitation?")).to_be_visible()
    page.get_by_role("button", name="Revoke the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("otto@acme.ro is revoked")

    dispatch_due()
    [mail] = smtp.to("dana@acme.ro")
    link = re.search(r"http://\S+/invitations/\S+", mail.get_body(("plain",)).get_content())
    [revoked_mail] = smtp.to("otto@acme.ro")
    revoked = re.search(r"http://\S+/invitations/\S+", revoked_mail.get_body(("plain",)).get_content())

    page.context.clear_cookies()
    page.goto(revoked.group(0))
    expect(page.get_by_role("alert")).to_contain_text("withdrawn by the firm")
    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Join Acme Accounting")).to_be_visible()
    page.get_by_label("Full name").fill("Dana Pop")
    page.get_by_label("Choose a password").fill("violet staple orbit canyon")
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome to Acme Accounting")

    _log_in(page, owner.email)
    page.goto("/team")
    page.get_by_label("Course").select_option(label=course.title)
    page.get_by_label("Dana Pop").check()
    page.get_by_label("Due date").fill("2026-12-10")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("assigned to 1 members")
    expect(page.locator(".assignment-status")).to_have_text("On time")

    _log_in(page, "dana@acme.ro", "violet staple orbit canyon")
    assigned = page.get_by_role("region", name="Assigned by your firm")
    assigned.get_by_role("link", name=course.title).click()
    page.get_by_role("link", name="Final check").click()
    page.get_by_role("button", name="Start the quiz").click()
    page.get_by_role("group", name=re.compile("Sky is blue")).get_by_label("True").check()
    page.get_by_role("button", name="Submit for scoring").click()
    expect(page.get_by_role("heading", name="You passed")).to_be_visible()

    _log_in(page, owner.email)
    page.goto("/team")
    expect(page.locator(".assignment-status")).to_have_text("Done")
    dana = page.locator("#members tr", has_text="Dana Pop")
    expect(dana).to_contain_text("(1 certificate)")
    expect(page.locator("#history")).to_contain_text("Dana Pop joined")
    shot("team-page-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/team")
    expect(page.locator(".assignment-status")).to_have_text("Done")
    shot("team-page-phone")
