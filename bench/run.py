"""`make bench`: the academy's pages against a bare Flask + SQLAlchemy "fortunes" page, then
the outbox dispatcher against a plain smtplib loop (bench/dispatch.py), each against its target.

Both apps run side by side under the same gunicorn settings, each with its own throwaway
SQLite database, and are loaded by the same client over loopback. The number that matters is
the ratio academy req/s / bare req/s: absolute numbers move with the machine, the ratio says
what the academy's own work costs on top of the stack it is built on. A page is added to the
benchmark by adding a line to PAGES.

The academy's database is `flask demo seed` plus bench/fixtures.py (a 20-question quiz with the
demo client's attempt open, their calendar feed token); `--data scale` adds bench/scale.py's
data set around it, `--scale` (`make bench SCALE=1`) measures both, one after the other, and
compares them page by page. The report marks every target met or missed and ends with "all
targets met" or the list of misses; the exit status is 0 either way, 1 only if something could
not be measured. Run it as a script (bench/ is then on sys.path):

    .venv/bin/python bench/run.py [--seconds 5] [--rounds 5] [--warmup 1] [--concurrency 8]
                                  [--workers 2] [--page NAME]... [--client python|wrk]
                                  [--data small|scale|both] [--scale]
                                  [--only pages|dispatch] [--messages 2000] [--dispatch-rounds 2]
    .venv/bin/python bench/run.py --profile NAME [--data small|scale] [--requests 200]

`--page` alone measures those pages and skips the dispatcher; `--only` says exactly what runs.
`--profile` measures nothing: it prints a pyinstrument profile of one page served in-process.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import signal
import smtplib
import socket
import sqlite3
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
import fixtures
from bare_app import ENV_URL, EXTRA, FORTUNES, init_db
from load import (
    HEADERS,
    Client,
    LoadError,
    LoadResult,
    combine,
    forms_in,
    run_load,
    run_wrk,
    wrk_path,
)

from academy.demo import DEMO_PASSWORD

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"


# The targets of issue 15, measured side by side in one run: academy req/s / bare req/s at
# least this for every page (VISITOR_TARGET for the pages a visitor reads), p99 latency at most
# TAIL x p50, and at scale every page within SCALE_TOLERANCE of its ratio on the small data set.
PAGE_TARGET = 0.33
VISITOR_TARGET = 0.6
TAIL = 3.0
SCALE_TOLERANCE = 0.10
DISPATCH_TARGET = 0.85  # dispatch_due() messages/s / the plain smtplib loop's


@dataclass(frozen=True)
class Page:
    """An academy page to measure; `user` (a key of USERS) measures it logged in as them.

    `shows` is text the page must contain (every piece of it) before it is measured: a page
    that is a 200 but empty (no free slots, no bookings) does less work than the real one.
    `path` may name values bench/fixtures.py makes ({attempt}, {feed_token}); `visitor` pages
    are the ones a visitor reads, held to VISITOR_TARGET.
    """

    name: str
    path: str
    user: str | None = None
    shows: str | tuple[str, ...] = ()
    visitor: bool = False

    @property
    def target(self) -> float:
        return VISITOR_TARGET if self.visitor else PAGE_TARGET

    @property
    def texts(self) -> tuple[str, ...]:
        return (self.shows,) if isinstance(self.shows, str) else self.shows

    def url(self, facts: Mapping[str, object]) -> str:
        """The path with the fixtures' values put in."""
        return self.path.format(**facts)

    @property
    def label(self) -> str:
        """The path as the report prints it: `{feed_token}` as `<feed_token>`."""
        return re.sub(r"\{(\w+)\}", r"<\1>", self.path)


