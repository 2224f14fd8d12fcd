"""English and Romanian: profile first, then the switcher, then Accept-Language; zones named."""

from datetime import UTC, datetime

from flask_babel import force_locale

from academy.core.timezones import localtime


def test_accept_language_picks_romanian_for_visitors(client):
    html = client.get("/login", headers={"Accept-Language": "ro-RO,ro;q=0.9,en;q=0.5"}).text
    assert '<html lang="ro">' in html
    assert "Autentificare" in html


def test_english_is_the_default(client):
    html = client.get("/login", headers={"Accept-Language": "de-DE"}).text
    assert '<html lang="en">' in html and "Log in" in html


def test_profile_language_wins_over_the_browser(client, login, make_user):
    login(make_user(language="ro"))
    html = client.get("/", headers={"Accept-Language": "en"}).text
    assert '<html lang="ro">' in html


def test_footer_switcher_changes_language_and_returns_to_the_page(client):
    r = client.post("/language", data={"language": "ro", "next": "/login"})
    assert r.headers["Location"] == "/login"
    assert '<html lang="ro">' in client.get("/login", headers={"Accept-Language": "en"}).text
    # An unknown language or an outside `next` changes nothing and stays on the site.
    r = client.post("/language", data={"language": "xx", "next": "https://evil.example"})
    assert r.headers["Location"] == "/"


def test_switcher_saves_the_language_in_the_profile(client, db, login, make_user):
    user = login(make_user(language="en"))
    client.post("/language", data={"language": "ro"})
    db.session.refresh(user)
    assert user.language == "ro"


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named(app):
    noon_utc = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)  # Bucharest is on summer time
    with app.test_request_context(), force_locale("en"):
        assert localtime(noon_utc, "short", tz="Europe/Bucharest").endswith(
            "3:00\u202fPM (Europe/Bucharest)"
        )
        assert localtime(noon_utc, "short", tz="America/New_York").endswith(
            "8:00\u202fAM (America/New York)"
        )


def test_staff_users_page_shows_join_time_in_the_staff_zone(client, login, make_user):
    login(make_user("staff", timezone="America/New_York"))
    make_user(created_at=datetime(2026, 1, 15, 17, 30, tzinfo=UTC))
    html = client.get("/staff/users").text
    assert "12:30\u202fPM (America/New York)" in html
    assert "Times are shown in America/New York." in html


def test_templates_follow_a_change_of_language_within_a_request(app):
    """Templates look their translations up once per language (core.i18n): an email
    rendered in its recipient's language in the middle of a page is in that language, and
    the page goes on in its own."""
    from flask import render_template_string
    from flask_babel import refresh

    from academy.core.i18n import show_as

    template = "{{ _('Log in') }}"
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(template) == "Log in"
        with force_locale("ro"):
            assert render_template_string(template) == "Autentificare"
        assert render_template_string(template) == "Log in"
        show_as(type("Owner", (), {"language": "ro", "timezone": "UTC"})())
        assert render_template_string(template) == "Autentificare"
        refresh()
        assert render_template_string(template) == "Autentificare"  # still the owner's


def test_a_templates_messages_in_each_language_escaped_and_formatted(app):
    """A template's `_()` (core.i18n, kept per catalogue when it has no variables): each
    language gets its own text, variables are escaped, `%%` is a percent sign."""
    template = app.jinja_env.from_string(
        "{{ _('Log out') }}|{{ _('Pass mark %(mark)d%%', mark=80) }}|"
        "{{ _('Contact') }}: {{ _('Times are shown in %(zone)s.', zone='<b>') }}"
    )
    for language, expected in [
        ("en", "Log out|Pass mark 80%|Contact: Times are shown in &lt;b&gt;."),
        (
            "ro",
            "Deconectare|Punctaj de promovare 80%|"
            "Contact: Orele sunt afișate în fusul orar &lt;b&gt;.",
        ),
        ("en", "Log out|Pass mark 80%|Contact: Times are shown in &lt;b&gt;."),
    ]:
        with app.test_request_context("/"), force_locale(language):
            assert template.render() == expected, language
