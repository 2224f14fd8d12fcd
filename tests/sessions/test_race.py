"""POLICY R7: one client per slot, even when 50 requests for it arrive at the same instant.

Real concurrent HTTP requests against the app served on loopback; the database settles it
(no two scheduled occurrences of a host overlap), on SQLite and on PostgreSQL.
"""

import http.client
import threading
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
import sqlalchemy as sa

from academy.scheduling.models import Booking, Occurrence, OccurrenceStatus

FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
CLIENTS = 50


def _post(base: str, path: str, form: dict, cookie: str = "") -> tuple[int, str, str]:
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request("POST", path, body=urlencode(form), headers=headers)
    response = conn.getresponse()
    response.read()
    result = (
        response.status,
        response.getheader("Location") or "",
        response.getheader("Set-Cookie") or "",
    )
    conn.close()
    return result


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 20, "max_overflow": 40})
def test_r7_fifty_clients_confirm_the_same_slot_at_once(
    db, clock, live_server, make_host, make_user
):
    host = make_host()
    users = [make_user(password="race-password-1") for _ in range(CLIENTS)]
    cookies = []
    for user in users:
        status, _, set_cookie = _post(
            live_server, "/login", {"email": user.email, "password": "race-password-1"}
        )
        assert status == 302
        morsel = SimpleCookie(set_cookie)["session"]
        cookies.append(f"session={morsel.value}")

    barrier = threading.Barrier(CLIENTS)
    results: list[tuple[int, str, str]] = []
    lock = threading.Lock()

    def confirm(cookie: str) -> None:
        barrier.wait()
        outcome = _post(
            live_server,
            "/sessions/quick-assist/book",
            {"host": host.id, "start": FRI_9.isoformat()},
            cookie,
        )
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=confirm, args=(c,)) for c in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)

    statuses = sorted(r[0] for r in results)
    assert statuses == [302] * CLIENTS, statuses  # nobody got an error page
    won = [r for r in results if "/sessions/bookings/" in r[1]]
    lost = [r for r in results if r[1].endswith("/sessions/quick-assist/?week=0")]
    assert len(won) == 1 and len(lost) == CLIENTS - 1
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Booking.id))) == 1
    scheduled = sa.select(sa.func.count(Occurrence.id)).where(
        Occurrence.status == OccurrenceStatus.SCHEDULED
    )
    assert db.session.scalar(scheduled) == 1