PAGES: list[Page] = [
    # --- what a visitor reads
    Page("home", "/", visitor=True),
    # A demo help article (one UPDATE counts the view) and a full-text search (FTS5 here).
    Page(
        "help article",
        "/help/billing-and-invoices/create-recurring-invoices",
        shows="Was this article helpful?",
        visitor=True,
    ),
    Page("help search", "/help/search?q=invoices", shows="<mark>", visitor=True),
    Page("terms", "/terms", shows="Version 2024-03-01", visitor=True),
    # The demo's three upcoming workshops (one full), as a visitor sees them.
    Page(
        "workshops, visitor",
        "/workshops/",
        shows=("Full — join the waitlist", "Log in to register"),
        visitor=True,
    ),
    Page("login", "/login"),
    # --- the demo client
    Page("home, client", "/", user="client"),
    # This week's free slots of the demo staff member's weekday hours, one form per slot.
    Page("1:1 slots", "/sessions/quick-assist/", user="client", shows='name="start"'),
    # The two sessions `flask demo seed` books for the demo client.
    Page("my sessions", "/sessions/mine", user="client", shows='href="/sessions/bookings/'),
    # The demo's four workshops, with the client's own places (a waitlist position).
    Page("workshops", "/workshops/", user="client", shows="Waitlist: number 2"),
    # The full demo workshop's page: its date, the client second on its waitlist.
    Page(
        "workshop page",
        "/workshops/invoices-and-payments-recurring-billing-in-practice",
        user="client",
        shows=("Waitlist: number 2", "Retainers, recurring invoices"),
    ),
    # The Academy catalogue with the demo client's progress, and a lesson of the course
    # `flask demo seed` puts them halfway through.
    Page("academy catalogue", "/academy", user="client", shows='class="progress__bar"'),
    Page(
        "academy lesson",
        "/academy/getting-started-with-taxdome/lessons/5",
        user="client",
        shows="Mark complete",
    ),
    # The client's open attempt at bench/fixtures.py's quiz: all 20 questions, 8 answered.
    Page(
        "quiz, 20 questions",
        "/academy/attempts/{attempt}",
        user="client",
        shows=(fixtures.prompt(1), fixtures.prompt(fixtures.QUESTIONS), " checked"),
    ),
    # The demo client's private calendar feed (token made by bench/fixtures.py): no cookie.
    Page(
        "webcal feed",
        "/calendar/{feed_token}.ics",
        shows=("BEGIN:VEVENT", "SUMMARY:Implementation session"),
    ),
    # --- the demo staff member
    # Their schedule from today: the client's sessions and the workshops' registrations.
    Page(
        "staff schedule",
        "/staff/sessions",
        user="staff",
        shows=("On the waitlist", "client@example.com"),
    ),
    # The open support requests by deadline (the demo's three).
    Page(
        "staff inbox",
        "/staff/inbox",
        user="staff",
        shows="Recurring invoice not sent on the 1st",
    ),
    # Every feedback item, newest first.
    Page(
        "feedback triage",
        "/staff/feedback",
        user="staff",
        shows="Do you offer the Academy in Romanian?",
    ),
]

# Accounts made by `flask demo seed` (academy/demo.py).
USERS: dict[str, tuple[str, str]] = {
    "client": ("client@example.com", DEMO_PASSWORD),
    "staff": ("staff@example.com", DEMO_PASSWORD),
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


@dataclass(frozen=True)
class Data:
    """A data set the academy is measured on: its name, and what making it printed."""

    name: str  # "small" or "scale": flask demo seed + bench/fixtures.py + bench/scale.py's
    facts: dict[str, object]  # bench/fixtures.py's values for the paths of PAGES
    rows: dict[str, int]  # rows bench/scale.py added, per table
    seconds: float  # how long making it took


def _step(command: list[str], env: dict[str, str]) -> str:
    """Run one set-up command in the repository; its stdout, or BenchError with its output."""
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shown = " ".join(command[1:] if command[0] == sys.executable else command)
        raise BenchError(f"{shown} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def prepare_academy(tmp: Path, scale: bool = False) -> tuple[dict[str, str], Data]:
    """Migrate and seed a fresh SQLite database, add the benchmark's fixtures (and the scale
    data set); return the environment the app runs with and what was made."""
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp / 'academy.db'}",
        SECRET_KEY="bench-" + os.urandom(16).hex(),  # shared by both workers: one session key
        RATELIMIT_ENABLED="0",
        FLASK_APP="wsgi",
    )
    started = time.perf_counter()
    for command in (["db", "upgrade"], ["demo", "seed"]):
        _step([sys.executable, "-m", "flask", *command], env)
    facts = json.loads(_step([sys.executable, str(BENCH / "fixtures.py")], env))
    # Both data sets fill the first page of every list; scale holds ten times more around it.
    print(f"loading the {'scale' if scale else 'small'} data set ...", file=sys.stderr, flush=True)
    size = [] if scale else ["--small"]
    rows = json.loads(_step([sys.executable, str(BENCH / "scale.py"), *size], env))["rows"]
    name = "scale" if scale else "small"
    return env, Data(name, facts, rows, time.perf_counter() - started)


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

    def start(self, workers: int, threads: int = 0) -> None:
        """Sync workers, or threaded (gthread) ones with `threads` each, as production runs
        for the chat (README, "Running in production")."""
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
            "gthread" if threads else "sync",
            *(["--threads", str(threads)] if threads else []),
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


