"""The load client: closed-loop HTTP/1.1 load from threads, one keep-alive connection each.

Standard library only, so `make bench` works on a fresh machine. Each thread is one "browser":
its own connection and its own cookie jar, sending the next request as soon as the last one
is answered. Requests finishing during a warm-up are not counted (the first requests pay for
imports, template compilation and database connections), and every answer must be a 200: a
benchmark that silently counts error pages measures how fast the app fails.

`run_wrk()` offers the same measurement through wrk, when it is installed.
"""

from __future__ import annotations

import http.client
import os
import re
import resource
import shutil
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.cookies import CookieError, SimpleCookie

# Sent with every request, to both apps: what a browser would send, near enough.
HEADERS = {
    "User-Agent": "academy-bench/1",
    "Accept": "text/html",
    "Accept-Language": "en",
}

# Errors meaning "the server closed an idle keep-alive connection": retried once on a new one.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


class LoadError(RuntimeError):
    """A request failed or was answered with something other than 200."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: Message
    body: bytes

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def describe(self, method: str, path: str) -> str:
        """One line for an error message: what was asked, what came back, how it began."""
        where = self.headers.get("Location")
        snippet = " ".join(self.text().split())[:300]
        return (
            f"{method} {path} -> {self.status}"
            + (f" (Location: {where})" if where else "")
            + (f": {snippet}" if snippet else "")
        )


class Client:
    """One keep-alive connection with a cookie jar, like a single browser tab.

    gunicorn's sync workers answer with `Connection: close`; http.client then closes the socket
    and opens a new one for the next request, so the same code serves workers that keep
    connections alive and workers that do not.
    """

    def __init__(
        self, host: str, port: int, cookies: Mapping[str, str] | None = None, timeout: float = 30
    ) -> None:
        self.host = host
        self.port = port
        self.cookies: dict[str, str] = dict(cookies or {})
        self._conn = http.client.HTTPConnection(host, port, timeout=timeout)
        self._used = False  # has the open connection already carried a request?

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        all_headers = {**HEADERS, **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        reused = self._used and self._conn.sock is not None
        try:
            reply = self._send(method, path, body, all_headers)
        except _STALE:
            self._conn.close()
            if not reused or method not in {"GET", "HEAD"}:
                raise
            reply = self._send(method, path, body, all_headers)
        self._remember_cookies(reply.headers)
        return reply

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Reply:
        self._conn.request(method, path, body=body, headers=headers)
        response = self._conn.getresponse()
        data = response.read()  # the whole body, or the connection cannot be reused
        self._used = not response.will_close
        return Reply(response.status, response.headers, data)

    def _remember_cookies(self, headers: Message) -> None:
        """Keep what Set-Cookie sets and drop what it expires (no domains or paths: one host)."""
        for raw in headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(raw)
            except CookieError:
                continue
            for name, morsel in jar.items():
                expired = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if expired or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        self._conn.close()


class _FormFinder(HTMLParser):
    """Collects every <form>'s named <input> values (enough to fill in a CSRF-protected form)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._current: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._current = {}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attr.get("name"):
            self._current[attr["name"]] = attr.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def forms_in(html: str) -> list[dict[str, str]]:
    """The named input fields of each form on the page, in page order."""
    finder = _FormFinder()
    finder.feed(html)
    finder.close()
    return finder.forms


@dataclass(frozen=True)
class LoadResult:
    """What one measured window produced."""

    requests: int  # 200 answers that arrived inside the measured window
    seconds: float  # length of the measured window
    p50_ms: float  # latency percentiles, milliseconds
    p99_ms: float
    client_cpu: float  # the client's CPU time / window: 1.0 is one core kept busy

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def combine(parts: Sequence[LoadResult]) -> LoadResult:
    """Several measured windows as one: counts and times add up.

    Percentiles cannot be merged exactly from percentiles; the windows are short and alike, so
    the request-weighted mean of theirs is close enough for a column that is not the headline.
    """
    requests = sum(p.requests for p in parts)
    seconds = sum(p.seconds for p in parts)

    def mean(values: Sequence[float], weights: Sequence[float]) -> float:
        total = sum(weights)
        return sum(v * w for v, w in zip(values, weights, strict=True)) / total if total else 0.0

    return LoadResult(
        requests=requests,
        seconds=seconds,
        p50_ms=mean([p.p50_ms for p in parts], [p.requests for p in parts]),
        p99_ms=mean([p.p99_ms for p in parts], [p.requests for p in parts]),
        client_cpu=mean([p.client_cpu for p in parts], [p.seconds for p in parts]),
    )


def _percentile_ms(ordered: list[float], p: float) -> float:
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


@dataclass
class _Worker:
    """One load thread's own tallies, summed once every thread has stopped (no locking)."""

    latencies: list[float] = field(default_factory=list)
    error: str | None = None


