"""EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL of what the benchmark's pages really run, at scale.

It empties the given database (DROP SCHEMA public CASCADE), migrates it (`flask db upgrade`),
seeds the demo, adds bench/fixtures.py's quiz and feed token and bench/scale.py's data set, and
runs ANALYZE, as autovacuum would have. Then it requests each page of bench/run.py's PAGES
through Flask's test client, logged in as the page's demo user through the real login form,
and records every statement the page sends (a `before_cursor_execute` listener). Each SELECT
that reads a large table (LARGE_ROWS rows or more) is then EXPLAINed with the very parameters
the page used, in a transaction rolled back afterwards:

* for the key pages (KEY_PAGES: the workshop listing, the help search, the staff schedule, the
  staff inbox, the feedback triage, "my sessions", the 1:1 slots and their busy-time query),
  the full plan is printed;
* for every page, a line per statement: its time, and any sequential scan of a large table;
* last, the list of statements that scan a large table sequentially: those need an index (or
  a different query), or are scans by nature (a count of every row).

Indexes are not changed here; this only shows where they are missing. Run it as a script:

    .venv/bin/python bench/explain.py [URL] [--page NAME]... [--all-plans]

URL (or BENCH_PG_URL) is a PostgreSQL database it may empty, such as
postgresql+psycopg://postgres@127.0.0.1:5432/bench15. A sqlite:///FILE URL (the file is removed
first) shows what the benchmark itself runs on instead: SQLite's EXPLAIN QUERY PLAN, not
ANALYZEd, with each statement's time from running it once more.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, text
from sqlalchemy.engine import Connection

ENV_URL = "BENCH_PG_URL"
LARGE_ROWS = 1_000
SLOW_MS = 5.0  # statements slower than this are listed at the end, whatever their plan
WASTE_ROWS = 1_000  # an index scan whose filter throws away this many rows (and 10x what it keeps)
# The pages whose plans are printed in full (names from bench/run.py's PAGES).
KEY_PAGES = [
    "workshops, visitor",
    "workshops",
    "help search",
    "staff schedule",
    "staff schedule, everyone",
    "staff inbox",
    "feedback triage",
    "my sessions",
    "1:1 slots",
]


@dataclass
class Statement:
    sql: str
    params: Any
    plan: str = ""  # EXPLAIN (ANALYZE, BUFFERS) text
    tables: set[str] = field(default_factory=set)  # large tables it names
    scans: list[tuple[str, int, int]] = field(default_factory=list)  # (table, rows, removed)
    # Index scans that read far more rows than they keep: (node type, table, rows, removed).
    wasteful: list[tuple[str, str, int, int]] = field(default_factory=list)
    ms: float = 0.0  # execution time EXPLAIN ANALYZE measured
    by_key: bool = False  # the whole plan is one primary-key index lookup

    @property
    def short(self) -> str:
        one = " ".join(self.sql.split())
        columns = re.match(r"SELECT (.*?) FROM ", one)
        if columns and "SELECT" not in columns.group(1):  # the column list, not a subquery
            one = "SELECT … FROM " + one[columns.end() :]  # noqa: S608  (printed, not run)
        return one if len(one) <= 160 else one[:159] + "…"


@dataclass
class PageRun:
    name: str
    path: str
    status: int
    statements: list[Statement]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "url",
        nargs="?",
        default=os.environ.get(ENV_URL),
        help=f"a PostgreSQL database this may empty (default: ${ENV_URL})",
    )
    parser.add_argument("--page", action="append", metavar="NAME", help="only these pages")
    parser.add_argument(
        "--all-plans", action="store_true", help="print the full plan of every page's statements"
    )
    args = parser.parse_args(argv)
    if not args.url:
        parser.error(f"give the database URL, or set {ENV_URL}")
    if not args.url.startswith(("postgresql", "postgres://", "sqlite:///")):
        parser.error("give a postgresql+psycopg:// URL (or sqlite:///FILE for SQLite's plans)")
    return args


# --- the database ---------------------------------------------------------------------------------


def prepare(url: str) -> tuple[Flask, dict[str, object], dict[str, int]]:
    """An app on `url`, the database emptied, migrated, seeded, fixtures and scale data in."""
    os.environ.update(
        DATABASE_URL=url, RATELIMIT_ENABLED="0", SECRET_KEY="explain-" + os.urandom(16).hex()
    )
    for name in ("SERVER_NAME", "HTTPS", "TRUST_PROXY"):
        os.environ.pop(name, None)
    import dispatch
    import fixtures
    import scale

    from academy import create_app
    from academy.core.clock import now
    from academy.extensions import db

    sqlite = url.startswith("sqlite:///")
    if sqlite:  # a file of its own: removed, then made again by the migrations
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    app = create_app()
    with app.app_context():
        if not sqlite:
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                conn.exec_driver_sql("CREATE SCHEMA public")
        print("migrating and seeding ...", file=sys.stderr, flush=True)
        dispatch.migrate_and_seed()
        facts = fixtures.prepare()
        db.session.remove()
        print("loading the scale data set ...", file=sys.stderr, flush=True)
        started = time.perf_counter()
        with db.engine.begin() as conn:
            rows = scale.load(conn, now())
        print(f"loaded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        if not sqlite:  # as autovacuum would; SQLite is left as the app and the bench leave it
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return app, facts, rows


def large_tables(conn: Connection) -> dict[str, int]:
    """Tables of LARGE_ROWS rows or more (after ANALYZE), with their row counts."""
    if conn.dialect.name == "sqlite":
        names = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'help_article_fts_%'"
        ).scalars()
        counts = {
            n: conn.exec_driver_sql(f'SELECT count(*) FROM "{n}"').scalar_one()  # noqa: S608
            for n in names
        }
        conn.rollback()
        return {n: int(c) for n, c in counts.items() if c >= LARGE_ROWS}
    rows = conn.execute(
        text(
            "SELECT relname, reltuples::bigint FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.reltuples >= :n"
        ),
        {"n": LARGE_ROWS},
    ).all()
    return {name: int(count) for name, count in rows}


# --- capturing what the pages run -----------------------------------------------------------------


def log_in(client: FlaskClient, email: str, password: str) -> None:
    """The real login form: its CSRF token, then the POST."""
    from load import forms_in

    form = next(f for f in forms_in(client.get("/login").text) if "csrf_token" in f)
    reply = client.post(
        "/login", data={"csrf_token": form["csrf_token"], "email": email, "password": password}
    )
    if reply.status_code not in (302, 303):
        raise SystemExit(f"logging in as {email}: {reply.status_code}")


def capture(app: Flask, facts: dict[str, object], names: list[str] | None) -> list[PageRun]:
    """GET each page once to warm up, then once more recording its statements."""
    from load import HEADERS
    from run import PAGES, USERS, Page

    from academy.extensions import db

    pages = list(PAGES)
    # The schedule of every host (the filter staff use beside "me"): the all-hosts query.
    pages.append(Page("staff schedule, everyone", "/staff/sessions?host=", user="staff"))
    pages = [p for p in pages if not names or p.name in names]
    recording: list[Statement] | None = None

    def before(conn: Any, cursor: Any, sql: str, params: Any, context: Any, many: bool) -> None:
        if recording is not None:
            recording.append(Statement(sql, params))

    runs = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        clients: dict[str | None, FlaskClient] = {}
        for page in pages:
            if page.user not in clients:
                clients[page.user] = app.test_client()
                if page.user:
                    log_in(clients[page.user], *USERS[page.user])
            client = clients[page.user]
            path = page.url(facts)
            client.get(path, headers=HEADERS)
            recording = []
            reply = client.get(path, headers=HEADERS)
            runs.append(PageRun(page.name, path, reply.status_code, recording))
            recording = None
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return runs


# --- EXPLAIN -------------------------------------------------------------------------------------


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def explain_sqlite(conn: Connection, statement: Statement, large: dict[str, int]) -> None:
    """SQLite: EXPLAIN QUERY PLAN, and the statement run once more to time it (a SELECT)."""
    try:
        rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement.sql}", statement.params).all()
        started = time.perf_counter()
        conn.exec_driver_sql(statement.sql, statement.params).all()
        statement.ms = (time.perf_counter() - started) * 1000
    finally:
        conn.rollback()
    depth: dict[int, int] = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
        # "SCAN t" without an index is a full scan of the table (SQLite 3.36+ wording); t may
        # be the alias the statement gives the table.
        plain = re.match(r"SCAN (\w+)$", detail)
        if plain:
            name = plain.group(1)
            table = name if name in large else _aliased(statement.sql, name, large)
            if table:
                statement.scans.append((table, -1, -1))
    statement.plan = "\n".join(lines)


def _aliased(sql: str, alias: str, large: dict[str, int]) -> str | None:
    """The table `alias` stands for in `sql` ("FROM help_articles a" -> help_articles)."""
    found = re.search(rf"\b(\w+) (?:AS )?{re.escape(alias)}\b", sql)
    return found.group(1) if found and found.group(1) in large else None


def explain(conn: Connection, statement: Statement, large: dict[str, int]) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) with the page's parameters, rolled back; the seq scans."""
    if conn.dialect.name == "sqlite":
        explain_sqlite(conn, statement, large)
        return
    prefix = "EXPLAIN (ANALYZE, BUFFERS"
    conn.rollback()  # each EXPLAIN in a transaction of its own, rolled back: ANALYZE runs it
    try:
        out = conn.exec_driver_sql(f"{prefix}, FORMAT JSON) {statement.sql}", statement.params)
        document = out.scalar_one()
    finally:
        conn.rollback()
    if isinstance(document, str):
        document = json.loads(document)
    root = document[0]
    statement.ms = float(root.get("Execution Time", 0.0))
    top = root["Plan"]
    statement.by_key = (
        top.get("Node Type") in ("Index Scan", "Index Only Scan")
        and str(top.get("Index Name", "")).startswith("pk_")
        and not top.get("Plans")
    )
    for node in _nodes(root["Plan"]):
        table = node.get("Relation Name")
        if table not in large:
            continue
        loops = int(node.get("Actual Loops", 1))
        rows = int(node.get("Actual Rows", 0)) * loops  # EXPLAIN gives averages per loop
        removed = int(node.get("Rows Removed by Filter", 0)) * loops
        if node.get("Node Type") == "Seq Scan":
            statement.scans.append((table, rows, removed))
        elif removed >= WASTE_ROWS and removed > 10 * rows:
            statement.wasteful.append((node["Node Type"], table, rows, removed))
    try:
        lines = conn.exec_driver_sql(f"{prefix}) {statement.sql}", statement.params).all()
    finally:
        conn.rollback()
    statement.plan = "\n".join(line[0] for line in lines)