def check_page(server: Server, page: Page, path: str, cookies: Mapping[str, str]) -> int:
    """One GET before the load: a 200, logged in exactly when the page says so, showing what
    it must. Returns the size of the page in bytes (the report prints it)."""
    client = Client(HOST, server.port, cookies)
    reply = client.request("GET", path)
    client.close()
    if reply.status != 200:
        raise BenchError(f"page {page.name!r}: " + reply.describe("GET", path))
    html = reply.text()
    if shows_logged_in(html) != bool(page.user):
        state = "logged in" if page.user is None else "anonymous"
        raise BenchError(f"page {page.name!r}: GET {path} was served {state}")
    missing = [text for text in page.texts if text not in html]
    if missing:
        raise BenchError(f"page {page.name!r}: GET {path} does not show {missing[0]!r}")
    return len(reply.body)


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    """One academy page against the bare page, measured in alternating rounds."""

    page: Page
    academy: LoadResult
    bare: LoadResult
    round_ratios: list[float]
    size: int  # bytes of the academy page

    @property
    def ratio(self) -> float:
        return self.academy.rps / self.bare.rps if self.bare.rps else float("nan")

    @property
    def ratio_met(self) -> bool:
        return self.ratio >= self.page.target

    @property
    def tail_met(self) -> bool:
        return self.academy.p99_ms <= TAIL * self.academy.p50_ms


@dataclass(frozen=True)
class Run:
    """Every page measured on one data set."""

    data: Data
    comparisons: list[Comparison]


@dataclass(frozen=True)
class Target:
    """The academy on one data set, ready to be loaded with one page."""

    data: Data
    server: Server
    path: str
    cookies: Mapping[str, str]
    size: int


