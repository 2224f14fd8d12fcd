"""Nothing anyone sends produces a 500: every route, every role, junk input."""

import pytest

JUNK_QUERIES = [
    {},
    {"page": "abc"},
    {"page": "-1"},
    {"page": "99999999999999999999"},
    {"q": "' OR 1=1 --"},
    "q=%00%ff%fe&page=%ff",  # a raw query string that is not UTF-8
    {"next": "//evil.example"},
]
JUNK_FORMS = [
    {},
    {
        "email": "not-an-email",
        "password": "x" * 5000,
        "name": "",
        "timezone": "../../etc",
        "language": "xx",
        "plan": "abc",
        "seats": "-5",
        "role": "god",
        "next": "javascript:x",
    },
    {"profile-name": "\x00", "pw-password": "a", "g_1_chat": "NaN", "confirm": ["a", "b"]},
]


def _urls(app):
    """Concrete URLs for every rule, with ids that exist (1), ids that do not, junk and ids
    too large for any integer column (SQLite's driver overflows on them)."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {arg: 1 for arg in rule.arguments}
        existing = rule.build(values, append_unknown=False)[1]
        yield rule, existing
        if rule.arguments:
            yield rule, rule.build({a: 987654 for a in rule.arguments}, append_unknown=False)[1]
            yield rule, existing.replace("/1", "/x")  # not a number at all
            yield rule, existing.replace("/1", "/" + "9" * 25)  # beyond any database integer


@pytest.mark.parametrize("role", [None, "client", "staff", "admin"])
def test_no_500_for_any_route_and_role(app, client, login, make_user, role):
    make_user()  # so that id 1 exists for firms and users
    if role:
        login(make_user(role))
    failures = []
    for rule, url in _urls(app):
        if "GET" in rule.methods:
            for query in JUNK_QUERIES:
                r = client.get(url, query_string=query)
                if r.status_code >= 500:
                    failures.append(("GET", url, query, r.status_code))
        if "POST" in rule.methods and rule.endpoint != "accounts.logout":
            for form in JUNK_FORMS:
                r = client.post(url, data=form)
                if r.status_code >= 500:
                    failures.append(("POST", url, form, r.status_code))
    assert failures == []