def names_tables(sql: str, large: dict[str, int]) -> set[str]:
    return {t for t in large if re.search(rf"\b{re.escape(t)}\b", sql)}


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    app, facts, rows = prepare(args.url)
    runs = capture(app, facts, args.page)

    from academy.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        large = large_tables(conn)
        for run in runs:
            for statement in run.statements:
                statement.tables = names_tables(statement.sql, large)
                if statement.tables and statement.sql.lstrip().upper().startswith("SELECT"):
                    explain(conn, statement, large)
        if conn.dialect.name == "sqlite":
            release = conn.exec_driver_sql("SELECT sqlite_version()").scalar()
            engine = (
                f"SQLite {release}, not ANALYZEd (as the app and the benchmark leave it); "
                "EXPLAIN QUERY PLAN, times from one run"
            )
        else:
            release = conn.exec_driver_sql("SHOW server_version").scalar()
            engine = f"PostgreSQL {release}, ANALYZEd; EXPLAIN (ANALYZE, BUFFERS)"
    with app.app_context():
        db.engine.dispose()

    print("The plans of the benchmark's pages, scale data set")
    print(f"{engine}; {sum(rows.values()):,} rows added by bench/scale.py")
    print(
        f"large tables (>= {LARGE_ROWS:,} rows): "
        + ", ".join(f"{t} {n:,}" for t, n in sorted(large.items(), key=lambda x: -x[1]))
    )
    for run in runs:
        explained = [s for s in run.statements if s.plan]
        print()
        print("=" * 100)
        print(
            f"{run.name}: GET {run.path} -> {run.status}; {len(run.statements)} statements, "
            f"{len(explained)} reading large tables"
        )
        for n, statement in enumerate(run.statements, start=1):
            scans = ", ".join(
                f"Seq Scan on {t}"
                + (f" ({kept:,} rows out, {gone:,} removed)" if kept >= 0 else "")
                for t, kept, gone in statement.scans
            )
            timing = f"{statement.ms:7.2f} ms" if statement.plan else " " * 10
            print(f"  {n:2d}. {timing}  {statement.short}")
            if scans:
                print(f"      {'':10}  !! {scans}")
            for node, table, kept, removed in statement.wasteful:
                print(f"      {'':10}  !  {node} on {table}: keeps {kept:,}, filters {removed:,}")
        if args.all_plans or run.name in KEY_PAGES:
            for n, statement in enumerate(run.statements, start=1):
                # A lookup by primary key has one plan: it is not shown (unless --all-plans).
                if statement.plan and (args.all_plans or not statement.by_key):
                    print()
                    print(f"  -- {run.name}, statement {n}:")
                    print("  " + " ".join(statement.sql.split()))
                    print(f"  -- parameters: {statement.params!r}")
                    print("\n".join("  " + line for line in statement.plan.splitlines()))

    print()
    print("=" * 100)
    scanning = [
        (run, n, s) for run in runs for n, s in enumerate(run.statements, start=1) if s.scans
    ]
    print(f"Sequential scans of large tables ({len(scanning)} statements):")
    if not scanning:
        print("  none")
    for run, n, statement in scanning:
        for table, rows_out, removed in statement.scans:
            kept = (
                f"; {rows_out:,} kept, {removed:,} removed by the filter" if rows_out >= 0 else ""
            )
            print(
                f"  - {run.name} #{n}: {table} ({large[table]:,} rows{kept}), {statement.ms:.2f} ms"
            )
        print(f"      {' '.join(statement.sql.split())}")
    reading = [
        (run, n, s) for run in runs for n, s in enumerate(run.statements, start=1) if s.wasteful
    ]
    print()
    print(
        f"Index scans that filter out {WASTE_ROWS:,}+ rows, ten times what they keep "
        f"({len(reading)} statements):"
    )
    if not reading:
        print("  none")
    for run, n, statement in reading:
        for node, table, kept, removed in statement.wasteful:
            print(
                f"  - {run.name} #{n}: {node} on {table}: keeps {kept:,}, filters out "
                f"{removed:,}; {statement.ms:.2f} ms"
            )
        print(f"      {' '.join(statement.sql.split())}")
    slow = [
        (run, n, s) for run in runs for n, s in enumerate(run.statements, start=1) if s.ms > SLOW_MS
    ]
    print()
    print(f"Statements slower than {SLOW_MS:g} ms ({len(slow)}):")
    if not slow:
        print("  none")
    for run, n, statement in slow:
        print(f"  - {run.name} #{n}: {statement.ms:.2f} ms")
        print(f"      {' '.join(statement.sql.split())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
