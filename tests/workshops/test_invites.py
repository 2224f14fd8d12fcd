"""Workshop invites over real SMTP, read by an independent parser (vobject): one calendar
event per registration whose UID never changes while SEQUENCE rises (POLICY R11)."""

from __future__ import annotations

from datetime import timedelta

import vobject

from academy.notifications.dispatcher import dispatch_due
from academy.scheduling import services
from academy.scheduling.workshops import cancel_occurrence, update_occurrence
from tests.fixtures.app import request_context
from tests.fixtures.mail import calendar_part
from tests.fixtures.scheduling import THU


def _event(message):
    part = calendar_part(message)
    cal = vobject.readOne(part.get_content())
    return cal.method.value, cal.vevent


def test_r11_register_move_cancel_is_one_event(app, make_workshop, make_user, register, smtp):
    occ = make_workshop(capacity=5, title="Invoices in depth")
    client = make_user(name="Ana Popescu", timezone="America/New_York")
    register(client, occ)
    staff = make_user("staff")
    later = THU + timedelta(days=2)
    with request_context(app):
        update_occurrence(
            occ, start=later, minutes=60, host=occ.host, capacity=5, meeting_url="", by=staff
        )
    with request_context(app):
        cancel_occurrence(occ, by=staff)
    dispatch_due()
    mails = smtp.to(client.email)
    assert [m["Subject"] for m in mails] == [
        "Confirmed: Invoices in depth",
        "Moved: Invoices in depth",
        "Cancelled by us: Invoices in depth",
    ]
    events = [_event(m) for m in mails]
    assert [method for method, _ in events] == ["REQUEST", "REQUEST", "CANCEL"]
    assert len({e.uid.value for _, e in events}) == 1
    assert [int(e.sequence.value) for _, e in events] == [0, 1, 2]
    assert events[0][1].dtstart.value == THU
    assert events[1][1].dtstart.value == later
    assert events[2][1].status.value == "CANCELLED"
    # The emails speak the client's zone; the apology says it costs them nothing.
    body = mails[1].get_body(("plain",)).get_content()
    assert "Saturday, December 5, 2026, 4:00\u202fAM (America/New York)" in body
    assert "We had to move this workshop" in body
    assert "does not count against you" in mails[2].get_body(("plain",)).get_content()


def test_r11_a_promoted_client_gets_a_request_after_the_waitlist_note(
    app, make_workshop, make_user, register, smtp
):
    occ = make_workshop(capacity=2, title="Client portal")
    first = make_user()
    seated = register(first, occ)
    register(make_user(), occ)
    waiting_client = make_user()
    register(waiting_client, occ)
    with request_context(app):
        services.cancel(seated, by=first, via="account")
    dispatch_due()
    note, confirmation = smtp.to(waiting_client.email)
    assert note["Subject"] == "Waitlist: Client portal" and not list(note.iter_attachments())
    assert confirmation["Subject"] == "You have a seat: Client portal"
    method, event = _event(confirmation)
    assert method == "REQUEST" and event.dtstart.value == THU
    [cancel] = smtp.to(first.email)[1:]
    assert _event(cancel)[0] == "CANCEL"