def compare(
    measure: Callable[..., LoadResult],
    args: argparse.Namespace,
    bare: Server,
    page: Page,
    targets: list[Target],
) -> list[Comparison]:
    """Bare, academy, bare, academy...: short rounds taken in turn, then added up.

    Whatever else the machine is doing (a test run, a build) then weighs on both sides alike,
    instead of on whichever app happened to be measured at that moment; the spread of the
    per-round ratios shows how noisy the machine was. With two data sets, each round is bare,
    then both academies (small and scale, their order swapped every round), and both ratios
    use the same bare rounds: the scale/small comparison is then as steady as the ratios are.
    The first round of each app starts with the warm-up (every worker compiles the page's
    templates on its first request); later ones with a tenth of a second, so that no round
    counts its own ramp from zero connections busy.
    """
    share = args.seconds / args.rounds
    bare_rounds: list[LoadResult] = []
    rounds: list[list[LoadResult]] = [[] for _ in targets]

    def one(server: Server, path: str, jar: Mapping[str, str], warmup: float) -> LoadResult:
        return measure(
            HOST,
            server.port,
            path,
            seconds=share,
            warmup=warmup,
            concurrency=args.concurrency,
            cookies=jar,
        )

    for n in range(args.rounds):
        warmup = args.warmup if n == 0 else min(args.warmup, 0.1)
        bare_rounds.append(one(bare, BARE_PATH, {}, warmup))
        order = list(range(len(targets)))
        for i in order if n % 2 == 0 else order[::-1]:
            rounds[i].append(one(targets[i].server, targets[i].path, targets[i].cookies, warmup))
    return [
        Comparison(
            page=page,
            academy=combine(mine),
            bare=combine(bare_rounds),
            round_ratios=[
                a.rps / b.rps if b.rps else float("nan")
                for a, b in zip(mine, bare_rounds, strict=True)
            ],
            size=target.size,
        )
        for target, mine in zip(targets, rounds, strict=True)
    ]


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
        "--threads",
        type=int,
        default=0,
        help="threaded (gthread) workers with this many threads each; 0: sync workers (0)",
    )
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
        "--data",
        choices=["small", "scale", "both"],
        default="small",
        help="data set: small (a tenth of scale, the default), scale (bench/scale.py), or both "
        "in one run, compared page by page",
    )
    parser.add_argument(
        "--scale",
        dest="data",
        action="store_const",
        const="both",
        help="the same as --data both (make bench SCALE=1)",
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
    parser.add_argument(
        "--profile",
        metavar="NAME",
        help="instead of measuring: serve page NAME in-process (Flask's test client, no "
        "gunicorn) on the chosen --data set and print a pyinstrument profile of it",
    )
    parser.add_argument(
        "--requests", type=int, default=200, help="--profile: requests profiled (200)"
    )
    args = parser.parse_args(argv)
    if min(args.seconds, args.rounds, args.concurrency, args.workers) <= 0 or args.warmup < 0:
        parser.error("--seconds, --rounds, --concurrency and --workers must be positive")
    if min(args.messages, args.dispatch_rounds, args.requests) <= 0:
        parser.error("--messages, --dispatch-rounds and --requests must be positive")
    if args.only is None and args.page:
        args.only = "pages"
    elif args.only == "dispatch" and args.page:
        parser.error("--page measures pages: it cannot go with --only dispatch")
    known = {p.name for p in PAGES}
    unknown = (set(args.page or []) | ({args.profile} if args.profile else set())) - known
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    if args.profile and args.data == "both":
        parser.error("--profile profiles one data set: --data small or --data scale")
    if args.client == "wrk" and wrk_path() is None:
        parser.error("--client wrk: wrk is not installed")
    return args


def _raise_on_term(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM as SystemExit, so that the finally blocks stop both servers."""
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    """The pages on each data set, then the dispatcher (unless --only says otherwise), then
    the targets met and missed. 0 if every part could be measured, whatever the targets: a
    benchmark reports, it does not fail a build."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_on_term)
    if args.profile:
        return run_profile(args)
    status = 0
    runs: list[Run] = []
    try:
        if args.only in {None, "pages"}:
            scales = {"small": [False], "scale": [True], "both": [False, True]}[args.data]
            runs = run_pages(args, scales)
            if not runs:
                status = 1
            if len(runs) == 2:
                print_scale_comparison(*runs)
        dispatched: float | None = None
        if args.only in {None, "dispatch"}:
            dispatched = run_dispatch(args)
            if dispatched is None:
                status = 1
    except KeyboardInterrupt:
        print("\nbench interrupted", file=sys.stderr)
        return 130
    print_targets(runs, dispatched)
    return status


def run_pages(args: argparse.Namespace, scales: list[bool]) -> list[Run]:
    """The bare app and one academy per data set under gunicorn, every page measured on each
    in the same rounds, and reported; servers stopped and the temp dir removed. Empty (with
    the reason on stderr) if the benchmark could not run."""
    pages = [p for p in PAGES if not args.page or p.name in args.page]
    measure: Callable[..., LoadResult] = run_wrk if args.client == "wrk" else run_load

    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-"))
    servers: list[Server] = []
    try:
        academies: list[tuple[Data, Server]] = []
        for scale in scales:
            home = tmp / ("scale" if scale else "small")
            home.mkdir()
            env, data = prepare_academy(home, scale)
            academies.append(
                (data, Server(f"academy ({data.name})", "wsgi:app", ROOT, env, home / "log"))
            )
        bare = Server("bare", "bare_app:create_app()", BENCH, prepare_bare(tmp), tmp / "bare.log")
        for server in [*(a for _, a in academies), bare]:
            servers.append(server)
            server.start(args.workers, args.threads)
        for _, academy in academies:
            academy.wait_ready("/")
        bare.wait_ready(BARE_PATH)
        check_bare(bare)
        targets: dict[str, list[Target]] = {page.name: [] for page in pages}
        for data, academy in academies:
            users = {p.user for p in pages if p.user}
            sessions = {user: log_in(academy, *USERS[user]) for user in users}
            for page in pages:
                path = page.url(data.facts)
                jar = sessions.get(page.user or "", {})
                size = check_page(academy, page, path, jar)
                targets[page.name].append(Target(data, academy, path, jar, size))

        results: list[list[Comparison]] = [[] for _ in academies]
        for page in pages:
            on = " and ".join(t.data.name for t in targets[page.name])
            print(f"measuring {page.name} ({page.label}, {on}) ...", file=sys.stderr, flush=True)
            for i, comparison in enumerate(compare(measure, args, bare, page, targets[page.name])):
                results[i].append(comparison)
        runs = [Run(data, done) for (data, _), done in zip(academies, results, strict=True)]
        for run in runs:
            print_report(args, run)
        print_logs(servers)
        return runs
    except (BenchError, LoadError) as error:
        print(f"\nbench FAILED: {error}", file=sys.stderr)
        print_logs(servers)
        return []
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def run_dispatch(args: argparse.Namespace) -> float | None:
    """bench/dispatch.py's measurement and report; its ratio, or None if it failed."""
    sys.stdout.flush()  # what was printed before comes before this, also in a log file
    print(
        f"measuring dispatch ({args.dispatch_rounds} x {args.messages} messages per sender) ...",
        file=sys.stderr,
        flush=True,
    )
    try:
        report = dispatch.measure(args.messages, args.dispatch_rounds)
    except (dispatch.DispatchBenchError, OSError, smtplib.SMTPException) as error:
        print(f"\ndispatch bench FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return None
    dispatch.print_report(report)
    return report.ratio


# --- the report ----------------------------------------------------------------------------------


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]], left: int) -> None:
    """Columns padded to their widest cell: the first `left` to the left, the rest right."""
    widths = [max(len(row[i]) for row in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        cells = [
            cell.ljust(w) if i < left else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def _describe(data: Data) -> str:
    rows = data.rows
    parts = [
        f"{rows.get('users', 0):,} users",
        f"{rows.get('firms', 0):,} firms",
        f"{rows.get('bookings', 0):,} bookings",
        f"{rows.get('occurrences', 0):,} occurrences",
        f"{rows.get('help_articles', 0):,} help articles",
        f"{rows.get('courses', 0):,} courses",
        f"{rows.get('lessons', 0):,} lessons",
        f"{rows.get('feedback_items', 0):,} feedback items",
        f"{rows.get('support_requests', 0):,} support requests",
        f"{sum(rows.values()):,} rows in all",
    ]
    made = "bench/scale.py --small" if data.name == "small" else "bench/scale.py"
    return (
        f"{data.name}: flask demo seed + bench/fixtures.py (a 20-question quiz, a feed token) "
        f"+ {made} (" + ", ".join(parts) + ")"
    )


def _short(path: str, width: int = 40) -> str:
    return path if len(path) <= width else path[: width - 1] + "…"


def _verdict(c: Comparison) -> str:
    misses = [what for what, met in (("ratio", c.ratio_met), ("p99", c.tail_met)) if not met]
    return "MISS: " + ", ".join(misses) if misses else "ok"


def print_report(args: argparse.Namespace, run: Run) -> None:
    comparisons = run.comparisons
    cpus = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpus
    client = "wrk" if args.client == "wrk" else "python threads"
    print()
    kind = f"gthread workers of {args.threads} threads" if args.threads else "sync workers"
    print(
        "TaxDome Academy benchmark: requests per second (higher is better), 200s only, "
        f"{run.data.name} data set"
    )
    print(
        f"setup: {usable} usable CPUs ({cpus} online), Python {platform.python_version()}, "
        f"gunicorn {version('gunicorn')}, {args.workers} {kind} per app, "
        f"SQLite {sqlite3.sqlite_version}, loopback"
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
    print(f"data: {_describe(run.data)}; made in {run.data.seconds:.0f} s")
    print(
        f"targets: academy/bare >= {VISITOR_TARGET:.2f} for visitor pages, >= {PAGE_TARGET:.2f} "
        f"for the others; p99 <= {TAIL:g} x p50"
    )
    print()
    head = (
        "page",
        "path",
        "academy req/s",
        "bare req/s",
        "academy/bare",
        "rounds min-max",
        "target",
        "academy p50/p99 ms",
        f"p99<={TAIL:g}xp50",
        "KB",
        "",
    )
    rows = [
        (
            c.page.name + (f" [{c.page.user}]" if c.page.user else ""),
            _short(c.page.label),
            f"{c.academy.rps:.0f}",
            f"{c.bare.rps:.0f}",
            f"{c.ratio:.2f}",
            f"{min(c.round_ratios):.2f}-{max(c.round_ratios):.2f}",
            f">={c.page.target:.2f}" + (" visitor" if c.page.visitor else ""),
            f"{c.academy.p50_ms:.1f} / {c.academy.p99_ms:.1f}",
            "yes" if c.tail_met else "NO",
            f"{c.size / 1024:.1f}",
            _verdict(c),
        )
        for c in comparisons
    ]
    _table(head, rows, left=2)
    print()
    busiest = max(r.client_cpu for c in comparisons for r in (c.academy, c.bare))
    print(
        f"The load client used up to {busiest:.0%} of one CPU, on the same machine as both "
        "servers: compare ratios, not absolute req/s, across machines."
    )
    sys.stdout.flush()


def within(small: Comparison, scale: Comparison) -> bool:
    """The scale ratio is at most SCALE_TOLERANCE below the small one (higher is fine)."""
    return scale.ratio >= (1 - SCALE_TOLERANCE) * small.ratio


def print_scale_comparison(small: Run, scale: Run) -> None:
    print()
    print(
        "Small and scale data sets, page by page: academy/bare on each, measured in the same "
        "rounds against the same bare app (rounds: scale/small in each round)"
    )
    print(
        "(KB: the size of the page; a page that grew lists more rows at scale, one that did not "
        "shows the same content and only its queries can make it slower)"
    )
    print()
    at_scale = {c.page.name: c for c in scale.comparisons}
    rows = []
    for c in small.comparisons:
        other = at_scale.get(c.page.name)
        if other is None:
            continue
        change = other.ratio / c.ratio - 1 if c.ratio else float("nan")
        each = [b / a - 1 for a, b in zip(c.round_ratios, other.round_ratios, strict=True) if a]
        rows.append(
            (
                c.page.name + (f" [{c.page.user}]" if c.page.user else ""),
                f"{c.ratio:.2f}",
                f"{other.ratio:.2f}",
                f"{change:+.0%}",
                f"{min(each):+.0%} to {max(each):+.0%}" if each else "",
                "yes" if within(c, other) else "NO",
                f"{c.size / 1024:.1f}",
                f"{other.size / 1024:.1f}",
                f"{c.academy.p50_ms:.1f} / {other.academy.p50_ms:.1f}",
            )
        )
    head = (
        "page",
        "small",
        "scale",
        "change",
        "rounds",
        f"within {SCALE_TOLERANCE:.0%}",
        "small KB",
        "scale KB",
        "p50 ms small / scale",
    )
    _table(head, rows, left=1)
    sys.stdout.flush()


def misses(runs: list[Run], dispatched: float | None) -> list[str]:
    """Every target of issue 15 this run missed, one sentence each."""
    found = []
    for run in runs:
        for c in run.comparisons:
            kind = "visitor page" if c.page.visitor else "page"
            if not c.ratio_met:
                found.append(
                    f"{run.data.name}: {c.page.name}: academy/bare {c.ratio:.3f} "
                    f"< {c.page.target:.2f} ({kind})"
                )
            if not c.tail_met:
                found.append(
                    f"{run.data.name}: {c.page.name}: p99 {c.academy.p99_ms:.1f} ms "
                    f"> {TAIL:g} x p50 ({c.academy.p50_ms:.1f} ms)"
                )
    if len(runs) == 2:
        at_scale = {c.page.name: c for c in runs[1].comparisons}
        for c in runs[0].comparisons:
            other = at_scale.get(c.page.name)
            if other is not None and not within(c, other):
                found.append(
                    f"scale: {c.page.name}: academy/bare {other.ratio:.3f} is "
                    f"{1 - other.ratio / c.ratio:.0%} below the small data set's {c.ratio:.3f} "
                    f"(at most {SCALE_TOLERANCE:.0%})"
                )
    if dispatched is not None and dispatched < DISPATCH_TARGET:
        found.append(f"dispatch: academy/plain {dispatched:.2f} < {DISPATCH_TARGET:.2f}")
    return found


def print_targets(runs: list[Run], dispatched: float | None) -> None:
    """The last lines: "all targets met", or every miss, impossible to overlook."""
    measured = [f"{run.data.name} data set ({len(run.comparisons)} pages)" for run in runs]
    if len(runs) == 2:
        measured.append("scale against small")
    if dispatched is not None:
        measured.append("dispatch")
    if not measured:
        return
    print()
    print("Targets (issue 15), on " + ", ".join(measured) + ":")
    found = misses(runs, dispatched)
    if not found:
        print("all targets met")
        return
    print(f"TARGETS MISSED ({len(found)}):")
    for line in found:
        print(f"  MISS  {line}")


def print_logs(servers: list[Server]) -> None:
    """Whatever a server wrote (warnings and tracebacks only, at --log-level warning)."""
    for server in servers:
        text = server.log_text().strip()
        if text:
            lines = text.splitlines()
            print(f"\n{server.name} server log ({len(lines)} lines, last 40):", file=sys.stderr)
            print("\n".join(lines[-40:]), file=sys.stderr)


# --- --profile -----------------------------------------------------------------------------------


def run_profile(args: argparse.Namespace) -> int:
    """One page served in-process by Flask's test client, logged in as its user through the
    real form, on a data set made as for the measurement; a pyinstrument profile of it."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        print("--profile needs pyinstrument (in the test extras: make install)", file=sys.stderr)
        return 1
    page = next(p for p in PAGES if p.name == args.profile)
    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-profile-"))
    try:
        env, data = prepare_academy(tmp, args.data == "scale")
        os.environ.clear()  # this process is now the app's, with the servers' environment
        os.environ.update(env)
        from academy import create_app
        from academy.extensions import db

        app = create_app()
        path = page.url(data.facts)
        with app.test_client() as client:
            if page.user:
                email, password = USERS[page.user]
                form = next(f for f in forms_in(client.get("/login").text) if "csrf_token" in f)
                client.post(
                    "/login",
                    data={"csrf_token": form["csrf_token"], "email": email, "password": password},
                )
            for _ in range(20):  # templates compiled, caches warm
                reply = client.get(path, headers=HEADERS)
                if reply.status_code != 200:
                    raise BenchError(f"GET {path} -> {reply.status_code}")
            profiler = Profiler(interval=0.0005)
            started = time.perf_counter()
            with profiler:
                for _ in range(args.requests):
                    client.get(path, headers=HEADERS)
            seconds = time.perf_counter() - started
        with app.app_context():
            db.engine.dispose()
        print(
            f"\n{page.name} ({path}), {data.name} data set: {args.requests} requests in-process, "
            f"{seconds / args.requests * 1000:.2f} ms each (profiler on)"
        )
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0
    except BenchError as error:
        print(f"\nprofile FAILED: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
