"""Dispatcher throughput: the outbox sending due reminders, beside a plain smtplib loop.

Both send the same messages (one real reminder, rendered by the booking code, cloned N times)
to the same SMTP server on loopback, and the number that matters is again a ratio: messages/s
of `dispatch_due()` over messages/s of the loop. The loop builds each message with the same
`build_email()` inside its timing and sends them all over one connection, so the difference
between the two is what the outbox's bookkeeping costs, and that cost is deliberate:

* rows are claimed before they are sent: one UPDATE ... WHERE status = 'pending' ...
  RETURNING, which hands the claimed batch back as rows, plus a commit, so that two
  dispatchers never send the same row (academy.notifications.dispatcher.claim);
* each outcome is committed on its own, right after the SMTP server accepted the message
  (an UPDATE of status, attempts and sent_at, and a COMMIT per message), so that a crash in
  the middle of a batch re-sends nothing that was already sent;
* before each send the row is read again (still claimed by this dispatcher, not withdrawn),
  and the claim is renewed as a long batch goes on; one SMTP session serves the whole pass,
  as the loop's one connection does.

That bookkeeping is small beside what both senders share. On the 2-core machine this was
written on, one reminder took about 0.9 ms to build (Python's email package), about 1 ms to
go through the SMTP exchange, and the claim plus the commit of its outcome about 0.3 ms: SQLite
in WAL mode with synchronous=NORMAL does not wait for the disk at each commit. A database that
does (PostgreSQL's default synchronous_commit) makes the per-message commit cost more.

The SMTP server is aiosmtpd's Controller, run in a child process: in this process its event
loop would share the GIL with the code being measured and slow down both sides by an amount
that depends on thread scheduling rather than on either sender. It counts what it accepts and
the distinct Message-IDs, so a run that lost or duplicated a message fails instead of
reporting a rate. Run `make bench` for both benchmarks, or this part alone:

    .venv/bin/python bench/dispatch.py [--messages 2000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import platform
import shutil
import smtplib
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import delete, func, insert, select

from academy import create_app
from academy.core.clock import now
from academy.demo import seed
from academy.extensions import db
from academy.notifications.dispatcher import dispatch_due
from academy.notifications.mail import build_email
from academy.notifications.models import OutboxMessage, OutboxStatus

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
HOST = "127.0.0.1"
MESSAGES = 2000
ROUNDS = 2
# Sent through both senders first and not counted: imports, SQLAlchemy's statement caches,
# the email package's first calls, the server's first connection.
WARMUP = 20
REMINDER_KIND = "booking_reminder"


class DispatchBenchError(RuntimeError):
    """The dispatch benchmark could not be set up, or its result is wrong; the message says why."""


# --- the SMTP server ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """What the server accepted since it was last asked."""

    messages: int
    distinct_ids: int
    size: int  # bytes of DATA, all messages together


class SmtpServer:
    """bench/smtp_sink.py in a child process, for the length of a `with` block."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.port = 0
        self._proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> SmtpServer:
        with self.log.open("w") as err:
            self._proc = subprocess.Popen(
                [sys.executable, str(BENCH / "smtp_sink.py")],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
            )
        # The Controller fails on its own if it is not up within seconds; then the line is "".
        line = self._exchange(None)
        if not line.strip().isdigit():
            self._stop()
            raise DispatchBenchError(f"the SMTP server did not start:\n{self._log_text()}")
        self.port = int(line)
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def take(self) -> Tally:
        line = self._exchange("take")
        try:
            return Tally(**json.loads(line))
        except (ValueError, TypeError) as error:
            raise DispatchBenchError(
                f"the SMTP server answered {line!r}:\n{self._log_text()}"
            ) from error

    def _exchange(self, command: str | None) -> str:
        """Send a line (if any) and read the answer; "" if the server is gone."""
        assert self._proc is not None and self._proc.stdin and self._proc.stdout
        try:
            if command is not None:
                self._proc.stdin.write(command + "\n")
                self._proc.stdin.flush()
            return self._proc.stdout.readline()
        except OSError:
            return ""

    def _stop(self) -> None:
        """End of stdin stops the server; kill it if it does not stop within 10 s."""
        if self._proc is None:
            return
        with contextlib.suppress(OSError):
            assert self._proc.stdin is not None
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc = None

    def _log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""


# --- the app and its outbox --------------------------------------------------------------------


def make_app(tmp: Path, smtp_port: int) -> Flask:
    """The academy on a throwaway SQLite database, mailing through the server on `smtp_port`.

    Everything the environment could set differently (a real relay, TLS, credentials, the SMS
    provider) is given explicitly, so the benchmark measures the same thing everywhere.
    """
    return create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'dispatch.db'}",
            "SECRET_KEY": "bench-dispatch",
            "BASE_URL": "http://127.0.0.1:5000",
            "RATELIMIT_ENABLED": False,
            "MAIL_SERVER": HOST,
            "MAIL_PORT": smtp_port,
            "MAIL_USE_TLS": False,
            "MAIL_USE_SSL": False,
            "MAIL_USERNAME": "",
            "MAIL_PASSWORD": "",
            "MAIL_TIMEOUT": 20,
            "MAIL_FILE_DIR": str(tmp / "mail"),
            "SMS_PROVIDER": "file",
            "SMS_FILE_DIR": str(tmp / "sms"),
        }
    )


