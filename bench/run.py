"""`make bench`: the academy's pages against a bare Flask + SQLAlchemy "fortunes" page, then
the outbox dispatcher against a plain smtplib loop (bench/dispatch.py).

Both apps run side by side under the same gunicorn settings, each with its own throwaway
SQLite database, and are loaded by the same client over loopback. The number that matters is
the ratio academy req/s / bare req/s: absolute numbers move with the machine, the ratio says
what the academy's own work costs on top of the stack it is built on. A page is added to the
benchmark by adding a line to PAGES. Run it as a script (bench/ is then on sys.path):

    .venv/bin/python bench/run.py [--seconds 5] [--rounds 5] [--warmup 1] [--concurrency 8]
                                  [--workers 2] [--page NAME]... [--client python|wrk]
                                  [--only pages|dispatch] [--messages 2000] [--dispatch-rounds 2]

`--page` alone measures those pages and skips the dispatcher; `--only` says exactly what runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from types import FrameType
from urllib.parse import urlencode, urlsplit

import dispatch
from bare_app import ENV_URL, EXTRA, FORTUNES, init_db
from load import Client, LoadError, LoadResult, combine, forms_in, run_load, run_wrk, wrk_path

from academy.demo import DEMO_PASSWORD

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"


@dataclass(frozen=True)
class Page:
    """An academy page to measure; `user` (a key of USERS) measures it logged in as them.

    `shows`, when set, is text the page must contain before it is measured: a page that is a
    200 but empty (no free slots, no bookings) does less work than the real one.
    """

    name: str
    path: str
    user: str | None = None
    shows: str | None = None


PAGES: list[Page] = [
    Page("home", "/"),
    Page("login", "/login"),
    Page("home, client", "/", user="client"),
    # This week's free slots of the demo staff member's weekday hours, one form per slot.
    Page("1:1 slots", "/sessions/quick-assist/", user="client", shows='name="start"'),
    # The two sessions `flask demo seed` books for the demo client.
    Page("my sessions", "/sessions/mine", user="client", shows='href="/sessions/bookings/'),
    # The demo's four workshops, with the client's own places (a waitlist position).
    Page("workshops", "/workshops/", user="client", shows="Waitlist: number 2"),
    # The Academy catalogue with the demo client's progress, and a lesson of the course
    # `flask demo seed` puts them halfway through.
    Page("academy catalogue", "/academy", user="client", shows='class="progress__bar"'),
    Page(
        "academy lesson",
        "/academy/getting-started-with-taxdome/lessons/5",
        user="client",
        shows="Mark complete",
    ),
    # A demo help article (one UPDATE counts the view) and a full-text search (FTS5 here).
    Page(
        "help article",
        "/help/billing-and-invoices/create-recurring-invoices",
        shows="Was this article helpful?",
    ),
    Page("help search", "/help/search?q=invoices", shows="<mark>"),
]

# Accounts made by `flask demo seed` (academy/demo.py).
USERS: dict[str, tuple[str, str]] = {
    "client": ("client@example.com", DEMO_PASSWORD),
}

BARE_PATH = "/fortunes"


class BenchError(RuntimeError):
    """The benchmark could not be set up or run; the message says why."""


# --- the two apps ------------------------------------------------------------------------------


def free_port() -> int:
    """A port nothing listens on now (the OS picks it; gunicorn binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def clean_env(**overrides: str) -> dict[str, str]:
    """This environment, minus what would make the two servers differ from the defaults."""
    env = dict(os.environ)
    # SERVER_NAME would 404 every request to 127.0.0.1, HTTPS and TRUST_PROXY would measure
    # another configuration, GUNICORN_CMD_ARGS would override the settings the report prints.
    for name in ("SERVER_NAME", "HTTPS", "TRUST_PROXY", "GUNICORN_CMD_ARGS", "FLASK_DEBUG"):
        env.pop(name, None)
    env.update(overrides)
    return env


def prepare_academy(tmp: Path) -> dict[str, str]:
    """Migrate and seed a fresh SQLite database; return the environment the app runs with."""
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp / 'academy.db'}",
        SECRET_KEY="bench-" + os.urandom(16).hex(),  # shared by both workers: one session key
        RATELIMIT_ENABLED="0",
        FLASK_APP="wsgi",
    )
    for command in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return env


