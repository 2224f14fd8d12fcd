"""Real HTTP against the live server: log in, post forms, and fire requests at the same instant."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable
from http.cookies import SimpleCookie
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

T = TypeVar("T")


def request(
    base: str, method: str, path: str, form: dict | None = None, cookie: str = ""
) -> tuple[int, str, str, str]:
    """(status, Location, Set-Cookie, body) of one request on its own connection."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    conn.request(method, path, body=urlencode(form or {}, doseq=True), headers=headers)
    response = conn.getresponse()
    body = response.read().decode(errors="replace")
    result = (
        response.status,
        response.getheader("Location") or "",
        response.getheader("Set-Cookie") or "",
        body,
    )
    conn.close()
    return result


def post(base: str, path: str, form: dict, cookie: str = "") -> tuple[int, str, str]:
    status, location, set_cookie, _ = request(base, "POST", path, form, cookie)
    return status, location, set_cookie


def login_cookie(base: str, email: str, password: str) -> str:
    """Log in through the real login form; the `Cookie` header of that session."""
    status, _, set_cookie = post(base, "/login", {"email": email, "password": password})
    assert status == 302, f"login of {email} answered {status}"
    return f"session={SimpleCookie(set_cookie)['session'].value}"


def at_once(calls: list[Callable[[], T]], timeout: float = 180) -> list[T]:
    """Run every call in its own thread, released together by a barrier; their results in
    order. An exception in a call fails the test with it."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results[i] = call()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    if errors:
        raise errors[0]
    return results
