"""The demo client takes the demo quiz in chromium: answers are saved as they are chosen
(a reload loses nothing), the quiz is passed, and the certificate PDF is downloaded."""

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from academy.demo import seed


def _log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _question(page: Page, text: str):
    return page.get_by_role("group", name=re.compile(re.escape(text)))


def test_take_the_demo_quiz_reload_pass_and_download_the_certificate(
    page: Page, shot, clock, tmp_path: Path
):
    seed()
    _log_in(page, "client@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Academy").click()
    expect(page.get_by_role("heading", name="Academy", exact=True)).to_be_visible()
    expect(page.get_by_text("Continue where you left off")).to_be_visible()
    expect(page.get_by_text("3 of 6 lessons · 50%")).to_be_visible()
    shot("academy-catalogue")

    page.get_by_role("link", name="Getting started with TaxDome").first.click()
    expect(page.get_by_role("heading", name="Getting started with TaxDome")).to_be_visible()
    shot("academy-course")
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="Accounts and contacts")).to_be_visible()
    shot("academy-lesson")
    page.get_by_role("button", name="Mark complete").click()
    expect(page.get_by_role("status").first).to_contain_text("Lesson marked complete.")
    expect(page.get_by_role("heading", name="Adding clients")).to_be_visible()

    page.get_by_role("link", name="Getting started with TaxDome").first.click()
    page.get_by_role("link", name="Getting started: final quiz").click()
    expect(page.get_by_text("Pass mark")).to_be_visible()
    shot("academy-quiz-intro")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_text("Time left")).to_be_visible()

    # Half the answers, each saved as it is chosen (the status says so) ...
    _question(page, "A household with two spouses").get_by_label(
        "One account with two contacts"
    ).check()
    expect(page.get_by_text("All answers saved.")).to_be_visible()
    multiple = _question(page, "Which of these can a client do")
    for label in ("Upload documents", "Sign documents", "Pay invoices"):
        multiple.get_by_label(label).check()
    _question(page, "A job is a piece of work").get_by_label("True").check()
    # Every answer has reached the server (else the page would ask before leaving).
    expect(page.locator("form[data-autosave]")).to_have_attribute("data-save-state", "saved")
    shot("academy-quiz-taking")

    # ... survive a reload.
    page.reload()
    expect(
        _question(page, "A household with two spouses").get_by_label(
            "One account with two contacts"
        )
    ).to_be_checked()
    expect(multiple.get_by_label("Pay invoices")).to_be_checked()
    expect(multiple.get_by_label("Change your firm's plan")).not_to_be_checked()
    expect(_question(page, "A job is a piece of work").get_by_label("True")).to_be_checked()

    _question(page, "the board that shows every job").get_by_role("textbox").fill("Pipeline")
    _question(page, "How many more people").get_by_role("textbox").fill("2")
    page.get_by_role("button", name="Submit for scoring").click()

    expect(page.get_by_role("heading", name="You passed")).to_be_visible()
    expect(page.get_by_text("100%", exact=True)).to_be_visible()
    shot("academy-quiz-passed")
    page.get_by_role("link", name="View your certificate").click()
    expect(page.get_by_role("heading", name="Ana Popescu")).to_be_visible()
    code = page.locator(".certificate__facts code").inner_text()
    shot("academy-certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Ana Popescu" in text and code in text

    # Anyone with the code can verify it; a wrong code is not found.
    page.context.clear_cookies()
    page.goto(f"/certificates/{code}")
    expect(page.get_by_text("TaxDome Academy issued this certificate.")).to_be_visible()
    assert page.goto("/certificates/TDA-XXXX-XXXX-XXXX").status == 404

    _log_in(page, "client@example.com")
    page.goto("/academy/certificates")
    expect(page.get_by_text(code)).to_be_visible()
    shot("academy-my-certificates")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/academy")
    shot("academy-catalogue-mobile")
    page.goto("/academy/getting-started-with-taxdome/lessons/2")
    shot("academy-lesson-mobile")


def test_staff_author_and_preview(page: Page, shot, clock):
    seed()
    _log_in(page, "staff@example.com")
    page.goto("/staff/academy")
    shot("academy-staff-courses")
    page.get_by_role("link", name="Getting started with TaxDome").click()
    shot("academy-staff-course")
    page.get_by_role("link", name="Getting started: final quiz").click()
    shot("academy-staff-quiz")
    page.get_by_role("link", name="Add a question").click()
    page.get_by_label("Type").select_option("single")
    page.get_by_label("Question").fill("Typed question")
    page.get_by_label("Answers (single or multiple choice)").fill("A\nB")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("Mark the correct answer with *")).to_be_visible()
    expect(page.get_by_label("Question")).to_have_value("Typed question")
    shot("academy-staff-question-error")
