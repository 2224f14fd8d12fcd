"""The security baseline every page inherits (issue: foundation)."""

import logging
import re

import pytest

from academy import _instance_secret
from academy.core.security import safe_next


def test_headers_on_every_response(client):
    for url in ["/", "/login", "/no-such-page", "/static/css/app.css"]:
        with client.get(url) as r:
            headers = r.headers
        csp = headers["Content-Security-Policy"]
        script_src = re.search(r"script-src ([^;]*)", csp).group(1)
        assert "'unsafe-inline'" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_pages_have_no_inline_scripts(client):
    html = client.get("/signup").text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " onclick=" not in html and " onchange=" not in html


def test_unknown_url_is_a_404_page_in_the_layout(client):
    r = client.get("/nowhere/at/all")
    assert r.status_code == 404
    assert "Page not found" in r.text
    assert 'class="site-header"' in r.text


def test_unexpected_error_is_a_plain_500_page_and_is_logged(app, client, caplog):
    def broken():
        raise RuntimeError("secret internals")

    app.add_url_rule("/broken", "broken", broken)
    with caplog.at_level(logging.ERROR):
        r = client.get("/broken")
    assert r.status_code == 500
    assert "Something went wrong on our side" in r.text
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "secret internals" in caplog.text


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_post_without_csrf_token_is_a_400_page(csrf_client):
    r = csrf_client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert r.status_code == 400
    assert "The form had expired" in r.text


def test_post_with_csrf_token_from_the_form_is_accepted(csrf_client, make_user):
    user = make_user(password="right-password-1")
    page = csrf_client.get("/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    r = csrf_client.post(
        "/login", data={"email": user.email, "password": "right-password-1", "csrf_token": token}
    )
    assert r.status_code == 302


def test_session_cookie_flags(client, make_user):
    user = make_user(password="right-password-1")
    r = client.post("/login", data={"email": user.email, "password": "right-password-1"})
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(make_app, monkeypatch):
    monkeypatch.setenv("HTTPS", "1")
    app = make_app()
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    with app.app_context():
        r = app.test_client().get("/", base_url="https://localhost")
    assert r.headers["Strict-Transport-Security"]


def test_secret_key_is_made_once_and_kept(tmp_path):
    first = _instance_secret(tmp_path / "instance")
    assert len(first) == 64
    assert _instance_secret(tmp_path / "instance") == first
    assert (tmp_path / "instance" / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/profile", "/profile"),
        ("/help/?q=a", "/help/?q=a"),
        ("//evil.example", None),
        ("https://evil.example", None),
        ("http://evil.example/x", None),
        ("/\\evil.example", None),
        ("evil.example", None),
        ("javascript:alert(1)", None),
        ("", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


def test_r19_every_page_names_the_support_contact(client):
    for url in ["/", "/login", "/help/", "/no-such-page"]:
        assert 'href="mailto:help@taxdome.com"' in client.get(url).text, url


@pytest.mark.app_config(SUPPORT_EMAIL="support@firm.example")
def test_r19_support_contact_is_configurable(client):
    assert "support@firm.example" in client.get("/").text


def test_static_files_are_named_by_their_content_and_kept_a_year(app, client):
    """Issue 15: a changed file gets a new URL, so the current one may be cached for good."""
    import hashlib
    import re
    from pathlib import Path

    page = client.get("/login").text
    css = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]+))"', page)
    assert css is not None
    content = (Path(app.static_folder) / "css" / "app.css").read_bytes()
    assert css.group(2) == hashlib.sha256(content).hexdigest()[:12]
    with client.get(css.group(1)) as current:
        assert current.status_code == 200
        assert current.headers["Cache-Control"] == "public, max-age=31536000"
    with client.get("/static/css/app.css?v=000000000000") as old:
        assert "max-age=31536000" not in old.headers.get("Cache-Control", "")
