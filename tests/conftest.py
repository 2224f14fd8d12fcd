"""Fixtures shared by every test: app, db, client, login, clock, queries, smtp, factories.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL names one.
The schema comes from the migrations (once per run); after each test every table is
emptied and the reference data the migrations insert (the plan table) is put back.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask, g
from flask.testing import FlaskClient

from academy import create_app
from academy.core.clock import Clock
from academy.core.clock import clock as app_clock
from academy.extensions import db as _db

REPO = Path(__file__).resolve().parent.parent
PG_HINT = (
    "PostgreSQL is not reachable at {url}: start it (README, 'PostgreSQL and Redis') or set "
    "TEST_DATABASE_URL"
)


def require_or_skip(flag: str, message: str) -> None:
    """A missing service fails the test when `flag` is set (CI sets REQUIRE_*=1), else skips it."""
    message = f"{message}; {flag}=1 makes this a failure instead of a skip."
    if os.environ.get(flag, "").lower() in {"1", "true", "yes"}:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            pass
    except sa.exc.OperationalError as exc:
        require_or_skip("REQUIRE_POSTGRES", f"{PG_HINT.format(url=url)} ({exc})")
    finally:
        engine.dispose()
    return url


def _test_config(url: str, tmp: Path) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        # The test client's host: emailed links read "http://localhost/..." as before.
        "BASE_URL": "http://localhost",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "ARGON2_PARALLELISM": 1,
        "MAIL_SERVER": "",
        "MAIL_FILE_DIR": str(tmp / "mail"),
        "SMS_FILE_DIR": str(tmp / "sms"),
        "EVIDENCE_DIR": str(tmp / "evidence"),
        "DEFAULT_TIMEZONE": "Europe/Bucharest",
        # Session limits are off: many tests log in, then move the clock by days.
        # tests/accounts/test_sessions.py turns them on with the defaults (SESSION_LIMITS).
        "SESSION_LIFETIME_HOURS": 0,
        "SESSION_IDLE_MINUTES": 0,
        "SESSION_IDLE_MINUTES_STAFF": 0,
    }


@dataclass
class Reference:
    """Rows the migrations insert (the plan table), restored after each test."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@pytest.fixture(scope="session")