def prepare_bare(tmp: Path) -> dict[str, str]:
    """Create and fill the bare app's database; return the environment it runs with."""
    url = f"sqlite:///{tmp / 'bare.db'}"
    init_db(url)
    return clean_env(**{ENV_URL: url})


class Server:
    """A gunicorn in its own process group, its output in a log file under the temp dir."""

    def __init__(self, name: str, app: str, cwd: Path, env: dict[str, str], log: Path) -> None:
        self.name = name
        self.app = app
        self.cwd = cwd
        self.env = env
        self.log = log
        self.port = 0
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, workers: int) -> None:
        self.port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",  # quiet, so that anything in the log is worth reading
            self.app,
        ]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                command,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # so stop() can reach the workers as well
            )

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        """Until `path` answers 200 (gunicorn listens before its workers have imported the app)."""
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                raise BenchError(f"{self.name}: gunicorn exited\n{self.log_text()}")
            client = Client(HOST, self.port, timeout=5)
            try:
                reply = client.request("GET", path)
            except OSError as error:
                last = str(error)
            else:
                if reply.status == 200:
                    return
                last = reply.describe("GET", path)
            finally:
                client.close()
            time.sleep(0.1)
        raise BenchError(
            f"{self.name}: not ready after {timeout:.0f} s ({last})\n{self.log_text()}"
        )

    def stop(self) -> None:
        """TERM (gunicorn's graceful stop), then KILL to the whole group if it lingers.

        A master that exits on TERM has already reaped its workers; one that does not is
        killed with its workers through the process group (start_new_session), while its
        unreaped pid still guarantees that the group is ours.
        """
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


# --- checks and logging in ---------------------------------------------------------------------


def check_bare(server: Server) -> None:
    """The yardstick must do the real work: 13 rows, sorted, <script> escaped, Unicode intact."""
    client = Client(HOST, server.port)
    reply = client.request("GET", BARE_PATH)
    client.close()
    html = reply.text()
    problems = []
    if reply.status != 200:
        problems.append(reply.describe("GET", BARE_PATH))
    ids = [int(i) for i in re.findall(r"<tr><td>(\d+)</td>", html)]
    expected = [i for _, i in sorted([(m, n) for n, m in enumerate(FORTUNES, 1)] + [(EXTRA, 0)])]
    if ids != expected:
        problems.append(f"rows {ids}, expected {expected}")
    if "<script>" in html or "&lt;script&gt;" not in html:
        problems.append("the <script> fortune is not escaped")
    garbled = [m for m in FORTUNES if not m.isascii() and m not in html]
    if garbled:
        problems.append(f"not intact: {garbled}")
    if problems:
        raise BenchError("the bare fortunes page is wrong: " + "; ".join(problems))


