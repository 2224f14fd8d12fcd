"""Firms as teams in chromium (issue 17): an owner invites two colleagues; one signs up through
the emailed link and joins, the other invitation is revoked; the owner assigns a course; the
member completes it and the team page shows "Done". Screenshots at 1280 and 390 px."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from academy.courses import services as courses
from academy.courses.kinds import QuestionKind
from academy.notifications.dispatcher import dispatch_due
from tests.firms import conftest as firms

# The firm factories of tests/firms, for these pages.
make_firm = firms.make_firm
make_course = firms.make_course

PW = "correct-horse-1"


def _log_in(page: Page, email: str, password: str = PW) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _text(message) -> str:
    return message.get_body(("plain",)).get_content()


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
    seats = page.locator("#seats")
    expect(seats).to_contain_text("1 members, 2 pending invitations, 1 seats left.")

    page.get_by_role("link", name="Revoke otto@acme.ro").click()
    expect(page.get_by_role("heading", name="Revoke the invitation?")).to_be_visible()
    page.get_by_role("button", name="Revoke the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("otto@acme.ro is revoked")

    dispatch_due()
    [mail] = smtp.to("dana@acme.ro")
    link = re.search(r"http://\S+/invitations/\S+", _text(mail))
    [revoked_mail] = smtp.to("otto@acme.ro")
    revoked = re.search(r"http://\S+/invitations/\S+", _text(revoked_mail))

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
    # Nothing sticks out sideways: the tables scroll within their box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot("team-page-phone")


def test_team_and_invitation_pages_have_no_accessibility_violations(
    page: Page, db, clock, make_firm, make_course, make_user
):
    from axe_playwright_python.sync_playwright import Axe

    from academy.accounts.models import User
    from academy.firms import services
    from academy.notifications.models import OutboxMessage

    firm, owner = make_firm(seats=5, members=1, password=PW)
    make_course(lessons=1, quiz=False)
    services.invite(owner, ["new@acme.ro"])
    staff = make_user("staff", password=PW)
    member = db.session.scalar(sa.select(User).where(User.firm_id == firm.id, User.id != owner.id))
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.recipient == "new@acme.ro")
    )
    link = re.search(r"/invitations/\S+", body).group(0)
    pages = {
        owner.email: ["/team", f"/team/members/{member.id}/remove", "/firm/leave"],
        staff.email: ["/staff/firms/unverified", f"/staff/firms/{firm.id}/verify"],
        None: [link],
    }
    for email, urls in pages.items():
        if email:
            _log_in(page, email)
        else:
            page.context.clear_cookies()
        for url in urls:
            page.goto(url)
            results = Axe().run(page)
            assert results.violations_count == 0, f"{url}:\n{results.generate_report()}"
