"""The staff lists' rows kept rendered (core.caching): the schedule, the feedback triage and
the support inbox are the same for every member of staff with the same filters, so their rows
are kept under a digest of what they show. A change shows at once, and each viewer gets their
own zone and language (issue 15)."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from academy.feedback.models import FeedbackKind
from academy.feedback.services import leave_feedback
from academy.support.models import SupportRequest
from tests.fixtures.accounts import log_in

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC


def test_the_kept_schedule_follows_each_change_in_each_viewers_zone(
    app, client, clock, make_user, make_host, book
):
    host = make_host(name="Mihai Ionescu")
    here, there, elsewhere = client, app.test_client(), app.test_client()
    log_in(here, make_user("staff", timezone="Europe/Bucharest"))
    log_in(there, make_user("staff", timezone="America/New_York"))
    log_in(elsewhere, make_user("staff", timezone="Europe/Bucharest", language="ro"))
    book(make_user(name="Ana Popescu"), host, FRI_9)
    for _ in range(2):  # the second time from the kept rows
        mine, theirs, romanian = (
            b.get("/staff/sessions?host=").text for b in (here, there, elsewhere)
        )
        assert "Ana Popescu" in mine and "Ana Popescu" in theirs and "Ana Popescu" in romanian
        assert "9:00\u202fAM (Europe/Bucharest)" in mine and "Confirmed" in mine
        assert "2:00\u202fAM (America/New York)" in theirs
        assert "09:00 (Europe/Bucharest)" in romanian and "Confirmată" in romanian

    book(make_user(name="Dan Stoica"), host, FRI_9.replace(hour=9))
    for browser in (here, there, elsewhere):
        assert "Dan Stoica" in browser.get("/staff/sessions?host=").text


def test_the_kept_triage_follows_each_change(client, make_user):
    staff = log_in(client, make_user("staff", name="Mihai"))
    item = leave_feedback(kind=FeedbackKind.GENERAL, user=make_user(), message="Dark mode?")
    for _ in range(2):
        page = client.get("/staff/feedback").text
        assert "Dark mode?" in page and ">New</span>" in page
    client.post(
        f"/staff/feedback/{item.id}",
        data={"status": "in_review", "assignee": str(staff.id), "answer": ""},
    )
    page = client.get("/staff/feedback").text
    assert ">In review</span>" in page and ">New</span>" not in page
    assert "<td>Mihai</td>" in page
    leave_feedback(kind=FeedbackKind.GENERAL, user=make_user(), message="An app for phones?")
    assert "An app for phones?" in client.get("/staff/feedback").text


def test_the_kept_inbox_follows_its_r3_clocks_and_each_change(app, db, client, clock, make_user):
    """POLICY R3: the rows are kept under what their clocks say, so the words move on with
    the clock ("12 hours left", then "soon", minute by minute, then late) though the rows do not."""
    log_in(client, make_user())
    client.post("/support/requests/new", data={"subject": "Invoice not sent", "body": "x"})
    staff, romanian = client, app.test_client()
    staff_id = log_in(staff, make_user("staff", name="Mihai")).id
    log_in(romanian, make_user("staff", language="ro", timezone="Europe/Bucharest"))
    new_york = app.test_client()
    log_in(new_york, make_user("staff", timezone="America/New_York"))

    def row(browser):
        page = browser.get("/staff/inbox?status=all").text
        return page[page.index("Invoice not sent") : page.index("</tr>", page.index("Invoice"))]

    clock.advance(timedelta(hours=12))
    for _ in range(2):  # the second time from the kept rows
        assert "12 hours left" in row(staff) and "clock--soon" not in row(staff)
        assert "12 hours left" in row(staff) and "(Europe/Bucharest)" in row(staff)
        assert "12 ore" in row(romanian) and "(America/New York)" in row(new_york)
    clock.advance(timedelta(hours=11))
    assert "60 minutes left" in row(staff) and "clock--soon" in row(staff)
    clock.advance(timedelta(minutes=1))
    assert "59 minutes left" in row(staff)
    clock.advance(timedelta(hours=3))
    assert "2 hours late" in row(staff) and "clock--late" in row(staff)

    assert ">Open</span>" in row(staff) and "<td>\u2013</td>" in row(staff)
    request_id = db.session.scalar(sa.select(SupportRequest.id))
    staff.post(
        f"/staff/inbox/{request_id}",
        data={"set-status": "pending", "set-assignee": str(staff_id), "set-client_email": ""},
    )
    assert ">Waiting for the client</span>" in row(staff) and "<td>Mihai</td>" in row(staff)