def migrate_and_seed() -> None:
    """`flask db upgrade` and `flask demo seed`, in-process (call inside an app context).

    Alembic's logging config (migrations/alembic.ini) prints a line per migration to stderr;
    those lines are kept and shown only if something fails. The handlers that config installs
    are then pointed back at stderr, so that the dispatcher's warnings are not swallowed too.
    """
    noise = io.StringIO()
    try:
        with contextlib.redirect_stderr(noise):
            upgrade(directory=str(ROOT / "migrations"))
            seed()
    except Exception as error:
        raise DispatchBenchError(f"migrate and seed failed: {error}\n{noise.getvalue()}") from error
    finally:
        known = logging.root.manager.loggerDict.values()
        loggers = [logging.root, *(lg for lg in known if isinstance(lg, logging.Logger))]
        for handler in {h for lg in loggers for h in lg.handlers}:
            if isinstance(handler, logging.StreamHandler) and handler.stream is noise:
                handler.setStream(sys.stderr)


def reminder_template() -> dict[str, Any]:
    """The columns of the largest email reminder the demo seed's bookings queued.

    The seed books two sessions through academy.scheduling.services, which renders their
    reminders (subject, text and HTML) through academy.scheduling.messages: real emails.
    """
    row = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.kind == REMINDER_KIND, OutboxMessage.channel == "email")
        .order_by(func.length(OutboxMessage.body_html).desc())
        .limit(1)
    )
    if row is None:
        raise DispatchBenchError(
            "`flask demo seed` queued no email reminder to clone (does it still book sessions?)"
        )
    columns = (
        "kind",
        "channel",
        "user_id",
        "booking_id",
        "recipient",
        "subject",
        "body_text",
        "body_html",
        "attachments",
    )
    return {name: getattr(row, name) for name in columns}


def fill_outbox(template: dict[str, Any], count: int, tag: str) -> list[OutboxMessage]:
    """Empty the outbox, then queue `count` copies of `template`, all due a minute ago.

    Returns them loaded and detached (they keep their loaded values through later commits),
    for the plain loop to build the same emails from.
    """
    db.session.execute(delete(OutboxMessage))
    due = now() - timedelta(minutes=1)
    db.session.execute(
        insert(OutboxMessage),
        [
            {
                **template,
                "dedupe_key": f"bench:{tag}:{n}",
                "status": OutboxStatus.PENDING,
                "due_at": due,
                "attempts": 0,
            }
            for n in range(count)
        ],
    )
    db.session.commit()
    rows = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    db.session.expunge_all()
    return rows


# --- the two senders ---------------------------------------------------------------------------


def run_dispatcher(count: int) -> float:
    """Seconds `dispatch_due()` takes to send the `count` due rows; checks that it sent them."""
    started = time.perf_counter()
    result = dispatch_due()
    seconds = time.perf_counter() - started
    statuses = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        ).all()
    )
    if result.sent != count or statuses != {OutboxStatus.SENT: count}:
        raise DispatchBenchError(
            f"dispatch_due() sent {result.sent} of {count} (retried {result.retried}, "
            f"failed {result.failed}); outbox rows by status: {statuses}"
        )
    return seconds


def run_plain(rows: list[OutboxMessage], sender: str, port: int) -> float:
    """Seconds a bare smtplib loop takes to build and send `rows` over one connection."""
    started = time.perf_counter()
    conn = smtplib.SMTP(HOST, port, timeout=20)
    try:
        for row in rows:
            conn.send_message(build_email(row, sender))
    finally:
        conn.quit()
    return time.perf_counter() - started


def check_received(server: SmtpServer, count: int, who: str) -> Tally:
    tally = server.take()
    if tally.messages != count or tally.distinct_ids != count:
        raise DispatchBenchError(
            f"{who}: the SMTP server received {tally.messages} messages "
            f"({tally.distinct_ids} distinct Message-IDs), expected {count}"
        )
    return tally


# --- the run -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One round: `messages` sent by each sender, timed separately."""

    academy_seconds: float
    plain_seconds: float

    @property
    def ratio(self) -> float:
        """academy messages/s over plain messages/s: the same count, so a ratio of times."""
        return self.plain_seconds / self.academy_seconds


@dataclass(frozen=True)
class DispatchReport:
    messages: int  # per sender and round
    rounds: list[Round]
    subject: str
    text_bytes: int
    html_bytes: int
    mime_bytes: int  # one message as the server received it

    @property
    def academy_seconds(self) -> float:
        return sum(r.academy_seconds for r in self.rounds)

    @property
    def plain_seconds(self) -> float:
        return sum(r.plain_seconds for r in self.rounds)

    @property
    def academy_rate(self) -> float:
        return self.messages * len(self.rounds) / self.academy_seconds

    @property
    def plain_rate(self) -> float:
        return self.messages * len(self.rounds) / self.plain_seconds

    @property
    def ratio(self) -> float:
        return self.academy_rate / self.plain_rate


