"""Attendance and the no-show ledger through the services and pages (POLICY R10, R12-R16)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from academy.core.errors import DomainError
from academy.notifications.models import OutboxMessage
from academy.scheduling import attendance, services
from academy.scheduling.access import can_use
from academy.scheduling.models import Booking, NoShow, Notice, Outcome
from academy.scheduling.policy import Channel
from tests.fixtures.app import request_context

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


@pytest.fixture
def host(clock, make_host):
    return make_host()


def _mark(app, booking, outcome, by, note=""):
    with request_context(app):
        return attendance.mark_outcome(booking, outcome, by=by, note=note)


def _mails(db, user, kind):
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.user_id == user.id, OutboxMessage.kind == kind)
    ).all()


def test_r12_outcome_only_after_the_start(app, book, make_user, host, clock):
    booking = book(make_user(), host, FRI_9)
    with pytest.raises(DomainError, match="once the session has started"):
        _mark(app, booking, Outcome.ATTENDED, host)
    clock.freeze(FRI_9)
    _mark(app, booking, Outcome.ATTENDED, host)
    assert booking.outcome == Outcome.ATTENDED and booking.outcome_by_id == host.id
    with pytest.raises(DomainError, match="already recorded"):
        _mark(app, booking, Outcome.NO_SHOW, host)


def test_r12_r14_first_no_show_warns_by_email_and_notice(app, db, book, make_user, host, clock):
    client = make_user()
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 + timedelta(minutes=10))
    _mark(app, booking, Outcome.NO_SHOW, host)
    [no_show] = db.session.scalars(sa.select(NoShow)).all()
    assert (no_show.user_id, no_show.source, no_show.occurred_at) == (client.id, "absent", FRI_9)
    assert [n.kind for n in db.session.scalars(sa.select(Notice))] == ["noshow_warning"]
    [warning] = _mails(db, client, "noshow_warning")
    assert "second no-show happens within 12 months" in warning.body_text
    assert can_use(client, Channel.SESSIONS).allowed  # a warning changes nothing yet


def test_r13_interrupted_is_not_a_no_show_and_recommends_rebooking(  # POLICY R13
    app, db, book, make_user, host, clock
):
    client = make_user()
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 + timedelta(minutes=20))
    _mark(app, booking, Outcome.INTERRUPTED, host, note="We called twice.")
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0
    [mail] = _mails(db, client, "session_interrupted")
    assert "We called twice." in mail.body_text and "/sessions/quick-assist/" in mail.body_text


def test_r10_r12_a_late_cancel_counts_as_a_no_show(app, db, book, make_user, host, clock):
    client = make_user()
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=2))
    with request_context(app):
        services.cancel(booking, by=client, via="account", late_ok=True)
    [no_show] = db.session.scalars(sa.select(NoShow)).all()
    assert no_show.source == "late_change" and no_show.occurred_at == clock.now()


def test_r10_an_on_time_cancel_is_not_a_no_show(app, db, book, make_user, host, clock):
    client = make_user()
    booking = book(client, host, FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=24))
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 0


def _two_no_shows(app, book, client, host, clock):
    first = book(client, host, FRI_9)
    clock.freeze(FRI_9 + timedelta(hours=1))
    _mark(app, first, Outcome.NO_SHOW, host)
    second = book(client, host, FRI_9 + timedelta(days=7))
    clock.freeze(FRI_9 + timedelta(days=7, hours=1))
    _mark(app, second, Outcome.NO_SHOW, host)


def test_r15_cooldown_plan_refuses_booking_until_six_months_after(
    app, db, book, make_user, host, clock
):
    client = make_user(plan="business")  # the Business plan's setting is the cooldown
    _two_no_shows(app, book, client, host, clock)
    assert [n.kind for n in db.session.scalars(sa.select(Notice).order_by(Notice.id))] == [
        "noshow_warning",
        "noshow_penalty",
    ]
    decision = can_use(client, Channel.SESSIONS)
    assert not decision.allowed and decision.rule == "R15"
    assert decision.not_before == datetime(2027, 6, 4, 7, 0, tzinfo=UTC)
    with pytest.raises(DomainError, match="from June 4, 2027"):
        book(client, host, FRI_9 + timedelta(days=14))
    clock.freeze(datetime(2027, 6, 4, 7, 0, tzinfo=UTC))
    assert can_use(client, Channel.SESSIONS).allowed


def test_r15_fee_plan_requires_acknowledging_the_fee_once(
    app, db, book, offering, make_user, host, clock
):
    client = make_user(plan="pro")  # the Pro plan's setting is a fee
    _two_no_shows(app, book, client, host, clock)
    decision = can_use(client, Channel.SESSIONS)
    assert decision.allowed and decision.fee_required
    later = FRI_9 + timedelta(days=9)
    with request_context(app), pytest.raises(DomainError, match="accept the fee"):
        services.book_one_on_one(client, offering(), host.id, later)
    with request_context(app):
        booking = services.book_one_on_one(
            client, offering(), host.id, later, fee_acknowledged=True
        )
    assert booking.fee_owed == 50
    assert not getattr(can_use(client, Channel.SESSIONS), "fee_required", False)  # only once


def test_excusing_a_no_show_keeps_it_and_it_stops_counting(app, db, book, make_user, host, clock):
    client = make_user(plan="business")
    _two_no_shows(app, book, client, host, clock)
    latest = db.session.scalars(sa.select(NoShow).order_by(NoShow.id.desc())).first()
    with pytest.raises(DomainError, match="Say why"):
        attendance.excuse(latest, by=host, reason=" ")
    attendance.excuse(latest, by=host, reason="Our host was ill")
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 2
    assert can_use(client, Channel.SESSIONS).allowed


def test_staff_pages_show_the_history_and_list(
    app, db, client, login, book, make_user, host, clock
):
    member = make_user(plan="business", name="Ana Popescu")
    _two_no_shows(app, book, member, host, clock)
    login(host)
    listing = client.get("/staff/no-shows").text
    assert "Ana Popescu" in listing and "<strong>2</strong>" in listing
    page = client.get(f"/staff/clients/{member.id}").text
    assert "After a second no-show within 12 months" in page
    no_show = db.session.scalars(sa.select(NoShow)).first()
    r = client.post(
        f"/staff/no-shows/{no_show.id}/excuse",
        data={"reason": "Our mistake"},
        follow_redirects=True,
    )
    assert "no longer counts" in r.text and 'class="excused"' in r.text
    booking = db.session.scalars(sa.select(Booking).order_by(Booking.id)).first()
    assert "No-show" in client.get(f"/sessions/bookings/{booking.id}").text


def test_client_home_shows_the_notice_and_booking_page_the_fee(
    app, client, login, book, make_user, host, clock
):
    member = make_user(plan="pro")
    _two_no_shows(app, book, member, host, clock)
    login(member)
    home = client.get("/").text
    assert "A second no-show within 12 months" in home
    assert "your next session carries a fee" in home
    start = (FRI_9 + timedelta(days=9)).isoformat()
    confirm = client.get(
        "/sessions/quick-assist/book", query_string={"host": host.id, "start": start}
    ).text
    assert "This session carries a fee of 50 EUR." in confirm
    r = client.post("/sessions/quick-assist/book", data={"host": host.id, "start": start})
    assert r.status_code == 200 and 'id="fee-error"' in r.text
    r = client.post(
        "/sessions/quick-assist/book", data={"host": host.id, "start": start, "fee": "y"}
    )
    assert r.status_code == 302


def test_staff_mark_outcome_from_the_booking_page(
    app, db, client, login, book, make_user, host, clock
):
    booking = book(make_user(), host, FRI_9)
    login(host)
    assert "once the session has started" in client.get(f"/sessions/bookings/{booking.id}").text
    clock.freeze(FRI_9 + timedelta(minutes=15))
    r = client.post(
        f"/staff/bookings/{booking.id}/outcome", data={"outcome": "no_show"}, follow_redirects=True
    )
    assert "The outcome has been recorded." in r.text
    assert db.session.scalar(sa.select(sa.func.count(NoShow.id))) == 1


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_r14_the_home_notice_is_dismissed_with_the_pages_own_form(
    app, db, client, login, book, make_user, host, clock
):
    """The notice's Dismiss form carries the page's CSRF token (one token for the page, no
    form object per notice); posting it dismisses the notice, and another client's is a 404."""
    member = make_user(plan="business")
    _two_no_shows(app, book, member, host, clock)
    other = make_user(plan="business")
    theirs = Notice(user_id=other.id, kind="warning")
    db.session.add(theirs)
    db.session.commit()
    login(member)
    home = client.get("/").text
    action, token = re.search(
        r'<form method="post" action="([^"]*/notices/\d+/dismiss)"[^>]*>\s*'
        r'<input type="hidden" name="csrf_token" value="([^"]+)">',
        home,
    ).groups()
    assert client.post(action).status_code == 400  # no token, nothing dismissed
    assert "A second no-show within 12 months" in client.get("/").text
    after = client.post(action, data={"csrf_token": token}, follow_redirects=True).text
    assert "The notice is dismissed." in after
    assert "A second no-show within 12 months" not in after
    foreign = re.sub(r"/notices/\d+/", f"/notices/{theirs.id}/", action)
    assert client.post(foreign, data={"csrf_token": token}).status_code == 404
    assert db.session.get(Notice, theirs.id).dismissed_at is None
