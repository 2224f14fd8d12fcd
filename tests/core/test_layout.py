"""The layout's kept parts (core.caching): the account menu and the footer are rendered once
for everyone with the same language, zone and kind of account, and each page still carries its
viewer's own CSRF token and its own address (issue 15)."""

import re

import pytest

from tests.fixtures.accounts import log_in

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
NEXT = re.compile(r'name="next" value="([^"]*)"')


def _forms(html: str) -> tuple[list[str], list[str]]:
    return TOKEN.findall(html), NEXT.findall(html)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_each_session_gets_its_own_token_in_the_kept_layout(app, client, make_user):
    ana = make_user(email="ana@example.com", name="Ana")
    bob = make_user(email="bob@example.com", name="Bob")
    first, second = client, app.test_client()  # each request with a clean `g` (fixtures.app)
    log_in(first, ana)
    log_in(second, bob)

    page_a, page_b = first.get("/help/").text, second.get("/help/").text
    (tokens_a, _), (tokens_b, _) = _forms(page_a), _forms(page_b)
    # The log-out form and the language switcher, each with the session's token, no slot left.
    assert len(tokens_a) >= 2 and len(set(tokens_a)) == 1
    assert "_slot__" not in page_a + page_b
    assert tokens_a[0] != tokens_b[0]
    assert ">Ana<" in page_a and ">Bob<" in page_b

    # Bob's token does not log Ana out; her own does.
    assert first.post("/logout", data={"csrf_token": tokens_b[0]}).status_code == 400
    assert first.post("/logout", data={"csrf_token": tokens_a[0]}).status_code == 302
    assert "Log out" not in first.get("/help/").text


def test_the_language_switcher_returns_to_the_page_it_is_on(client, make_user):
    log_in(client, make_user())
    for path, query, shown in [
        ("/help/", None, "/help/"),
        ("/academy", "level=basic", "/academy?level=basic"),
        # As typed in the address bar: escaped in the attribute, not able to close it.
        ("/help/search", 'q="><b>', "/help/search?q=&#34;&gt;&lt;b&gt;"),
    ]:
        _tokens, nexts = _forms(client.get(path, query_string=query).text)
        assert nexts == [shown], path


def test_a_visitors_kept_footer_starts_no_session(client):
    page = client.get("/help/")
    _tokens, nexts = _forms(page.text)
    assert nexts == ["/help/"]
    assert 'method="get" action="/language"' in page.text
    assert "Set-Cookie" not in page.headers
