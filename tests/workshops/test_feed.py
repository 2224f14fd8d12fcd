"""The private calendar feed: upcoming workshops and 1:1 sessions, read by vobject."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import vobject

from academy.scheduling import services
from tests.fixtures.app import request_context
from tests.fixtures.scheduling import THU

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def _feed_path(page: str) -> str:
    [webcal] = re.findall(r'href="(webcal://[^"]+)"', page)
    return "/" + webcal.split("/", 3)[3]


def test_feed_lists_upcoming_sessions_and_follows_changes(
    app, client, login, make_workshop, make_user, make_host, register, book
):
    me = make_user(name="Ana Popescu")
    workshop = register(me, make_workshop(title="Invoices in depth"))
    session = book(me, make_host(), FRI_9)
    dropped = register(me, make_workshop(title="Dropped"))
    with request_context(app):
        services.cancel(dropped, by=me, via="account")
    register(make_user(), make_workshop(title="Someone else's"))

    login(me)
    assert "webcal://" not in client.get("/profile").text
    client.post("/account/calendar-feed", data={"action": "new"})
    path = _feed_path(client.get("/profile").text)

    client.get("/logout")
    response = client.get(path)  # a calendar app: no cookie, only the secret in the URL
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = vobject.readOne(response.text)
    events = sorted(cal.vevent_list, key=lambda e: e.dtstart.value)
    assert [e.uid.value for e in events] == [session.ical_uid, workshop.ical_uid]
    assert [e.dtstart.value for e in events] == [FRI_9, THU]
    assert "Invoices in depth" in events[1].summary.value
    assert not hasattr(cal, "method")  # a subscription, not an iTIP message


def test_a_new_link_or_turning_it_off_stops_the_old_one(client, login, make_user):
    login(make_user())
    client.post("/account/calendar-feed", data={"action": "new"})
    old = _feed_path(client.get("/profile").text)
    assert client.get(old).status_code == 200
    client.post("/account/calendar-feed", data={"action": "new"})
    new = _feed_path(client.get("/profile").text)
    assert new != old and client.get(old).status_code == 404
    client.post("/account/calendar-feed", data={"action": "revoke"})
    assert client.get(new).status_code == 404
    assert "webcal://" not in client.get("/profile").text
    assert client.get("/calendar/not-a-token.ics").status_code == 404


def test_the_feed_drops_sessions_that_ended(
    app, client, clock, login, make_workshop, make_user, register
):
    me = login(make_user())
    register(me, make_workshop())
    client.post("/account/calendar-feed", data={"action": "new"})
    path = _feed_path(client.get("/profile").text)
    clock.freeze(THU + timedelta(hours=2))
    cal = vobject.readOne(client.get(path).text)
    assert not hasattr(cal, "vevent")
