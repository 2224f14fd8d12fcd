"""Flows found broken walking the site as its users (issue 19), walked again in chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
import vobject
from playwright.sync_api import Page, expect

from academy.notifications.dispatcher import dispatch_due
from academy.scheduling.models import Booking, NoShow
from tests.fixtures.mail import calendar_part
from tests.fixtures.scheduling import THU

PW = "browser-pass-1"
FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


def _log_in(page: Page, email: str) -> None:
    page.context.clear_cookies()
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PW)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")


def _invite(message):
    part = calendar_part(message)
    return vobject.readOne(part.get_content()).vevent


def test_a_client_moves_a_workshop_registration_to_another_date(
    page: Page, shot, app, clock, smtp, make_user, make_workshop, register, db
):
    """Defect 1: moving a registration to another date was a 500 (lazy load of the new
    date's workshop while writing the emails). Now it moves, and the invite follows."""
    host = make_user("staff", name="Workshop Host")
    first = make_workshop(capacity=5, title="Client portal basics", host=host, start=THU)
    offering = first.offering
    from academy.scheduling.workshops import schedule
    from tests.fixtures.app import request_context

    with request_context(app):
        second = schedule(
            offering,
            start=THU + timedelta(days=7),
            minutes=60,
            host=host,
            capacity=5,
            meeting_url="https://meet.example.com/w",
        )
    me = make_user(password=PW, name="Ana Mover")
    booking = register(me, first)
    dispatch_due()

    _log_in(page, me.email)
    page.goto(f"/sessions/bookings/{booking.id}")
    page.get_by_role("link", name="Change the date").click()
    expect(page.get_by_role("heading", name="Change the date")).to_be_visible()
    shot("flows-move-registration")
    page.locator(".wdate", has_text="December 10, 2026").get_by_role(
        "button", name="Move to this date"
    ).click()
    expect(page.get_by_role("heading", name="Your session has moved")).to_be_visible()

    db.session.expire_all()
    assert db.session.get(Booking, booking.id).occurrence_id == second.id
    dispatch_due()
    [moved] = [m for m in smtp.to(me.email) if m["Subject"].startswith("Moved:")]
    [confirmed] = [m for m in smtp.to(me.email) if m["Subject"].startswith("Confirmed:")]
    before, after = _invite(confirmed), _invite(moved)
    assert after.uid.value == before.uid.value
    assert int(after.sequence.value) == int(before.sequence.value) + 1
    assert after.dtstart.value == THU + timedelta(days=7)


def test_a_restricted_clients_home_says_so_and_blocks_the_channels(
    page: Page, shot, clock, make_user, db
):
    """Defect 4: a restricted client's home listed every channel as included."""
    from academy.conduct.models import Incident, IncidentReview, Restriction

    staff = make_user("staff")
    me = make_user(password=PW, name="Radu Restricted")
    incident = Incident(client_id=me.id, reported_by_id=staff.id, category="rude", description="x")
    db.session.add(incident)
    db.session.flush()
    until = datetime(2027, 1, 15, 10, 0, tzinfo=UTC)
    review = IncidentReview(
        incident_id=incident.id, reviewer_id=staff.id, measure="temporary", until=until, reason="y"
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(Restriction(user_id=me.id, review_id=review.id, permanent=False, until=until))
    db.session.commit()

    _log_in(page, me.email)
    notice = page.locator(".notice--blocked", has_text="Your access to support is restricted")
    expect(notice).to_contain_text("until January 15, 2027")
    channels = page.locator(".channel")
    for name in ("1:1 sessions", "Live online workshops", "Chat with the customer success team"):
        row = channels.filter(has_text=name)
        expect(row).to_have_class(re.compile("channel--off"))
        expect(row).to_contain_text("restricted until")
    expect(channels.filter(has_text="Help section")).to_have_class(re.compile("channel--on"))
    shot("flows-restricted-home")


def test_an_emailed_link_opens_in_the_owners_language_and_zone(
    page: Page, shot, clock, smtp, make_host, make_user, book
):
    """Defect 5: pages opened from emailed links were in English with Bucharest times for a
    Romanian user in New York."""
    host = make_host()
    me = make_user(language="ro", timezone="America/New_York", name="Ioana Departe")
    book(me, host, FRI_9)
    dispatch_due()
    [mail] = smtp.to(me.email)
    body = mail.get_body(("plain",)).get_content()
    change = re.search(r"https?://[^/\s]+(/sessions/b/\S+/change)", body).group(1)

    page.context.clear_cookies()  # a browser set to English in Bucharest, nobody logged in
    page.goto(change)
    expect(page.get_by_role("heading", name="Schimbați ora")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "ro")
    # Friday 09:00 in Bucharest is 02:00 in New York, named as such.
    expect(page.locator(".lead")).to_contain_text("2:00")
    expect(page.locator(".lead")).to_contain_text("America/New York")
    shot("flows-email-link-romanian")


def test_a_late_change_asks_once_more_before_it_counts_as_a_no_show(
    page: Page, shot, clock, make_host, make_user, book, db
):
    """Defect 9: the no-show warning was shown, but one click moved the session."""
    host = make_host()
    me = make_user(password=PW)
    booking = book(me, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=5))  # less than 24 hours' notice (R10)

    _log_in(page, me.email)
    page.goto(f"/sessions/bookings/{booking.id}/change")
    expect(page.get_by_text("This change counts as a no-show", exact=True)).to_be_visible()
    page.get_by_role("link", name="Next week").click()
    page.locator("button.slot").first.click()
    expect(page.get_by_role("heading", name="Move it anyway?")).to_be_visible()
    shot("flows-late-change-confirm")
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).ical_sequence == 0  # nothing moved yet
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0

    page.get_by_role("link", name="Keep the current time").click()
    expect(page.get_by_role("heading", name="Quick assist")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).ical_sequence == 0

    page.goto(f"/sessions/bookings/{booking.id}/change")
    page.get_by_role("link", name="Next week").click()
    page.locator("button.slot").first.click()
    page.get_by_role("button", name="Yes, move it — it counts as a no-show").click()
    expect(page.get_by_role("heading", name="Your session has moved")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).ical_sequence == 1
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 1
