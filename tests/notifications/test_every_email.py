"""Every email the product can send, parsed as a mail program would (README, "Emails"): the MIME
tree, a text part equal in content to the HTML part (same words, same links), inlined styles
only, the recipient's language, and the invite as an alternative of the body whose METHOD is
the one inside it (POLICY R11), read by an independent parser (vobject). In English and
Romanian, from the previews staff read on /staff/emails/."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
import vobject

from academy import register_previews
from academy.notifications.models import OutboxMessage
from academy.notifications.previews import LANGUAGES, all_previews, render
from tests.fixtures.app import request_context
from tests.fixtures.mail import calendar_part

register_previews()
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "emails"
NAMES = sorted(all_previews())
URL = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")  # a sentence's full stop is not in it


class _Html(HTMLParser):
    """The words a reader sees, the links they can follow, and what a client without <style>
    support would lose (a <style> element, class attributes)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.hrefs: list[str] = []
        self.styles = 0
        self.classes = 0
        self.lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.styles += tag == "style"
        self.classes += "class" in values
        if tag == "html":
            self.lang = values.get("lang")
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        self.text.append(" ")  # a tag separates words

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def words(text: str) -> list[str]:
    """What a reader reads, in order, without the web addresses (compared as links)."""
    return re.findall(r"\w+", URL.sub(" ", text).lower())


def parts(name: str, language: str):
    rendered = render(name, language)
    message = rendered.parsed()
    return rendered, message


def test_every_email_template_has_a_preview():
    """A new email without a preview (so nobody can read it before it goes out) fails here."""
    templates = {p.stem for p in TEMPLATES.glob("*.txt") if not p.name.startswith("_")}
    htmls = {p.stem for p in TEMPLATES.glob("*.html") if not p.name.startswith("_")}
    assert templates == htmls, "every email has a text and an HTML version"
    covered = {t for p in all_previews().values() for t in p.templates}
    assert templates - covered == set()
    assert covered - templates == set()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", NAMES)
def test_every_email_as_mail_programs_read_it(app, clock, name, language):
    with request_context(app):
        rendered, message = parts(name, language)
    assert message["Subject"] and message["Message-ID"]
    if rendered.ics:
        # R11: the invite is an alternative of the body, attached too, METHOD the same.
        part = calendar_part(message)
        body = next(message.iter_parts())
        cal = vobject.readOne(part.get_content())
        assert cal.method.value == part.get_param("method") == rendered.method
        assert cal.vevent.dtstart.value.tzinfo is not None
        assert cal.vevent.uid.value
    else:
        assert message.get_content_type() == "multipart/alternative"
        assert not list(message.iter_attachments())
        body = message
    kinds = [p.get_content_type() for p in body.iter_parts()][:2]
    assert kinds == ["text/plain", "text/html"]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()

    parser = _Html()
    parser.feed(html)
    assert parser.styles == 0 and parser.classes == 0, "styles are inline only"
    assert parser.lang == language
    seen = "".join(parser.text)
    # The same words in both parts, in the same order (neither lacks a sentence, a label, a
    # button's words or a figure)...
    assert words(text) == words(seen)
    # ...and the same links: every href is written out in the text, and nothing more.
    links = {h for h in parser.hrefs if not h.startswith("mailto:")}
    assert links == set(URL.findall(text))


@pytest.mark.parametrize("name", NAMES)
def test_the_romanian_email_is_in_romanian(app, clock, name):
    with request_context(app):
        en, ro = render(name, "en"), render(name, "ro")
    assert ro.subject != en.subject
    assert set(words(ro.text)) - set(words(en.text)), "the Romanian text is not the English one"
    assert re.search("[ăâîșțĂÂÎȘȚ]", ro.text)


def test_a_preview_keeps_nothing(app, db, clock):
    """The demo client, booking and outbox rows of a preview are rolled back, and what was
    rolled back is not remembered (the next preview may be given the same ids)."""
    tables = ("users", "bookings", "outbox", "no_shows")
    counts = {t: db.session.scalar(sa.text(f"select count(*) from {t}")) for t in tables}  # noqa: S608
    with request_context(app):
        for name in ("booking_confirmed", "noshow_penalty", "noshow_warning", *NAMES):
            assert render(name, "ro").text
        assert not [o for o in db.session.new if isinstance(o, OutboxMessage)]
    db.session.commit()
    assert counts == {t: db.session.scalar(sa.text(f"select count(*) from {t}")) for t in tables}  # noqa: S608


def test_staff_read_every_email_in_both_languages(client, login, make_user, clock):
    login(make_user("staff"))
    index = client.get("/staff/emails/")
    assert index.status_code == 200
    page = index.get_data(as_text=True)
    for name in NAMES:
        for language in LANGUAGES:
            url = f"/staff/emails/{name}/{language}/"
            assert f'href="{url}"' in page
            shown = client.get(url)
            assert shown.status_code == 200, url
            body = shown.get_data(as_text=True)
            assert f'src="/staff/emails/{name}/{language}.html"' in body
            frame = client.get(f"/staff/emails/{name}/{language}.html")
            assert frame.status_code == 200 and f'lang="{language}"' in frame.get_data(as_text=True)
            # Only the email's own document may be framed, by this site, with its inline styles.
            assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
            assert "style-src 'unsafe-inline'" in frame.headers["Content-Security-Policy"]
            assert "script-src" not in frame.headers["Content-Security-Policy"]
            assert shown.headers["X-Frame-Options"] == "DENY"


def test_clients_and_visitors_do_not_find_the_previews(client, login, make_user):
    for path in ("/staff/emails/", "/staff/emails/booking_confirmed/en/"):
        assert client.get(path).status_code == 404
    login(make_user())
    for path in ("/staff/emails/", "/staff/emails/booking_confirmed/en/"):
        assert client.get(path).status_code == 404
    assert client.get("/staff/emails/booking_confirmed/en.html").status_code == 404


def test_an_unknown_email_or_language_is_not_found(client, login, make_user):
    login(make_user("staff"))
    assert client.get("/staff/emails/nothing/en/").status_code == 404
    assert client.get("/staff/emails/booking_confirmed/de/").status_code == 404
