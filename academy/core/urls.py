"""Absolute URLs for emails, feeds and PDFs: always from BASE_URL, never from the request.

A link built from the request's `Host` (or, behind a proxy, `X-Forwarded-Host`) lets anyone
who can send a request choose the host the victim's email points at: a password-reset link to
`http://evil.example/password/reset/<valid token>` (password-reset poisoning, ASVS 5.1.5 /
OWASP "Host header injection"). So every absolute link comes from the one configured origin.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, url_for

LOOPBACK = ("localhost", "127.0.0.1", "::1")
_PATH_SAFE = "!$&'()*+,/:;=@"  # what werkzeug's converters leave unquoted in a path segment


class UrlPattern:
    """A list's link to each of its rows: `url_for` once per page, then each row's URL put
    together by inserting its value (`pattern(row.id)`). url_for on every row was a tenth of
    a listing's time (issue 15)."""

    _MARK = "2147483647"  # valid for an int and a string converter; no other part holds it

    def __init__(self, endpoint: str, arg: str, **values: Any) -> None:
        url = url_for(endpoint, **values, **{arg: self._MARK})
        self._head, _, self._tail = url.rpartition(self._MARK)

    def __call__(self, value: object) -> str:
        return f"{self._head}{quote(str(value), safe=_PATH_SAFE)}{self._tail}"


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute URL on BASE_URL (scheme, host and path prefix), inside a request or not."""
    app = current_app
    base = urlsplit(app.config["BASE_URL"])
    adapter = app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def trusted_hosts(base_url: str) -> list[str]:
    """The `Host` values a request may carry (Flask's TRUSTED_HOSTS): BASE_URL's host; a
    development BASE_URL on loopback also accepts the other loopback names."""
    host = urlsplit(base_url).hostname or "localhost"
    return list(LOOPBACK) if host in LOOPBACK else [host]