def measure(messages: int = MESSAGES, rounds: int = ROUNDS) -> DispatchReport:
    """Set up in a temp dir (removed after), warm up both senders, then time the rounds."""
    tmp = Path(tempfile.mkdtemp(prefix="academy-bench-dispatch-"))
    try:
        with SmtpServer(tmp / "smtp.log") as server:
            app = make_app(tmp, server.port)
            with app.app_context():
                try:
                    return _measure(app, server, messages, rounds)
                finally:
                    db.session.remove()
                    db.engine.dispose()  # close the SQLite files before the directory goes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _measure(app: Flask, server: SmtpServer, messages: int, rounds: int) -> DispatchReport:
    """Each round queues `messages` due rows, then times the dispatcher and the loop on them.

    The order alternates from round to round (academy first, then plain first), so that a
    machine getting busier or quieter during the run weighs on both senders alike.
    """
    migrate_and_seed()
    template = reminder_template()
    sender = app.config["MAIL_DEFAULT_SENDER"]

    warm = fill_outbox(template, WARMUP, "warmup")
    run_dispatcher(WARMUP)
    # Each sender's copy of a row carries the row's own Message-ID (stable since issue 12):
    # counted apart, as the rounds do, so that the two copies are not taken for one sent twice.
    check_received(server, WARMUP, "warm-up, dispatch_due()")
    run_plain(warm, sender, server.port)
    check_received(server, WARMUP, "warm-up, the smtplib loop")

    done: list[Round] = []
    size = 0
    for n in range(rounds):
        rows = fill_outbox(template, messages, f"round{n}")
        seconds: dict[str, float] = {}
        for who in ("academy", "plain") if n % 2 == 0 else ("plain", "academy"):
            if who == "academy":
                seconds[who] = run_dispatcher(messages)
                size = check_received(server, messages, "dispatch_due()").size
            else:
                seconds[who] = run_plain(rows, sender, server.port)
                check_received(server, messages, "the smtplib loop")
        done.append(Round(seconds["academy"], seconds["plain"]))

    return DispatchReport(
        messages=messages,
        rounds=done,
        subject=template["subject"],
        text_bytes=len(template["body_text"].encode()),
        html_bytes=len((template["body_html"] or "").encode()),
        mime_bytes=size // messages,
    )


def print_report(report: DispatchReport) -> None:
    count = len(report.rounds)
    print()
    print("TaxDome Academy benchmark: outbox dispatch, messages per second (higher is better)")
    print(
        f"setup: Python {platform.python_version()}, SQLite {sqlite3.sqlite_version} "
        f"(WAL, synchronous=NORMAL), SQLAlchemy {version('sqlalchemy')}, "
        f"aiosmtpd {version('aiosmtpd')} Controller in its own process, loopback, no TLS"
    )
    print(
        f"messages: {report.messages} due copies of one demo reminder ({report.subject!r}: "
        f"text {report.text_bytes} B + HTML {report.html_bytes} B, {report.mime_bytes} B "
        f"as sent) per sender and round, "
        f"{f'{count} rounds alternating' if count > 1 else '1 round'}; "
        f"{WARMUP} more per sender first, not counted"
    )
    print()
    ratios = [r.ratio for r in report.rounds]
    rows = [
        ("sender", "messages/s", "seconds"),
        (
            "academy dispatch_due() (claims rows, commits each outcome)",
            f"{report.academy_rate:.0f}",
            f"{report.academy_seconds:.2f}",
        ),
        (
            "plain smtplib loop (build_email + send_message, one connection)",
            f"{report.plain_rate:.0f}",
            f"{report.plain_seconds:.2f}",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    print()
    print(
        f"academy/plain: {report.ratio:.2f} (rounds {min(ratios):.2f}-{max(ratios):.2f}); "
        f"the SMTP server received each of the {2 * count * report.messages} messages once"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--messages", type=int, default=MESSAGES, help=f"messages per sender and round ({MESSAGES})"
    )
    parser.add_argument("--rounds", type=int, default=ROUNDS, help=f"rounds ({ROUNDS})")
    args = parser.parse_args(argv)
    if args.messages <= 0 or args.rounds <= 0:
        parser.error("--messages and --rounds must be positive")
    return run(args.messages, args.rounds)


def run(messages: int = MESSAGES, rounds: int = ROUNDS) -> int:
    """Measure and print; 1 with the reason on stderr if the benchmark failed."""
    sys.stdout.flush()  # what was printed before comes before this line, also in a log file
    print(
        f"measuring dispatch ({rounds} x {messages} messages per sender) ...",
        file=sys.stderr,
        flush=True,
    )
    try:
        report = measure(messages, rounds)
    except (DispatchBenchError, OSError, smtplib.SMTPException) as error:
        print(f"\ndispatch bench FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
