"""Sign-up, login, logout: what a visitor sees and what is stored."""

import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher

from academy.accounts.models import Firm, Role, User
from academy.notifications.models import OutboxMessage

SIGNUP = {
    "name": "Ioana Marinescu",
    "email": "Ioana@Example.com",
    "firm": "Marinescu Contabilitate",
    "timezone": "America/New_York",
    "language": "ro",
}


def _signup_link(db, address="ioana@example.com") -> str:
    """The path of the link in the sign-up email (issue 13: the password is chosen there)."""
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.kind == "signup_confirm", OutboxMessage.recipient == address
        )
    )
    return re.search(r"http://localhost(/signup/finish/\S+)", body).group(1)


def test_signup_creates_a_client_with_a_firm_on_the_default_plan(client, db):
    r = client.post("/signup", data=SIGNUP)
    assert r.status_code == 200 and "Check your email" in r.text
    assert db.session.scalar(sa.select(User)) is None  # not before the address is proven
    r = client.post(_signup_link(db), data={"password": "a-long-password"})
    assert r.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "ioana@example.com"))
    assert user.role == Role.CLIENT
    assert user.timezone == "America/New_York" and user.language == "ro"
    firm = db.session.get(Firm, user.firm_id)
    assert firm.name == "Marinescu Contabilitate" and firm.seats == 1
    # Logged in straight away.
    assert "Ioana Marinescu" in client.get("/").text


def test_password_is_stored_as_argon2id(client, db):
    client.post("/signup", data=SIGNUP)
    client.post(_signup_link(db), data={"password": "a-long-password"})
    user = db.session.scalar(sa.select(User))
    assert user.password_hash.startswith("$argon2id$")
    assert "a-long-password" not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, "a-long-password")


def test_signup_errors_are_shown_beside_the_fields_and_input_is_kept(client, db):
    r = client.post("/signup", data={**SIGNUP, "timezone": "Mars/Base"})
    assert r.status_code == 200
    html = r.text
    assert 'id="timezone-error"' in html and "Choose a time zone from the list." in html
    assert 'aria-invalid="true"' in html
    assert 'value="Ioana Marinescu"' in html and 'value="Marinescu Contabilitate"' in html
    client.post("/signup", data=SIGNUP)
    r = client.post(_signup_link(db), data={"password": "short"})
    assert r.status_code == 200
    assert 'id="password-error"' in r.text and "Use at least 10 characters (at most 200)." in r.text


def test_signup_with_a_taken_email_answers_the_same_and_tells_the_owner(client, db, make_user):
    """Issue 13: it used to say "An account with this email already exists" (enumeration)."""
    make_user(email="ioana@example.com")
    taken = client.post("/signup", data=SIGNUP)
    new = client.post("/signup", data={**SIGNUP, "email": "dana@example.com"})
    assert taken.status_code == new.status_code == 200

    # The CSRF token carries a timestamp: two requests a second apart differ only there.
    def page(r):
        return re.sub(r'name="csrf_token" value="[^"]*"', "", r.text)

    assert page(taken).replace("ioana@example.com", "dana@example.com") == page(new)
    assert "already exists" not in taken.text
    [note] = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.recipient == "ioana@example.com")
    )
    assert note.kind == "signup_existing" and "already has an account" in note.body_text
    assert "http://localhost/password/forgot" in note.body_text


def test_login_and_logout(client, make_user):
    user = make_user(password="right-password-1", name="Dan Stoica")
    r = client.post("/login", data={"email": user.email.upper(), "password": "right-password-1"})
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert "Dan Stoica" in client.get("/").text
    r = client.post("/logout", follow_redirects=True)
    assert "You are logged out." in r.text
    assert "Dan Stoica" not in r.text


def test_wrong_password_and_unknown_email_look_the_same(client, make_user):
    user = make_user(password="right-password-1")
    wrong = client.post("/login", data={"email": user.email, "password": "nope-nope-nope"})
    unknown = client.post("/login", data={"email": "who@example.com", "password": "nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert "Wrong email or password." in wrong.text and "Wrong email or password." in unknown.text
    assert f'value="{user.email}"' in wrong.text  # what was typed is kept


def test_next_goes_only_to_a_path_on_this_site(client, make_user):
    user = make_user(password="right-password-1")
    creds = {"email": user.email, "password": "right-password-1"}
    r = client.post("/login?next=/profile", data=creds)
    assert r.headers["Location"] == "/profile"
    for evil in ["//evil.example", "https://evil.example", "/\\evil.example"]:
        client.post("/logout")
        r = client.post("/login", query_string={"next": evil}, data=creds)
        assert r.headers["Location"] == "/", evil


def test_login_required_pages_redirect_to_login_with_next(client):
    r = client.get("/profile")
    assert r.status_code == 302
    assert r.headers["Location"].startswith("/login?next=")


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
def test_login_is_rate_limited(client, make_user):
    user = make_user(password="right-password-1")
    codes = [
        client.post("/login", data={"email": user.email, "password": "wrong-wrong"}).status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    r = client.post("/login", data={"email": user.email, "password": "right-password-1"})
    assert r.status_code == 429
    assert "Too many attempts" in r.text
