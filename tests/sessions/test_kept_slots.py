"""The week of free times is kept rendered (core.caching), shared by every client looking at
the same week: under a key of what it shows, so a booking takes its time off at once, each
zone gets its own times and a change page's forms carry the session's own CSRF token
(issue 15)."""

import re
from datetime import UTC, datetime

import pytest

from tests.fixtures.accounts import log_in

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # Friday 09:00 Bucharest; now: Wed 10:00 UTC
SLOT = 'value="2026-11-27T07:00:00+00:00"'
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def host(clock, make_host):
    return make_host(name="Mihai Ionescu")


def _friday(html: str) -> str:
    return (
        html.split("</h2>", 1)[0]
        if "Friday, 27 November" not in html
        else (html.split(">Friday, 27 November</h2>")[1].split("</section>")[0])
    )


def test_a_booked_time_leaves_every_clients_kept_week(app, client, make_user, host, book):
    here, there = client, app.test_client()
    log_in(here, make_user(timezone="Europe/Bucharest"))
    log_in(there, make_user(timezone="America/New_York"))
    for _ in range(2):  # the second time from the kept copy
        week_here = here.get("/sessions/quick-assist/").text
        week_there = there.get("/sessions/quick-assist/").text
        assert SLOT in _friday(week_here) and SLOT in _friday(week_there)
        assert '<span class="slot__time">9:00\u202fAM</span>' in _friday(week_here)
        assert '<span class="slot__time">2:00\u202fAM</span>' in _friday(week_there)

    book(make_user(), host, FRI_9)
    assert SLOT not in here.get("/sessions/quick-assist/").text
    assert SLOT not in there.get("/sessions/quick-assist/").text
    assert 'value="2026-11-27T07:30:00+00:00"' in here.get("/sessions/quick-assist/").text


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_the_change_pages_kept_week_carries_the_sessions_own_token(
    app, client, make_user, host, book
):
    me = make_user()
    booking = book(me, host, FRI_9)
    log_in(client, me)
    url = f"/sessions/bookings/{booking.id}/change"
    for _ in range(2):
        page = client.get(url).text
        tokens = set(TOKEN.findall(page))
        assert len(tokens) == 1 and "_slot__" not in page  # one token: the log-out form's too
        assert 'value="2026-11-27T07:30:00+00:00"' in page
    # Another session of the same client gets its own token in the same kept week.
    other = app.test_client()
    log_in(other, me)
    assert set(TOKEN.findall(other.get(url).text)) != tokens
