"""The chat in two real browsers, a client and a staff member, against two gunicorn servers
(each with two worker processes) sharing the database and Redis: every message crosses
processes through Redis pub/sub (issue 16, POLICY R1). Skipped without Redis, unless
REQUIRE_REDIS=1 (CI), where that is a failure."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from academy.chat import services
from tests.fixtures.app import require_or_skip
from tests.live import Gunicorn, redis_answers

REDIS = os.environ.get("TEST_CHAT_REDIS_URL", "redis://127.0.0.1:6379/3")
PASSWORD = "correct-horse-1"
SHOTS = __import__("tests.browser.conftest", fromlist=["SHOTS"]).SHOTS


@pytest.fixture
def servers(app: Any, app_config: dict[str, Any], tmp_path: Any) -> Iterator[tuple[str, str]]:
    """Two gunicorn servers (two workers each) on the test database and one Redis."""
    if not redis_answers(REDIS):
        require_or_skip("REQUIRE_REDIS", f"Redis is not reachable at {REDIS}")
    if shutil.which("gunicorn") is None and not _has_gunicorn():
        require_or_skip("REQUIRE_REDIS", "gunicorn is not installed")
    env = {
        "DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app_config["SECRET_KEY"],
        "REDIS_URL": REDIS,
        "CHAT_KEY_PREFIX": f"test16:{uuid.uuid4().hex}:",
        "CHAT_KEEPALIVE_SECONDS": "2",
        "RATELIMIT_ENABLED": "0",
        "HELP_VIEWS_FLUSH_SECONDS": "0",
        "VISITOR_PAGE_CACHE": "0",
        "SESSION_LIFETIME_HOURS": "0",
        "SESSION_IDLE_MINUTES": "0",
        "SESSION_IDLE_MINUTES_STAFF": "0",
        "EVIDENCE_DIR": str(tmp_path / "evidence"),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
        "SMS_FILE_DIR": str(tmp_path / "sms"),
    }
    first, second = Gunicorn(env), Gunicorn(env)
    try:
        first.wait()
        second.wait()
        yield first.url, second.url
    finally:
        first.stop()
        second.stop()


def _has_gunicorn() -> bool:
    import importlib.util

    return importlib.util.find_spec("gunicorn") is not None


def _log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def _context(browser: Browser, width: int = 1280) -> Any:
    return browser.new_context(
        locale="en-GB", timezone_id="Europe/Bucharest", viewport={"width": width, "height": 860}
    )


def _axe(page: Page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def test_a_conversation_live_across_processes_and_a_cut_connection(
    browser: Browser, servers: tuple[str, str], make_user: Any
) -> None:
    client_base, staff_base = servers
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    staff = make_user("staff", name="Ioana Staff", password=PASSWORD)
    services.set_presence(staff, True)

    client_ctx, staff_ctx = _context(browser), _context(browser)
    client, desk = client_ctx.new_page(), staff_ctx.new_page()
    try:
        _log_in(client, client_base, member.email)
        _log_in(desk, staff_base, staff.email)

        client.get_by_role("link", name="Chat with us").click()
        client.get_by_label("Your message").fill("Hello, my invoices do not send")
        client.get_by_role("button", name="Send to the team").click()
        log = client.locator("[data-chat-log]")
        expect(log).to_contain_text("Hello, my invoices do not send")

        desk.goto(f"{staff_base}/staff/chat")
        expect(desk.get_by_role("button", name="Take the chat with Ana Client")).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        desk.screenshot(path=str(SHOTS / "chat-console-1280.png"), full_page=True)
        _axe(desk)
        desk.get_by_role("button", name="Take the chat with Ana Client").click()
        desk_log = desk.locator("[data-chat-log]")
        expect(desk_log).to_contain_text("Hello, my invoices do not send")
        expect(client.locator("[data-chat-log]")).to_contain_text("Ioana Staff joined")

        # Staff -> client, no reload; and typing is shown.
        desk.get_by_label("Your message").press_sequentially("Hi Ana")
        expect(client.locator("[data-chat-typing]")).to_contain_text("Ioana Staff is typing")
        desk.get_by_label("Your message").fill("Hi Ana, see https://example.com/help <b>")
        desk.get_by_label("Your message").press("Enter")
        expect(log).to_contain_text("Hi Ana, see https://example.com/help <b>")
        expect(log.get_by_role("link", name="https://example.com/help")).to_be_visible()
        # Client -> staff, no reload.
        client.get_by_label("Your message").fill("Thanks!")
        client.get_by_label("Your message").press("Enter")
        expect(desk_log).to_contain_text("Thanks!")

        # The client's connection is cut while staff write; restored, nothing is lost.
        client_ctx.set_offline(True)
        client.wait_for_timeout(500)
        desk.get_by_label("Your message").fill("Sent while you were offline")
        desk.get_by_label("Your message").press("Enter")
        expect(desk_log).to_contain_text("Sent while you were offline")
        client_ctx.set_offline(False)
        expect(log).to_contain_text("Sent while you were offline", timeout=15_000)
        expect(log.locator("li", has_text="Sent while you were offline")).to_have_count(1)

        # A reload shows the whole conversation, once.
        client.reload()
        expect(log.locator("li.chat__message--mine")).to_have_count(2)
        expect(log.locator("li", has_text="Sent while you were offline")).to_have_count(1)
        expect(log.locator("li", has_text="Ioana Staff joined")).to_have_count(1)

        client.screenshot(path=str(SHOTS / "chat-widget-1280.png"), full_page=True)
        desk.screenshot(path=str(SHOTS / "chat-conversation-1280.png"), full_page=True)
        _axe(client)
        _axe(desk)
        client.set_viewport_size({"width": 390, "height": 844})
        client.screenshot(path=str(SHOTS / "chat-widget-390.png"), full_page=True)
        desk.set_viewport_size({"width": 390, "height": 844})
        desk.screenshot(path=str(SHOTS / "chat-conversation-390.png"), full_page=True)
        desk.goto(f"{staff_base}/staff/chat")
        desk.screenshot(path=str(SHOTS / "chat-console-390.png"), full_page=True)

        # Staff end it: the client is told at once and rates it (POLICY R17).
        desk.get_by_role("link", name="Open the chat with Ana Client").click()
        desk.get_by_role("button", name="End the conversation").click()
        expect(client.locator("[data-chat-status]")).to_contain_text("The conversation has ended.")
        client.get_by_role("link", name="Rate this conversation").click()
        client.get_by_label("4").check()
        client.get_by_label("Comment (optional)").fill("Quick and kind")
        client.get_by_role("button", name="Send the rating").click()
        expect(client.get_by_text("Thank you for your rating.")).to_be_visible()
    finally:
        client_ctx.close()
        staff_ctx.close()


def test_refusals_and_nobody_online(
    browser: Browser, servers: tuple[str, str], make_user: Any, db: Any
) -> None:
    base = servers[0]
    starter = make_user(name="Small Firm", plan="starter", password=PASSWORD)
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    ctx = _context(browser)
    page = ctx.new_page()
    try:
        _log_in(page, base, starter.email)
        page.goto(f"{base}/chat")
        expect(page.get_by_text("The chat is not open to you")).to_be_visible()
        expect(page.get_by_role("link", name="Write to the support inbox instead")).to_be_visible()
        page.get_by_role("button", name="Log out").click()

        # Nobody online: the message becomes a support request (R3).
        _log_in(page, base, member.email)
        page.goto(f"{base}/chat")
        expect(page.get_by_text("Nobody of the team is online now")).to_be_visible()
        page.get_by_label("Your message").fill("Is anyone there?")
        page.get_by_role("button", name="Send as a support request").click()
        expect(page.get_by_text("your message is a support request")).to_be_visible()
        expect(page.get_by_text("Is anyone there?")).to_be_visible()
    finally:
        ctx.close()


def test_a_restricted_client_is_refused_with_the_reason(
    browser: Browser, servers: tuple[str, str], make_user: Any, db: Any
) -> None:
    from academy.conduct.models import Incident, IncidentReview, Restriction

    base = servers[0]
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    staff = make_user("staff", name="Ioana Staff")
    incident = Incident(client_id=member.id, reported_by_id=staff.id, category="other",
                        description="x")  # fmt: skip
    db.session.add(incident)
    db.session.flush()
    review = IncidentReview(incident_id=incident.id, reviewer_id=staff.id, measure="permanent",
                            reason="r")  # fmt: skip
    db.session.add(review)
    db.session.flush()
    db.session.add(Restriction(user_id=member.id, review_id=review.id, permanent=True))
    db.session.commit()
    ctx = _context(browser)
    page = ctx.new_page()
    try:
        _log_in(page, base, member.email)
        page.goto(f"{base}/chat")
        expect(page.get_by_text("The chat is not open to you")).to_be_visible()
        expect(page.locator(".notice--blocked")).to_contain_text("restricted")
    finally:
        ctx.close()


@pytest.mark.app_config(REDIS_URL="")
def test_the_embedded_default_needs_no_other_service(
    browser: Browser, live_server: str, make_user: Any
) -> None:
    """`make run`: one process, SQLite, the broker in memory; a message each way, live."""
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    staff = make_user("staff", name="Ioana Staff", password=PASSWORD)
    services.set_presence(staff, True)
    client_ctx, staff_ctx = _context(browser), _context(browser)
    client, desk = client_ctx.new_page(), staff_ctx.new_page()
    try:
        _log_in(client, live_server, member.email)
        _log_in(desk, live_server, staff.email)
        client.goto(f"{live_server}/chat")
        client.get_by_label("Your message").fill("One process only")
        client.get_by_role("button", name="Send to the team").click()
        desk.goto(f"{live_server}/staff/chat")
        desk.get_by_role("button", name="Take the chat with Ana Client").click()
        expect(desk.locator("[data-chat-log]")).to_contain_text("One process only")
        desk.get_by_label("Your message").fill("Answered in memory")
        desk.get_by_label("Your message").press("Enter")
        expect(client.locator("[data-chat-log]")).to_contain_text("Answered in memory")
        client.get_by_label("Your message").fill("Got it")
        client.get_by_label("Your message").press("Enter")
        expect(desk.locator("[data-chat-log]")).to_contain_text("Got it")
    finally:
        client_ctx.close()
        staff_ctx.close()


def test_a_message_sent_after_the_pages_token_expired_arrives(
    browser: Browser, live_server: str, make_user: Any
) -> None:
    """A chat page open longer than a CSRF token lives: the refused send (400) fetches a fresh
    token and is sent again, once; the next send uses the token that answer brought."""
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    staff = make_user("staff", name="Ioana Staff", password=PASSWORD)
    services.set_presence(staff, True)
    ctx = _context(browser)
    page = ctx.new_page()
    try:
        _log_in(page, live_server, member.email)
        page.goto(f"{live_server}/chat")
        page.get_by_label("Your message").fill("First")
        page.get_by_role("button", name="Send to the team").click()
        expect(page.locator("[data-chat-log]")).to_contain_text("First")
        # What an hour does to the page's token.
        page.evaluate(
            """() => {
              document.querySelector("[data-chat]").dataset.csrf = "expired";
              for (const i of document.querySelectorAll('input[name="csrf_token"]'))
                i.value = "expired";
            }"""
        )
        page.get_by_label("Your message").fill("After an hour")
        page.get_by_label("Your message").press("Enter")
        # Sent, not failed: the server's answer replaced the pending bubble.
        expect(page.locator(".chat__message--pending")).to_have_count(0)
        expect(page.locator(".chat__message--failed")).to_have_count(0)
        expect(page.locator("[data-chat-error]")).to_have_text("")
        page.get_by_label("Your message").fill("And again")
        page.get_by_label("Your message").press("Enter")
        expect(page.locator("[data-chat-log]")).to_contain_text("And again")
        # The bubble shows at once; wait for the answer before the browser goes away.
        expect(page.locator(".chat__message--pending")).to_have_count(0)
        expect(page.locator(".chat__message--failed")).to_have_count(0)
    finally:
        ctx.close()
    from academy.chat.models import ChatMessage

    bodies = [m.body for m in ChatMessage.query.order_by(ChatMessage.id) if m.kind == "text"]
    assert bodies == ["First", "After an hour", "And again"]


@pytest.mark.app_config(CHAT_STREAMS_PER_USER=1, CHAT_KEEPALIVE_SECONDS=0.5)
def test_a_refused_stream_is_opened_again_with_backoff(
    browser: Browser, live_server: str, make_user: Any
) -> None:
    """A stream answered 429 (here: a second tab over the cap of one) closes EventSource for
    good; the page opens a new one after a pause, from the last message it shows, and the
    team's answer arrives once the first tab is closed."""
    member = make_user(name="Ana Client", plan="business", password=PASSWORD)
    staff = make_user("staff", name="Ioana Staff", password=PASSWORD)
    services.set_presence(staff, True)
    conv = services.start(member, "Two tabs").conversation
    ctx = _context(browser)
    first, second = ctx.new_page(), ctx.new_page()
    try:
        _log_in(first, live_server, member.email)
        first.goto(f"{live_server}/chat")
        expect(first.locator("[data-chat-status]")).to_have_text("Connected.")
        second.goto(f"{live_server}/chat")
        expect(second.locator("[data-chat-status]")).to_have_text("Connection lost. Reconnecting…")
        first.close()
        services.post(conv, staff, "Answer after the refusal")
        expect(second.locator("[data-chat-log]")).to_contain_text(
            "Answer after the refusal", timeout=20_000
        )
        expect(second.locator("[data-chat-status]")).to_have_text("Connected.")
    finally:
        ctx.close()


