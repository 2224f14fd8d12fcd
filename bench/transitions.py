"""Booking and registration throughput: what the compare-and-set transitions cost under load.

Each load thread is one client with its own session, doing a real state change over HTTP again
and again, as fast as the server answers:

* booking: POST book a 1:1 slot (its own slot, 2+ days ahead), then POST cancel it;
* registration: POST register for a workshop date, then POST cancel; the next cycle takes the
  next date (DATES of them), so every registration is a new one.

Every POST is counted (book, register and cancel alike) and must succeed: a 302 to the booking,
or the "cancelled" page. The number printed is POSTs per second, with p50/p99 latency.

`--compare-with REV` measures the same against another revision of this repository (a temporary
git worktree, e.g. main before a change), side by side in alternating rounds, and prints the
ratio: how much a change costs. Run it as a script (bench/ is then on sys.path):

    .venv/bin/python bench/transitions.py [--seconds 6] [--rounds 3] [--concurrency 8]
                                          [--workers 2] [--compare-with REV]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from load import Client, forms_in
from run import HOST, ROOT, BenchError, Server, clean_env

from academy.demo import DEMO_PASSWORD

USERS = 16  # more than any --concurrency used here: one client (and one slot) per thread
DATES = 600  # workshop dates; a thread registers for each in turn

# Run inside the measured tree (its own code, its own database): users, a big workshop date,
# free 1:1 slots. Only APIs that every revision compared here has.
SETUP = r"""
import json
from datetime import timedelta
from sqlalchemy import select
from academy import create_app
from academy.accounts.models import Firm, User
from academy.accounts.services import hash_password
from academy.core.clock import now
from academy.extensions import db
from academy.scheduling.models import Offering
from academy.scheduling.slots import load_slots
from academy.scheduling.workshops import schedule
try:
    from academy.terms.services import accept
except ImportError:  # a revision from before the terms had their own package
    from academy.support.terms import accept
from academy.workshops.services import save_workshop

app = create_app()
with app.app_context():
    firm = db.session.scalar(select(Firm).where(Firm.name == "Demo Accounting SRL"))
    staff = db.session.scalar(select(User).where(User.email == "staff@example.com"))
    users = []
    for i in range(%(users)d):
        user = User(email=f"bench{i}@example.com", name=f"Bench {i}", role="client", firm=firm,
                    password_hash=hash_password(%(password)r), timezone="Europe/Bucharest",
                    language="en")
        db.session.add(user)
        db.session.commit()
        accept(user)
        users.append(user.email)
    firm.seats = 1000
    db.session.commit()
    with app.test_request_context():
        workshop = save_workshop(None, title="Bench workshop", description="x", level="beginner",
                                 product_area="billing", language="en", host_id=staff.id,
                                 capacity=100000, duration=60, meeting_url="", active=True)
        # Past the 1:1 booking horizon, so they take none of the slots used below.
        first = (now() + timedelta(days=50)).replace(hour=0, minute=0, second=0, microsecond=0)
        dates = [schedule(workshop, start=first + timedelta(hours=i), minutes=60, host=staff,
                          capacity=100000, meeting_url="").id for i in range(%(dates)d)]
    quick = db.session.scalar(select(Offering).where(Offering.slug == "quick-assist"))
    slots = [s for s in load_slots(quick, now(), host_ids=[staff.id])
             if s.starts_at > now() + timedelta(days=2)][:%(users)d]
    print(json.dumps({"users": users, "dates": dates,
                      "slots": [[s.host_id, s.starts_at.isoformat()] for s in slots]}))
