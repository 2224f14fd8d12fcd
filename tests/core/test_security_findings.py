"""Issue 13 (OWASP ASVS Level 2): one test, at least, per finding of the attack report.

Each section is named after the finding it proves fixed. Tests marked `LEAD` exercise code the
lead engineer owns on the reliability branch (academy/sessions/views.py,
academy/workshops/views.py, academy/scheduling/*); they fail on this branch alone and pass once
both branches are merged.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from academy.notifications.models import OutboxMessage

LEAD = "needs the lead's request parsing in sessions/workshops views (issue 13, their part)"


def _outbox(db, kind: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)))


# --- 1. High: password-reset poisoning; every emailed link comes from BASE_URL -----------------


@pytest.mark.app_config(BASE_URL="https://academy.example")
def test_1_forgot_password_with_a_foreign_host_is_refused_and_sends_nothing(client, db, make_user):
    user = make_user()
    r = client.post(
        "/password/forgot", data={"email": user.email}, headers={"Host": "evil.example"}
    )
    assert r.status_code == 400
    assert _outbox(db, "password_reset") == []


@pytest.mark.app_config(
    BASE_URL="https://academy.example", TRUSTED_HOSTS=["academy.example", "www.academy.example"]
)
def test_1_reset_link_comes_from_base_url_not_from_the_request(client, db, make_user):
    user = make_user()
    r = client.post(
        "/password/forgot", data={"email": user.email}, base_url="http://www.academy.example"
    )
    assert "Check your email" in r.text
    [mail] = _outbox(db, "password_reset")
    links = re.findall(r"\S+/password/reset/\S+", mail.body_text)
    assert links
    assert all(link.startswith("https://academy.example/password/reset/") for link in links)
    assert "www.academy.example" not in mail.body_text + (mail.body_html or "")


def test_1_behind_a_proxy_x_forwarded_host_is_ignored(make_app, make_user):
    user = make_user()
    proxied = make_app(BASE_URL="https://academy.example", TRUST_PROXY=True)
    with proxied.app_context():
        from academy.extensions import db

        r = proxied.test_client().post(
            "/password/forgot",
            data={"email": user.email},
            base_url="http://academy.example",
            headers={"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"},
        )
        assert "Check your email" in r.text
        [mail] = _outbox(db, "password_reset")
        db.session.remove()
    assert "evil.example" not in mail.body_text
    assert "https://academy.example/password/reset/" in mail.body_text


@pytest.mark.app_config(BASE_URL="https://academy.example/")
def test_1_booking_rating_certificate_and_feed_links_come_from_base_url(app):
    """Booking change/cancel, rating, certificate and feed links go through external_url."""
    from academy.core.urls import external_url

    with app.test_request_context("/", base_url="http://evil.example"):
        for endpoint, values in [
            ("sessions.email_change", {"token": "t"}),
            ("sessions.email_cancel", {"token": "t"}),
            ("sessions.email_rate", {"token": "t"}),
            ("courses.certificate", {"code": "TDA-ABCD-EFGH-JKMN"}),
            ("sessions.feed", {"token": "t"}),
            ("accounts.reset_password", {"token": "t"}),
        ]:
            url = external_url(endpoint, **values)
            assert url.startswith("https://academy.example/"), url
            assert "evil" not in url


def test_1_an_unknown_host_is_refused_on_every_page(client):
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/").status_code == 200
    assert client.get("/", base_url="http://127.0.0.1:5000").status_code == 200


# --- 2. Medium: login timing tells which emails have accounts -----------------------------------


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts argon2 verifications and hashes (the work that took 110 ms against 240 ms)."""
    from argon2 import PasswordHasher

    calls = {"verify": 0, "hash": 0}
    verify, hash_ = PasswordHasher.verify, PasswordHasher.hash

    def counting_verify(self, *args, **kwargs):
        calls["verify"] += 1
        return verify(self, *args, **kwargs)

    def counting_hash(self, *args, **kwargs):
        calls["hash"] += 1
        return hash_(self, *args, **kwargs)

    monkeypatch.setattr(PasswordHasher, "verify", counting_verify)
    monkeypatch.setattr(PasswordHasher, "hash", counting_hash)

    def measure(do):
        before = dict(calls)
        do()
        return {k: calls[k] - before[k] for k in calls}

    return measure


def test_2_login_does_the_same_argon2_work_for_known_and_unknown_emails(
    client, make_user, argon2_calls
):
    user = make_user(password="right-password-1")

    def attempt(email):
        return lambda: client.post("/login", data={"email": email, "password": "wrong-guess-1"})

    known = [argon2_calls(attempt(user.email)) for _ in range(3)]
    unknown = [argon2_calls(attempt(f"nobody{i}@example.com")) for i in range(3)]
    assert known == unknown == [{"verify": 1, "hash": 0}] * 3
