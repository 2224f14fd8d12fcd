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


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_answers(url: str) -> bool:
    """Whether a Redis server accepts connections at `url` (redis://host:port/db)."""
    import socket

    host_port = url.split("//", 1)[1].split("/", 1)[0]
    host, _, port = host_port.partition(":")
    try:
        with socket.create_connection((host, int(port or 6379)), timeout=1):
            return True
    except OSError:
        return False


class Gunicorn:
    """The app under gunicorn in its own processes (`workers` of them, gthread), configured
    through the environment as in production, on the test database: a live server with
    several worker processes (issue 16: the chat across workers through Redis)."""

    def __init__(self, env: dict[str, str], workers: int = 2, threads: int = 32) -> None:
        import os
        import sys
        from pathlib import Path

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        root = Path(__file__).resolve().parents[1]
        full_env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "BASE_URL": self.url,
            "TRUSTED_HOSTS": "127.0.0.1",
            **env,
        }
        self.process = __import__("subprocess").Popen(
            [
                sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", str(threads),
                "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}",
                "--graceful-timeout", "2", "--log-level", "warning", "wsgi:app",
            ],
            cwd=str(root),
            env=full_env,
        )  # fmt: skip

    def wait(self, timeout: float = 30) -> None:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                status, *_ = request(self.url, "GET", "/login")
                if status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()
            self.process.wait()