def schema(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    """Build the schema from the migrations, once per run, on an empty database."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("schema")))
    with app.app_context():
        engine = _db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(directory=str(REPO / "migrations"))
        ref = Reference()
        meta = sa.MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            for table in meta.sorted_tables:
                if table.name == "alembic_version":
                    continue
                # SQLite hands datetimes back naive; the models store aware UTC instants.
                rows = [
                    {
                        k: v.replace(tzinfo=UTC)
                        if isinstance(v, datetime) and v.tzinfo is None
                        else v
                        for k, v in r._mapping.items()
                    }
                    for r in conn.execute(sa.select(table))
                ]
                if rows:
                    ref.rows[table.name] = rows
        engine.dispose()
    return ref


def _reset(reference: Reference) -> None:
    engine = _db.engine
    tables = [t for t in _db.metadata.sorted_tables]
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                conn.execute(table.delete())
        for table in tables:
            if table.name in reference.rows:
                conn.execute(table.insert(), reference.rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in tables:
                if table.name in reference.rows and "id" in table.c:
                    # Table names come from our own metadata, not from input.
                    sql = f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), (SELECT max(id) FROM \"{table.name}\"))"  # noqa: E501, S608
                    conn.execute(sa.text(sql))


@pytest.fixture
def app_config(database_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test app's configuration; `@pytest.mark.app_config(KEY=value)` changes it."""
    config = _test_config(database_url, tmp_path)
    for marker in reversed(list(request.node.iter_markers("app_config"))):
        config.update(marker.kwargs)
    return config


@pytest.fixture
def app(schema: Reference, app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        try:
            yield app
        finally:
            _db.session.remove()
            _reset(schema)
            _db.engine.dispose()


@pytest.fixture
def make_app(app: Flask, app_config: dict[str, Any]) -> Iterator[Callable[..., Flask]]:
    """make_app(**overrides): another app on the test database (e.g. a second worker).

    Its engine is disposed at the end, so no connection is left for the garbage collector.
    Load what the test needs from the main app's objects before entering the other app's
    context: Flask-SQLAlchemy picks the engine from `current_app`, so a lazy load in there
    would make the main session hold a connection of the other app's engine.
    """
    made: list[Flask] = []

    def make(**overrides: Any) -> Flask:
        extra = create_app({**app_config, **overrides})
        made.append(extra)
        return extra

    yield make
    for extra in made:
        with extra.app_context():
            _db.engine.dispose()


@pytest.fixture
def db(app: Flask) -> Any:
    return _db


@contextmanager
def fresh_g() -> Iterator[None]:
    """Forget what a request leaves on `g` once it is done.

    The `app` fixture keeps one app context pushed for the whole test, and Flask reuses it
    for every request made in the test; without this, Flask-Login's cached user and
    Flask-Babel's cached locale would leak from one request into the next.
    """
    before = set(vars(g))
    try:
        yield
    finally:
        for name in set(vars(g)) - before:
            delattr(g, name)


@contextmanager
def request_context(app: Flask) -> Iterator[None]:
    """Run service code as one request would (url_for, current_user), then forget its `g`."""
    with fresh_g(), app.test_request_context():
        yield


class Client(FlaskClient):
    """A test client whose requests each start with a clean `g` (see fresh_g)."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        with fresh_g():
            return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def clock() -> Iterator[Clock]:
    """The app clock, frozen at 2026-11-25 10:00 UTC; tests move it with freeze()/advance()."""
    app_clock.freeze(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))
    try:
        yield app_clock
    finally:
        app_clock.unfreeze()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The test app served over HTTP on 127.0.0.1 (a free port), in threads."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


# --- Factories --------------------------------------------------------------------------------


@pytest.fixture
def make_user(db: Any) -> Callable[..., Any]:
    from academy.accounts.models import Firm, Plan, Role, User
    from academy.accounts.services import hash_password

    counter = iter(range(1, 1_000_000))

    def make(
        role: str = Role.CLIENT,
        *,
        plan: str = "business",
        seats: int = 3,
        password: str = "correct-horse-1",  # noqa: S107
        firm: Any = None,
        accepted_terms: bool = True,
        **kw: Any,
    ) -> Any:
        n = next(counter)
        if firm is None and role == Role.CLIENT:
            plan_row = db.session.scalar(sa.select(Plan).where(Plan.code == plan))
            firm = Firm(name=f"Firm {n}", plan=plan_row, seats=seats)
        values = {
            "email": f"user{n}@example.com",
            "name": f"User {n}",
            "timezone": "Europe/Bucharest",
            "language": "en",
            **kw,
        }
        user = User(role=role, firm=firm, password_hash=hash_password(password), **values)
        db.session.add(user)
        db.session.commit()
        if accepted_terms and role == Role.CLIENT:  # POLICY R18; its own tests opt out
            from academy.terms.services import accept

            accept(user)
        return user

    return make


@pytest.fixture
def login(client: FlaskClient) -> Callable[[Any], Any]:
    """Log `user` in on the test client (as academy.accounts.sessions.start would)."""
    from academy.accounts.sessions import AUTH_AT, SEEN_AT
    from academy.core.clock import now

    def do(user: Any) -> Any:
        with client.session_transaction() as session:
            session.clear()
            session["_user_id"] = user.get_id()  # "<id>:<session generation>"
            session["_fresh"] = True
            session[AUTH_AT] = session[SEEN_AT] = int(now().timestamp())
        return user

    return do


# --- SQL statement counter ----------------------------------------------------------------------


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app: Flask) -> Callable[[], Any]:
    """`with queries() as q: client.get(...)`, then `q.count` statements were run."""

    @contextmanager
    def counting() -> Iterator[QueryCounter]:
        counter = QueryCounter()

        def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            counter.statements.append(statement)

        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)

    return counting


# --- SMTP on loopback -----------------------------------------------------------------------


class Mailbox:
    """What the loopback SMTP server received. Faults on demand: `fail_next` answers 451;
    `delay` is a slow server (seconds before each answer); `stall_at = n` keeps the n-th
    message (it was received) but answers nothing until `release` is set."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.fail_next = 0
        self.delay = 0.0
        self.stall_at: int | None = None
        self.stalled = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.fail_next:
                self.fail_next -= 1
                return "451 4.3.0 try again later"
            self.messages.append(
                email.message_from_bytes(envelope.original_content, policy=email.policy.default)
            )
            count = len(self.messages)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.stall_at == count:
            self.stalled.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return "250 OK"

    def message_ids(self) -> list[str]:
        with self.lock:
            return [str(m["Message-ID"]) for m in self.messages]

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(app: Flask) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1; the app is configured to send through it."""
    from aiosmtpd.controller import Controller

    box = Mailbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=port,
        MAIL_USE_TLS=False,
        MAIL_USE_SSL=False,
        MAIL_USERNAME="",
    )
    try:
        yield box
    finally:
        controller.stop()


# --- Scheduling ----------------------------------------------------------------------------------


@pytest.fixture
def make_host(db: Any, make_user: Callable[..., Any]) -> Callable[..., Any]:
    """A staff member with weekly hours every day (default 09:00-17:00 in their zone)."""
    from datetime import time

    from academy.scheduling.models import AvailabilityWindow

    def make(start: int = 9, end: int = 17, zone: str = "Europe/Bucharest", **kw: Any) -> Any:
        host = make_user("staff", timezone=zone, meeting_url="https://meet.example.com/room", **kw)
        db.session.add_all(
            AvailabilityWindow(
                host_id=host.id, weekday=d, start_time=time(start), end_time=time(end)
            )
            for d in range(7)
        )
        db.session.commit()
        return host

    return make


@pytest.fixture
def offering(db: Any) -> Callable[[str], Any]:
    """offering("quick-assist") (30 min) or offering("implementation") (60 min)."""
    from academy.scheduling.models import Offering

    return lambda slug="quick-assist": db.session.scalar(
        sa.select(Offering).where(Offering.slug == slug)
    )


@pytest.fixture
def book(app: Flask, offering: Callable[[str], Any]) -> Callable[..., Any]:
    """book(user, host, start, slug=...) through the service, as a web request would."""
    from academy.scheduling.services import book_one_on_one

    def do(
        user: Any, host: Any, start: datetime, slug: str = "quick-assist", note: str = ""
    ) -> Any:
        with request_context(app):
            return book_one_on_one(user, offering(slug), host.id, start, note)

    return do


# --- Workshops ------------------------------------------------------------------------------

# The workshop date of tests: Thursday 3 December 2026, 09:00 UTC, eight days after the
# frozen "now" (Wednesday 25 November, 10:00 UTC).
THU = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def make_workshop(app, db, clock, make_user) -> Callable[..., Any]:
    """make_workshop(capacity=3, start=THU, ...) -> an Occurrence of a new workshop."""
    from academy.scheduling.workshops import schedule
    from academy.workshops.services import save_workshop

    counter = iter(range(1, 10_000))

    def make(
        capacity: int = 3,
        start: datetime = THU,
        minutes: int = 60,
        host: Any = None,
        title: str | None = None,
        **fields: Any,
    ) -> Any:
        n = next(counter)
        host = host or make_user("staff", name=f"Host {n}")
        values = {
            "title": title or f"Workshop {n}",
            "description": "Learn **invoices** step by step.",
            "level": "beginner",
            "product_area": "billing",
            "language": "en",
            "host_id": host.id,
            "capacity": capacity,
            "duration": minutes,
            "meeting_url": "https://meet.example.com/w",
            "active": True,
            **fields,
        }
        with request_context(app):
            offering = save_workshop(None, **values)
            return schedule(
                offering,
                start=start,
                minutes=minutes,
                host=host,
                capacity=capacity,
                meeting_url=values["meeting_url"],
            )

    return make


@pytest.fixture
def register(app) -> Callable[..., Any]:
    from academy.scheduling.workshops import register as do_register

    def do(user: Any, occurrence: Any, **kw: Any) -> Any:
        with request_context(app):
            return do_register(user, occurrence, **kw)

    return do
