"""Password reset by an emailed, signed, single-use, expiring link, sent over real SMTP."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.notifications.dispatcher import dispatch_due
from academy.notifications.models import OutboxMessage


def _link(message) -> str:
    body = message.get_body(("plain",)).get_content()
    return re.search(r"http://localhost(/password/reset/\S+)", body).group(1)


def test_reset_link_arrives_by_email_and_works_once(client, make_user, smtp, clock):
    user = make_user(password="old-password-1", name="Radu Enache")
    r = client.post("/password/forgot", data={"email": user.email})
    assert "Check your email" in r.text
    assert smtp.messages == []  # nothing is sent inside the request (outbox)
    assert dispatch_due().sent == 1
    [mail] = smtp.to(user.email)
    assert mail["Subject"] == "Reset your TaxDome Academy password"
    assert "Radu Enache" in mail.get_body(("html",)).get_content()
    link = _link(mail)

    assert "Choose a new password" in client.get(link).text
    r = client.post(link, data={"password": "new-password-1", "confirm": "new-password-1"})
    assert r.status_code == 302
    client.post("/logout")
    login = client.post("/login", data={"email": user.email, "password": "new-password-1"})
    assert login.status_code == 302

    # Used once: the same link no longer works.
    again = client.get(link)
    assert again.status_code == 400 and "already been used" in again.text


def test_reset_for_unknown_email_looks_the_same_and_sends_nothing(client, db):
    r = client.post("/password/forgot", data={"email": "nobody@example.com"})
    assert "Check your email" in r.text
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_reset_link_expires_after_an_hour(client, make_user, smtp, clock):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    dispatch_due()
    link = _link(smtp.to(user.email)[0])
    clock.advance(timedelta(hours=1, seconds=1))
    r = client.get(link)
    assert r.status_code == 400 and "has expired" in r.text


def test_tampered_reset_link_is_a_clear_page_not_a_500(client):
    for token in ["garbage", "eyJ1aWQiOjF9.AAAA.BBBB", "x" * 300]:
        r = client.get(f"/password/reset/{token}")
        assert r.status_code == 400
        assert "This link does not work" in r.text


def test_mismatched_new_passwords_are_shown_beside_the_field(client, make_user, smtp):
    user = make_user()
    client.post("/password/forgot", data={"email": user.email})
    dispatch_due()
    link = _link(smtp.to(user.email)[0])
    r = client.post(link, data={"password": "new-password-1", "confirm": "new-password-2"})
    assert r.status_code == 200 and 'id="confirm-error"' in r.text


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
def test_reset_is_rate_limited(client):
    codes = [
        client.post("/password/forgot", data={"email": "a@example.com"}).status_code
        for _ in range(3)
    ]
    assert codes == [200, 200, 429]