def run_load(
    host: str,
    port: int,
    path: str,
    *,
    seconds: float,
    warmup: float,
    concurrency: int,
    cookies: Mapping[str, str] | None = None,
) -> LoadResult:
    """GET `path` from `concurrency` threads for warmup + seconds; count the measured 200s.

    Raises LoadError on the first failure, with the status and the start of the page.
    """
    go = threading.Event()
    stop = threading.Event()
    window: list[float] = []  # [measure_start, measure_end], set before `go`
    workers = [_Worker() for _ in range(concurrency)]

    def work(me: _Worker) -> None:
        client = Client(host, port, cookies)
        go.wait()
        start, end = window
        try:
            while not stop.is_set():
                sent = time.perf_counter()
                reply = client.request("GET", path)
                done = time.perf_counter()
                if reply.status != 200:
                    me.error = reply.describe("GET", path)
                    stop.set()
                    return
                if done >= end:
                    return
                if done >= start:  # throughput: answers that arrived inside the window
                    me.latencies.append(done - sent)
        except Exception as error:  # a worker thread must report, not die silently
            me.error = f"GET {path}: {type(error).__name__}: {error}"
            stop.set()
        finally:
            client.close()

    threads = [threading.Thread(target=work, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    begin = time.perf_counter()
    window[:] = [begin + warmup, begin + warmup + seconds]
    go.set()
    stop.wait(max(0.0, window[0] - time.perf_counter()))
    cpu_before = _cpu_seconds()
    stop.wait(max(0.0, window[1] - time.perf_counter()))
    cpu_after = _cpu_seconds()
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    errors = [w.error for w in workers if w.error]
    if errors:
        raise LoadError(f"{len(errors)} of {concurrency} connections failed; first: {errors[0]}")
    latencies = sorted(t for w in workers for t in w.latencies)
    return LoadResult(
        requests=len(latencies),
        seconds=seconds,
        p50_ms=_percentile_ms(latencies, 50),
        p99_ms=_percentile_ms(latencies, 99),
        client_cpu=(cpu_after - cpu_before) / seconds,
    )


def _cpu_seconds() -> float:
    """User + system CPU time of this process, all threads together."""
    times = os.times()
    return times.user + times.system


# ---------------------------------------------------------------------------------------------
# wrk, when installed (`--client wrk`): a C client, so the load generator costs the machine less.

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk_path() -> str | None:
    return shutil.which("wrk")


def run_wrk(
    host: str,
    port: int,
    path: str,
    *,
    seconds: float,
    warmup: float,
    concurrency: int,
    cookies: Mapping[str, str] | None = None,
) -> LoadResult:
    """The same measurement through wrk: a warm-up run, then a measured run with --latency.

    wrk counts 3xx/4xx/5xx answers in its total, so any "Non-2xx" line is a LoadError.
    """
    exe = wrk_path()
    if exe is None:
        raise LoadError("wrk is not installed")
    url = f"http://{host}:{port}{path}"
    # wrk sends the same headers every time and ignores Set-Cookie. The Python client's threads
    # keep the session cookie of their first answer (a CSRF token, say) and send it from then
    # on; one GET here gives wrk that same steady state instead of a new session per request.
    primer = Client(host, port, cookies)
    first = primer.request("GET", path)
    primer.close()
    if first.status != 200:
        raise LoadError(first.describe("GET", path))
    headers = dict(HEADERS)
    if primer.cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in primer.cookies.items())
    threads = max(1, min(concurrency, os.cpu_count() or 1))
    base = [exe, "-t", str(threads), "-c", str(concurrency)]
    for name, value in headers.items():
        base += ["-H", f"{name}: {value}"]

    def once(duration: float, extra: list[str]) -> tuple[str, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        out = subprocess.run(
            [*base, "-d", f"{max(1, round(duration))}s", *extra, url],
            capture_output=True,
            text=True,
            check=False,
            timeout=duration + 60,
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if out.returncode != 0:
            raise LoadError(f"wrk exited {out.returncode}: {out.stderr.strip() or out.stdout}")
        used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        return out.stdout, used

    if warmup >= 0.5:  # wrk counts in whole seconds; shorter warm-ups are skipped
        _wrk_check(once(warmup, [])[0], path)
    text, cpu = once(seconds, ["--latency"])
    _wrk_check(text, path)
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", text)
    if total is None:
        raise LoadError(f"cannot read wrk's output:\n{text}")
    elapsed = float(total.group(2)) * _UNITS[total.group(3)]
    percentiles = {
        p: float(v) * _UNITS[u]
        for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\b", text, re.M)
    }
    return LoadResult(
        requests=int(total.group(1)),
        seconds=elapsed,
        p50_ms=percentiles.get("50", float("nan")) * 1000,
        p99_ms=percentiles.get("99", float("nan")) * 1000,
        client_cpu=cpu / elapsed,
    )


def _wrk_check(text: str, path: str) -> None:
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if bad:
        raise LoadError(f"GET {path}: wrk saw {bad.group(1)} answers that were not 2xx:\n{text}")
    errors = re.search(r"Socket errors: (.*)", text)
    if errors and re.search(r"(read|write|timeout) [1-9]", errors.group(1)):
        raise LoadError(f"GET {path}: wrk reported socket errors: {errors.group(1)}")