def test_a_queue_change_during_the_consoles_fetch_is_fetched_again(
    browser: Browser, live_server: str, make_user: Any, app: Any
) -> None:
    """The console reloads its queue on each `queue` event; one that arrives while a reload
    is on its way is not dropped: the queue is fetched again after it."""
    import time

    staff = make_user("staff", name="Ioana Staff", password=PASSWORD)
    services.set_presence(staff, True)
    first, later = (make_user(name=n, plan="business") for n in ("Ana Client", "Dan Later"))
    services.start(first, "Waiting first")
    ctx = _context(browser)
    desk = ctx.new_page()
    calls: list[int] = []

    def slow_first_fetch(route: Any) -> None:
        calls.append(1)
        if len(calls) > 1:
            route.continue_()
            return
        stale = route.fetch()  # the queue before Dan writes
        from academy.extensions import db

        with app.app_context():  # the handler runs outside the test's context
            services.start(db.session.get(type(later), later.id), "Arrived meanwhile")
        time.sleep(1)
        route.fulfill(response=stale)

    try:
        _log_in(desk, live_server, staff.email)
        desk.route("**/staff/chat/queue", slow_first_fetch)
        desk.goto(f"{live_server}/staff/chat")
        expect(desk.locator("[data-queue]")).to_contain_text("Dan Later", timeout=10_000)
        assert len(calls) >= 2
    finally:
        ctx.close()
