"""The terms page (POLICY R18, R19): generated from the policy, versioned, accepted first."""

import sqlalchemy as sa

from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel
from academy.terms.models import TermsAcceptance


def test_terms_page_shows_the_enforced_durations_in_both_languages(client):
    html = client.get("/terms").text
    assert "Version 2024-03-01" in html and "help@taxdome.com" in html  # R19
    assert "at least 24 hours before the start" in html  # R10, from Policy.notice
    assert "48 hours, 24 hours, and 1 hour" in html  # R8, from Policy.email_reminders
    assert "30 minutes before" in html
    assert "within 12 months" in html and "6 months after" in html  # R15
    ro = client.get("/terms", headers={"Accept-Language": "ro"}).text
    assert '<html lang="ro">' in ro and "24" in ro


def test_terms_page_follows_the_clients_plan(client, db, login, make_user):
    """The page is generated from the policy objects, with the reader's plan's figures."""
    from academy.accounts.models import Plan

    pro = db.session.scalar(sa.select(Plan).where(Plan.code == "pro"))
    pro.terms = {
        **pro.terms,
        "notice_hours": 48,
        "noshow_penalty": "cooldown",
        "cooldown_months": 3,
    }
    db.session.commit()
    login(make_user(plan="pro"))
    html = client.get("/terms").text
    assert "at least 48 hours before the start" in html
    assert "booked only 3 months after the most recent no-show (your firm\u2019s plan)" in html
    login(make_user(plan="business"))
    assert "at least 24 hours before the start" in client.get("/terms").text


def test_r18_first_booking_needs_acceptance_then_it_is_recorded(
    client, db, login, make_user, make_host, clock
):
    make_host()
    member = login(make_user(accepted_terms=False))
    decision = can_use(member, Channel.SESSIONS)
    assert not decision and decision.rule == "R18"
    page = client.get("/sessions/").text
    assert "Please read and accept the current support terms" in page
    assert "/terms?next=/sessions/" in page
    terms = client.get("/terms?next=/sessions/").text
    assert "I accept these terms" in terms
    r = client.post("/terms/accept", data={"next": "/sessions/"})
    assert r.headers["Location"] == "/sessions/"
    acceptance = db.session.scalar(sa.select(TermsAcceptance))
    assert acceptance.user_id == member.id and acceptance.accepted_at == clock.now()
    assert can_use(member, Channel.SESSIONS)
    assert "You accepted this version" in client.get("/terms").text


def test_r18_a_new_version_must_be_accepted_again(client, login, make_user, clock):
    member = make_user()
    assert can_use(member, Channel.SESSIONS)
    staff = login(make_user("staff"))
    clock.advance(__import__("datetime").timedelta(days=1))
    r = client.post("/staff/terms", data={"label": "2027-01-01", "summary": "New fees."})
    assert r.status_code == 302 and staff
    assert can_use(member, Channel.SESSIONS).rule == "R18"
    dup = client.post("/staff/terms", data={"label": "2027-01-01"})
    assert 'id="label-error"' in dup.text
    # Help and the terms stay readable whatever happens.
    login(member)
    assert client.get("/terms").status_code == 200 and client.get("/help/").status_code == 200