def log_in(server: Server, email: str, password: str) -> dict[str, str]:
    """The cookies of a session logged in through the real form: GET, CSRF token, POST."""
    client = Client(HOST, server.port)
    form_page = client.request("GET", "/login")
    if form_page.status != 200:
        raise BenchError("login form: " + form_page.describe("GET", "/login"))
    forms = [f for f in forms_in(form_page.text()) if "password" in f and "csrf_token" in f]
    if not forms:
        raise BenchError("login form: no form with password and csrf_token fields")
    body = urlencode({"csrf_token": forms[0]["csrf_token"], "email": email, "password": password})
    reply = client.request(
        "POST",
        "/login",
        body=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    target = urlsplit(reply.headers.get("Location", "")).path
    if reply.status not in {302, 303} or target.startswith("/login"):
        raise BenchError(f"logging in as {email}: " + reply.describe("POST", "/login"))
    # Follow the redirect as a browser would: that shows (and so takes out of the session
    # cookie) the "You are logged in" flash, which every load thread would otherwise repeat.
    landing = client.request("GET", target)
    client.close()
    if landing.status != 200 or not shows_logged_in(landing.text()):
        raise BenchError(f"logged in as {email}, yet GET {target} does not show it")
    return dict(client.cookies)


def shows_logged_in(html: str) -> bool:
    """Every page of a logged-in user carries the log-out form (templates/base.html)."""
    return 'action="/logout"' in html


def check_page(server: Server, page: Page, cookies: Mapping[str, str]) -> None:
    """One GET before the load: a 200, and logged in exactly when the page says so."""
    client = Client(HOST, server.port, cookies)
    reply = client.request("GET", page.path)
    client.close()
    if reply.status != 200:
        raise BenchError(f"page {page.name!r}: " + reply.describe("GET", page.path))
    if shows_logged_in(reply.text()) != bool(page.user):
        state = "logged in" if page.user is None else "anonymous"
        raise BenchError(f"page {page.name!r}: GET {page.path} was served {state}")
    if page.shows and page.shows not in reply.text():
        raise BenchError(f"page {page.name!r}: GET {page.path} does not show {page.shows!r}")


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One academy page against the bare page, measured in alternating rounds."""

    page: Page
    academy: LoadResult
    bare: LoadResult
    round_ratios: list[float]

    @property
    def ratio(self) -> float:
        return self.academy.rps / self.bare.rps if self.bare.rps else float("nan")


def compare(
    measure: Callable[..., LoadResult],
    args: argparse.Namespace,
    academy: Server,
    bare: Server,
    page: Page,
    cookies: Mapping[str, str],
) -> Comparison:
    """Bare, academy, bare, academy...: short rounds taken in turn, then added up.

    Whatever else the machine is doing (a test run, a build) then weighs on both sides alike,
    instead of on whichever app happened to be measured at that moment; the spread of the
    per-round ratios shows how noisy the machine was. The first round of each app starts with
    the warm-up (every worker compiles the page's templates on its first request); later ones
    with a tenth of a second, so that no round counts its own ramp from zero connections busy.
    """
    share = args.seconds / args.rounds
    bare_rounds: list[LoadResult] = []
    academy_rounds: list[LoadResult] = []
    for n in range(args.rounds):
        warmup = args.warmup if n == 0 else min(args.warmup, 0.1)
        for server, path, jar, into in (
            (bare, BARE_PATH, {}, bare_rounds),
            (academy, page.path, cookies, academy_rounds),
        ):
            into.append(
                measure(
                    HOST,
                    server.port,
                    path,
                    seconds=share,
                    warmup=warmup,
                    concurrency=args.concurrency,
                    cookies=jar,
                )
            )
    return Comparison(
        page=page,
        academy=combine(academy_rounds),
        bare=combine(bare_rounds),
        round_ratios=[
            a.rps / b.rps if b.rps else float("nan")
            for a, b in zip(academy_rounds, bare_rounds, strict=True)
        ],
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="measured per page, for each app (5)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="alternating rounds the seconds are split into (5)"
    )
    parser.add_argument(
        "--warmup", type=float, default=1.0, help="not counted, per page and app (1)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="connections (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app (2)")
    parser.add_argument(
        "--page",
        action="append",
        metavar="NAME",
        help="measure only this page (repeatable); one of: " + ", ".join(p.name for p in PAGES),
    )
    parser.add_argument(
        "--client",
        choices=["python", "wrk"],
        default="python",
        help="load generator: python (default, threads) or wrk (if installed; whole seconds)",
    )
    parser.add_argument(
        "--only",
        choices=["pages", "dispatch"],
        help="only the pages or only the dispatcher (default: both; with --page: pages)",
    )
    parser.add_argument(
        "--messages",
        type=int,
        default=dispatch.MESSAGES,
        help=f"dispatch: messages per sender and round ({dispatch.MESSAGES})",
    )
    parser.add_argument(
        "--dispatch-rounds",
        type=int,
        default=dispatch.ROUNDS,
        help=f"dispatch: rounds alternating the two senders ({dispatch.ROUNDS})",
    )
    args = parser.parse_args(argv)
    if min(args.seconds, args.rounds, args.concurrency, args.workers) <= 0 or args.warmup < 0:
        parser.error("--seconds, --rounds, --concurrency and --workers must be positive")
    if min(args.messages, args.dispatch_rounds) <= 0:
        parser.error("--messages and --dispatch-rounds must be positive")
    if args.only is None and args.page:
        args.only = "pages"
    elif args.only == "dispatch" and args.page:
        parser.error("--page measures pages: it cannot go with --only dispatch")
    known = {p.name for p in PAGES}
    unknown = set(args.page or []) - known
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    if args.client == "wrk" and wrk_path() is None:
        parser.error("--client wrk: wrk is not installed")
    return args


def _raise_on_term(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM as SystemExit, so that the finally blocks stop both servers."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """The pages, then the dispatcher (each unless --only says otherwise); 0 if both worked."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_term)
    status = 0
    if args.only in {None, "pages"}:
        status = run_pages(args)
        if status == 130:
            return status
    if args.only in {None, "dispatch"}:
        try:
            status = dispatch.run(args.messages, args.dispatch_rounds) or status
        except KeyboardInterrupt:
            print("\nbench interrupted", file=sys.stderr)
            return 130
    return status


def run_pages(args: argparse.Namespace) -> int:
    """Both apps under gunicorn, every page measured, servers stopped and temp dir removed."""
    pages = [p for p in PAGES if not args.page or p.name in args.page]
    measure: Callable[..., LoadResult] = run_wrk if args.client == "wrk" else run_load

    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    servers: list[Server] = []
    try:
        academy = Server("academy", "wsgi:app", ROOT, prepare_academy(tmp), tmp / "academy.log")
        bare = Server("bare", "bare_app:create_app()", BENCH, prepare_bare(tmp), tmp / "bare.log")
        for server in (academy, bare):
            servers.append(server)
            server.start(args.workers)
        academy.wait_ready("/")
        bare.wait_ready(BARE_PATH)
        check_bare(bare)
        sessions = {
            user: log_in(academy, *USERS[user]) for user in {p.user for p in pages if p.user}
        }
        for page in pages:
            check_page(academy, page, sessions.get(page.user or "", {}))

        comparisons = []
        for page in pages:
            print(f"measuring {page.name} ({page.path}) ...", file=sys.stderr, flush=True)
            cookies = sessions.get(page.user or "", {})
            comparisons.append(compare(measure, args, academy, bare, page, cookies))
        print_report(args, comparisons)
        print_logs(servers)
        return 0
    except (BenchError, LoadError) as error:
        print(f"\nbench FAILED: {error}", file=sys.stderr)
        print_logs(servers)
        return 1
    except KeyboardInterrupt:
        print("\nbench interrupted", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def print_report(args: argparse.Namespace, comparisons: list[Comparison]) -> None:
    cpus = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    client = "wrk" if args.client == "wrk" else "python threads"
    print()
    print("TaxDome Academy benchmark: requests per second (higher is better), 200s only")
    print(
        f"setup: {usable} usable CPUs ({cpus} online), Python {platform.python_version()}, "
        f"gunicorn {version('gunicorn')}, {args.workers} sync workers per app, SQLite, loopback"
    )
    print(
        f"load: {client}, {args.concurrency} connections; per page and app "
        f"{args.warmup:g} s warm-up + {args.seconds:g} s measured, "
        f"in {args.rounds} rounds alternating with the bare app"
    )
    print(
        f"bare: Flask {version('flask')} + Flask-SQLAlchemy {version('flask-sqlalchemy')} "
        f"+ SQLAlchemy {version('sqlalchemy')}, TechEmpower fortunes page (GET {BARE_PATH})"
    )
    print()
    head = (
        "page",
        "path",
        "academy req/s",
        "bare req/s",
        "academy/bare",
        "rounds min-max",
        "academy p50/p99 ms",
    )
    rows = [
        (
            c.page.name + (f" [{c.page.user}]" if c.page.user else ""),
            c.page.path,
            f"{c.academy.rps:.0f}",
            f"{c.bare.rps:.0f}",
            f"{c.ratio:.2f}",
            f"{min(c.round_ratios):.2f}-{max(c.round_ratios):.2f}",
            f"{c.academy.p50_ms:.1f} / {c.academy.p99_ms:.1f}",
        )
        for c in comparisons
    ]
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        cells = [
            cell.ljust(w) if i < 2 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())
    print()
    busiest = max(r.client_cpu for c in comparisons for r in (c.academy, c.bare))
    print(
        f"The load client used up to {busiest:.0%} of one CPU, on the same machine as both "
        "servers: compare ratios, not absolute req/s, across machines."
    )


def print_logs(servers: list[Server]) -> None:
    """Whatever a server wrote (warnings and tracebacks only, at --log-level warning)."""
    for server in servers:
        text = server.log_text().strip()
        if text:
            lines = text.splitlines()
            print(f"\n{server.name} server log ({len(lines)} lines, last 40):", file=sys.stderr)
            print("\n".join(lines[-40:]), file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
