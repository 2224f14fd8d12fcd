"""The terms at work, in chromium: a no-show warning, a second no-show and the penalty on the
booking page (R12, R14, R15); two staff members through report, review and a restriction that
blocks the client with the reason shown (R4-R6)."""

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def _log_in(page: Page, email: str, password: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _mark_no_show(page: Page, booking_id: int) -> None:
    page.goto(f"/sessions/bookings/{booking_id}")
    page.get_by_label("What happened?").select_option("no_show")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("status")).to_contain_text("The outcome has been recorded.")


def test_no_show_warning_then_penalty_on_the_booking_page(
    page: Page, shot, clock, make_host, make_user, book
):
    host = make_host(email="host@example.com", password="host-pass-123", name="Mihai Ionescu")
    member = make_user(
        plan="pro", email="ana@example.com", password="ana-pass-1234", name="Ana Popescu"
    )
    first = book(member, host, FRI_9)
    second = book(member, host, FRI_9 + timedelta(days=1))

    clock.freeze(FRI_9 + timedelta(minutes=10))
    _log_in(page, "host@example.com", "host-pass-123")
    _mark_no_show(page, first.id)
    shot("attendance-marked")

    _log_in(page, "ana@example.com", "ana-pass-1234")
    expect(page.get_by_text("A missed session counts as a no-show")).to_be_visible()
    shot("noshow-warning")

    clock.freeze(FRI_9 + timedelta(days=1, minutes=10))
    _log_in(page, "host@example.com", "host-pass-123")
    _mark_no_show(page, second.id)
    page.goto(f"/staff/clients/{member.id}")
    expect(page.get_by_role("heading", name="No-shows in the last 12 months")).to_be_visible()
    shot("staff-client-noshows")

    _log_in(page, "ana@example.com", "ana-pass-1234")
    expect(page.get_by_text("A second no-show within 12 months", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sessions").click()
    expect(page.get_by_text("your next session carries a fee")).to_be_visible()
    page.get_by_role("link", name="See free times").last.click()
    page.locator("button.slot").first.click()
    expect(page.get_by_text("This session carries a fee of 50 EUR.")).to_be_visible()
    page.get_by_role("button", name="Book this session").click()
    expect(page.locator("#fee-error")).to_be_visible()  # the fee must be acknowledged
    shot("penalty-fee-on-booking")
    page.get_by_label("I accept the fee for this session.").check()
    page.get_by_role("button", name="Book this session").click()
    expect(page.get_by_role("status")).to_contain_text("Your session is booked")
    expect(page.get_by_text("50 EUR")).to_be_visible()


def test_report_review_restrict_and_the_client_is_blocked(
    page: Page, shot, clock, make_host, make_user
):
    make_host(email="host@example.com", password="host-pass-123", name="Mihai Ionescu")
    make_user("staff", email="rev@example.com", password="rev-pass-1234", name="Elena")
    member = make_user(email="ana@example.com", password="ana-pass-1234", name="Ana Popescu")

    _log_in(page, "host@example.com", "host-pass-123")
    page.goto(f"/staff/clients/{member.id}")
    page.get_by_role("link", name="Report an incident").click()
    page.get_by_label("What happened").select_option("personal_attack")
    page.get_by_label("Description").fill("Insulted the host during the quick assist.")
    page.get_by_label("Evidence (quoted messages, transcript)").fill("“You are useless.”")
    page.get_by_role("button", name="Record the incident").click()
    expect(
        page.get_by_text("Another staff member must review an incident you reported.")
    ).to_be_visible()
    shot("incident-reported")

    _log_in(page, "rev@example.com", "rev-pass-1234")
    page.goto("/staff/incidents")
    page.locator("table a").first.click()
    page.get_by_label("Decision").select_option("temporary")
    page.get_by_label("Restricted until").fill("2027-01-15")
    page.get_by_label("Why").fill("Personal attack on a team member.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("The decision is recorded")
    shot("incident-reviewed")

    _log_in(page, "ana@example.com", "ana-pass-1234")
    page.goto("/sessions/")
    expect(page.get_by_role("alert")).to_contain_text("restricted until January 15, 2027")
    shot("client-restricted")
    page.goto("/help/")
    expect(page.get_by_role("heading", name="Help")).to_be_visible()  # still readable