"""


@dataclass
class Target:
    """One revision of the app, under gunicorn, with its own database and bench data."""

    name: str
    tree: Path
    server: Server
    data: dict = field(default_factory=dict)


def prepare(name: str, tree: Path, tmp: Path, workers: int) -> Target:
    env = clean_env(
        DATABASE_URL=f"sqlite:///{tmp / (name + '.db')}",
        SECRET_KEY="bench-transitions",  # noqa: S106 - a throwaway server
        RATELIMIT_ENABLED="0",
        FLASK_APP="wsgi",
        MAIL_FILE_DIR=str(tmp / f"{name}-mail"),
        SMS_FILE_DIR=str(tmp / f"{name}-sms"),
    )
    for command in (["db", "upgrade"], ["demo", "seed"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", *command],
            cwd=tree,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BenchError(f"{name}: flask {' '.join(command)}:\n{done.stdout}{done.stderr}")
    code = SETUP % {"users": USERS, "password": DEMO_PASSWORD, "dates": DATES}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"{name}: setting up the bench data:\n{done.stderr}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    if len(data["slots"]) < USERS:
        raise BenchError(f"{name}: only {len(data['slots'])} free slots")
    server = Server(name, "wsgi:app", tree, env, tmp / f"{name}.log")
    server.start(workers)
    server.wait_ready("/")
    return Target(name, tree, server, data)


def _form(path: str, fields: dict[str, str]) -> tuple[str, bytes, dict[str, str]]:
    return path, urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def session_for(target: Target, email: str) -> tuple[Client, str]:
    """A logged-in client and its CSRF token (the same token serves every form of a session)."""
    client = Client(HOST, target.server.port)
    page = client.request("GET", "/login")
    token = next(f["csrf_token"] for f in forms_in(page.text()) if "csrf_token" in f)
    path, body, headers = _form(
        "/login", {"csrf_token": token, "email": email, "password": DEMO_PASSWORD}
    )
    reply = client.request("POST", path, body=body, headers=headers)
    if reply.status != 302:
        raise BenchError(f"{target.name}: login of {email}: {reply.describe('POST', path)}")
    home = client.request("GET", "/")
    token = next(f["csrf_token"] for f in forms_in(home.text()) if "csrf_token" in f)
    return client, token


def _booking_id(location: str) -> str:
    found = re.search(r"/sessions/bookings/(\d+)", urlsplit(location).path)
    if not found:
        raise BenchError(f"not redirected to a booking: {location!r}")
    return found.group(1)


def booking_cycle(target: Target, i: int) -> Callable[[], list[float]]:
    """Book slot i, cancel it; again. Returns a function doing one cycle (two POSTs)."""
    client, token = session_for(target, target.data["users"][i])
    host, start = target.data["slots"][i]

    def cycle() -> list[float]:
        times = []
        t = time.perf_counter()
        path, body, headers = _form(
            "/sessions/quick-assist/book",
            {"csrf_token": token, "host": str(host), "start": start, "note": ""},
        )
        reply = client.request("POST", path, body=body, headers=headers)
        if reply.status != 302 or "/sessions/bookings/" not in reply.headers.get("Location", ""):
            raise BenchError(reply.describe("POST", path))
        times.append(time.perf_counter() - t)
        booking = _booking_id(reply.headers["Location"])
        t = time.perf_counter()
        path, body, headers = _form(f"/sessions/bookings/{booking}/cancel", {"csrf_token": token})
        reply = client.request("POST", path, body=body, headers=headers)
        if reply.status != 200:
            raise BenchError(reply.describe("POST", path))
        times.append(time.perf_counter() - t)
        return times

    return cycle


def registration_cycle(target: Target, i: int) -> Callable[[], list[float]]:
    client, token = session_for(target, target.data["users"][i])
    dates = iter(target.data["dates"])

    def cycle() -> list[float]:
        occurrence = next(dates, None)
        if occurrence is None:
            raise BenchError(f"more than {DATES} registrations in one thread: raise DATES")
        times = []
        t = time.perf_counter()
        path, body, headers = _form(
            f"/workshops/dates/{occurrence}/register", {"csrf_token": token}
        )
        reply = client.request("POST", path, body=body, headers=headers)
        if reply.status != 302 or "/sessions/bookings/" not in reply.headers.get("Location", ""):
            raise BenchError(reply.describe("POST", path))
        times.append(time.perf_counter() - t)
        booking = _booking_id(reply.headers["Location"])
        t = time.perf_counter()
        path, body, headers = _form(f"/sessions/bookings/{booking}/cancel", {"csrf_token": token})
        reply = client.request("POST", path, body=body, headers=headers)
        if reply.status != 200:
            raise BenchError(reply.describe("POST", path))
        times.append(time.perf_counter() - t)
        return times

    return cycle


@dataclass(frozen=True)
class Result:
    posts: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.posts / self.seconds


def measure(cycles: list[Callable[[], list[float]]], seconds: float, warmup: float) -> Result:
    """Every thread runs its cycle in a loop; POSTs finishing inside the window count."""
    latencies: list[list[float]] = [[] for _ in cycles]
    errors: list[BaseException] = []
    begin = time.perf_counter()
    start, end = begin + warmup, begin + warmup + seconds

    def run(i: int) -> None:
        try:
            while time.perf_counter() < end:
                times = cycles[i]()
                if start <= time.perf_counter() < end:
                    latencies[i].extend(times)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(cycles))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + warmup + 120)
    if errors:
        raise BenchError(f"a load thread failed: {errors[0]}")
    ordered = sorted(x for part in latencies for x in part)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000

    return Result(len(ordered), seconds, pct(50), pct(99))


def combine(parts: list[Result]) -> Result:
    posts = sum(p.posts for p in parts)
    return Result(
        posts,
        sum(p.seconds for p in parts),
        sum(p.p50_ms * p.posts for p in parts) / posts,
        sum(p.p99_ms * p.posts for p in parts) / posts,
    )


KINDS = {
    "booking (book + cancel)": booking_cycle,
    "registration (register + cancel)": registration_cycle,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="measured per kind (6)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (3)")
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument("--concurrency", type=int, default=8, help="clients at once (8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (2)")
    parser.add_argument("--compare-with", metavar="REV", help="another revision, side by side")
    args = parser.parse_args(argv)
    if not 0 < args.concurrency <= USERS:
        parser.error(f"--concurrency must be 1 to {USERS}")

    tmp = Path(tempfile.mkdtemp(prefix="academy-transitions-"))
    targets: list[Target] = []
    worktree: Path | None = None
    try:
        targets.append(prepare("this tree", ROOT, tmp, args.workers))
        if args.compare_with:
            worktree = tmp / "other"
            subprocess.run(
                ["git", "worktree", "add", "--detach", str(worktree), args.compare_with],
                cwd=ROOT,
                check=True,
                capture_output=True,
            )
            targets.append(prepare(args.compare_with, worktree, tmp, args.workers))
        print_header(args, targets)
        for kind, make in KINDS.items():
            cycles = {t.name: [make(t, i) for i in range(args.concurrency)] for t in targets}
            rounds: dict[str, list[Result]] = {t.name: [] for t in targets}
            for n in range(args.rounds):
                for t in targets:  # in turn, so background load weighs on both alike
                    warmup = args.warmup if n == 0 else 0.1
                    rounds[t.name].append(
                        measure(cycles[t.name], args.seconds / args.rounds, warmup)
                    )
            results = {name: combine(parts) for name, parts in rounds.items()}
            print_row(kind, results, targets)
        return 0
    except BenchError as error:
        print(f"\nbench FAILED: {error}", file=sys.stderr)
        for t in targets:
            print(t.server.log_text()[-3000:], file=sys.stderr)
        return 1
    finally:
        for t in targets:
            t.server.stop()
        if worktree is not None:
            with contextlib.suppress(subprocess.CalledProcessError):
                subprocess.run(
                    ["git", "worktree", "remove", "--force", str(worktree)],
                    cwd=ROOT,
                    check=True,
                    capture_output=True,
                )
        shutil.rmtree(tmp, ignore_errors=True)


def print_header(args: argparse.Namespace, targets: list[Target]) -> None:
    print()
    print("Booking and registration throughput: state-changing POSTs per second (200/302 only)")
    print(
        f"setup: {args.workers} sync gunicorn workers, SQLite, {args.concurrency} clients at "
        f"once, each its own slot; {args.seconds:g} s measured per kind and revision, "
        f"in {args.rounds} alternating rounds"
    )
    print()
    cols = ["kind"] + [f"{t.name} POST/s (p50/p99 ms)" for t in targets]
    if len(targets) == 2:
        cols.append("ratio")
    print(" | ".join(cols))


def print_row(kind: str, results: dict[str, Result], targets: list[Target]) -> None:
    cells = [kind]
    for t in targets:
        r = results[t.name]
        cells.append(f"{r.rps:.0f} ({r.p50_ms:.1f}/{r.p99_ms:.1f})")
    if len(targets) == 2:
        a, b = (results[t.name].rps for t in targets)
        cells.append(f"{a / b:.2f}")
    print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    sys.exit(main())
