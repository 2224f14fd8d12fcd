"""Staff write, preview and publish a help article; a client finds it by search and says it
did not help, and why; staff see it (POLICY R1, R17). Also screenshots of the inbox (R3)."""

from playwright.sync_api import Page, expect

from academy.demo import seed


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()


def test_write_publish_find_and_rate_an_article(page: Page, shot, clock, app):
    seed()
    _log_in(page, "staff@example.com")
    page.goto("/help/")
    shot("help-home-staff")
    page.get_by_role("link", name="Write an article").first.click()
    page.get_by_label("Title").fill("Retainer agreements with recurring billing")
    page.get_by_label("Section").select_option(label="Billing and invoices › Invoices")  # noqa: RUF001
    page.get_by_label("Summary").fill("Bill retainer clients the same amount every month.")
    page.get_by_label("Text").fill(
        "## When to use it\n\nA **retainer** bills a client the same amount every month.\n\n"
        "1. Open *Billing → Recurring invoices*.\n2. Choose the retainer template.\n\n"
        "<script>alert('x')</script>"
    )
    page.get_by_label("Tags").fill("retainer, billing")
    page.get_by_label("Business").check()
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview, not saved")).to_be_visible()
    expect(page.get_by_role("heading", name="When to use it")).to_be_visible()
    shot("help-editor-preview")
    page.get_by_label("State").select_option("published")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("The article is saved.")
    page.get_by_role("link", name="View", exact=True).click()
    expect(page.get_by_text("Available on: Business")).to_be_visible()
    _log_out(page)

    _log_in(page, "client@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Help").click()
    expect(page.get_by_role("heading", name="How can we help?")).to_be_visible()
    shot("help-home-client")
    page.get_by_role("searchbox", name="Search the help centre").fill("retainer")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("mark").first).to_have_text("Retainer")
    shot("help-search")
    page.get_by_role("link", name="Retainer agreements with recurring billing").click()
    expect(
        page.get_by_role("heading", name="Retainer agreements with recurring billing")
    ).to_be_visible()
    shot("help-article")
    page.get_by_role("button", name="No").click()
    page.get_by_label("What was missing or unclear? (optional)").fill(
        "It does not say how to change the amount mid-year."
    )
    shot("help-article-why")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status")).to_contain_text("We will use this to improve the article.")
    page.goto("/support/requests/new")
    page.get_by_label("Subject").fill("Retainer amount change")
    page.get_by_label("Message").fill("How do I change the retainer amount from March?")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("status")).to_contain_text("We answer within 24 hours.")
    shot("support-request-client")
    page.goto("/feedback")
    shot("feedback-form")
    _log_out(page)

    _log_in(page, "staff@example.com")
    page.goto("/help/staff/articles?sort=not_helpful")
    row = page.get_by_role("row").filter(has_text="Retainer agreements")
    expect(row).to_contain_text("0%")
    shot("help-staff-articles")
    row.get_by_role("link", name="1", exact=True).click()
    expect(page.get_by_text("It does not say how to change the amount mid-year.")).to_be_visible()
    shot("help-staff-comments")
    page.goto("/staff/feedback")
    expect(page.get_by_text("It does not say how to change the amount")).to_be_visible()
    shot("feedback-triage")
    page.goto("/staff/inbox")
    expect(page.locator(".clock--late").first).to_be_visible()  # the demo's late request (R3)
    shot("support-inbox")
    page.get_by_role("link", name="Retainer amount change").click()
    page.get_by_label("Reply to the client").fill("Open the template and edit the amount.")
    page.get_by_role("button", name="Send the reply").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is sent to the client.")
    shot("support-request-staff")
    page.goto("/staff/inbox/dashboard")
    expect(page.locator("svg.chart")).to_be_visible()
    shot("support-dashboard")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto("/help/billing-and-invoices/retainer-agreements-with-recurring-billing")
    shot("help-article-mobile")
    page.set_viewport_size({"width": 1280, "height": 860})
    with page.expect_navigation():  # the footer switcher submits itself
        page.get_by_label("Language").select_option("ro")
    page.wait_for_load_state("networkidle")
    page.goto("/help/")
    expect(page.get_by_role("heading", name="Cu ce vă putem ajuta?")).to_be_visible()
    shot("help-home-ro")
    page.goto("/staff/inbox")
    expect(page.get_by_role("heading", name="Căsuța de asistență")).to_be_visible()
    shot("support-inbox-ro")
