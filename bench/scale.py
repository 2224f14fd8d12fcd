"""The `--scale` data set: the demo, surrounded by a few years of a busy academy.

Loaded into the benchmark's database after `flask db upgrade`, `flask demo seed` and
bench/fixtures.py, before the servers start (bench/run.py --scale does all of it), or by hand:

    DATABASE_URL=sqlite:///... .venv/bin/python bench/scale.py [--small]

`--small` loads a tenth of it (SMALL_SIZES): the benchmark's small data set, already enough
to fill the first page of every list, so that the two data sets differ in size only.

What it adds (SIZES below), with SQLAlchemy Core bulk INSERTs in chunks:

* 10,000 clients in 1,000 firms (each with the current terms accepted), 20 staff hosts;
* 100,000 bookings: 2,000 workshop dates of 200 workshops (most past, with attendance; some
  future ones full, with a waitlist; some cancelled) and 1:1 sessions for the rest, most in
  the past (attended, a few no-shows), spread over the hosts and both 1:1 offerings, some
  cancelled; each with its booking events. No two scheduled occurrences of a host overlap
  (the database refuses them): every host's sessions and workshop dates are drawn without
  replacement from that host's own hourly grid;
* 5,000 help articles: 2,500 in English, each with its Romanian translation (linked by
  translation_of_id), in 8 new categories; the full-text index follows by itself (SQLite: the
  triggers of migration 0009 fill help_article_fts; PostgreSQL: a generated column);
* 500 published courses of 3 modules and 12 lessons, each with a final quiz of 5 questions,
  and lesson completions by the clients;
* 20,000 feedback items and 20,000 answered support requests (with their two messages).

What the measured pages show stays what the demo shows wherever the page's own query leaves
the new rows out: the demo client's own sessions, feed, quiz and workshop page; the demo staff
member's schedule from today (their 3,000 extra sessions are all more than 30 days in the past,
and the new hosts have no weekly hours, so the 1:1 slots page lists the same slots); the open
support inbox (the new requests are all answered). Pages that list everything grow to a full
page: the workshop listing (200 new future dates, all after the demo's), the Academy catalogue
(500 courses, their titles sorting after the demo's two), the help search (hundreds of English
articles mention invoices), the feedback triage (newest first: the demo's five, then older
ones). bench/run.py prints each page's size beside its ratio, so that a page that does more
rendering at scale can be told from a page whose queries got slower.

Deterministic: the same rows, relative to the current hour, on every run (random.Random(15)).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text

SIZES = {
    "firms": 1_000,
    "clients": 10_000,
    "hosts": 20,
    "bookings": 100_000,
    "workshops": 200,
    "workshop_dates": 2_000,
    "help_articles_en": 2_500,  # each with a Romanian translation: 5,000 articles
    "courses": 500,
    "completion_pairs": 5_000,  # (client, course) pairs with some lessons completed
    "feedback": 20_000,
    "support_requests": 20_000,
    "demo_staff_past": 3_000,  # past 1:1 sessions of the demo staff member, over 30 days ago
}
# The small data set (`--small`): a tenth of everything, which is already enough to fill the
# first page of every list (20 future workshop dates, 50 courses, 250 articles per language,
# 2,000 feedback items), so that small and scale render the same pages and differ only in
# what the database holds around them.
SMALL_SIZES = {name: max(1, count // 10) for name, count in SIZES.items()} | {"hosts": 20}
EMAIL_DOMAIN = "scale.example.com"
SEED = 15
HOURS_UTC = range(7, 15)  # the hourly grid every host is drawn from (weekdays)

FIRST = ["Ana", "Andrei", "Bianca", "Cristian", "Dana", "Elena", "Florin", "Gabriela"]
LAST = ["Popescu", "Ionescu", "Dumitru", "Stan", "Marin", "Pop", "Radu", "Lazăr", "Ene"]
ZONES = ["Europe/Bucharest", "Europe/Bucharest", "Europe/London", "America/New_York", "UTC"]

# Help article vocabulary: (English words, Romanian words) per topic. "invoices" is one topic
# of twelve, so about one English article in twelve matches the benchmark's search.
TOPICS = [
    ("invoices", "recurring invoices and invoice templates", "facturi", "facturi recurente"),
    ("payments", "card payments and bank transfers", "plăți", "plăți cu cardul"),
    ("portal", "the client portal and its logins", "portal", "portalul clienților"),
    ("documents", "documents, folders and uploads", "documente", "dosare și încărcări"),
    ("signatures", "e-signatures and engagement letters", "semnături", "semnături electronice"),
    ("pipelines", "pipelines, jobs and stages", "fluxuri", "fluxuri de lucru"),
    ("organizers", "organizers and questionnaires", "chestionare", "organizatoare"),
    ("tasks", "tasks, deadlines and reminders", "sarcini", "termene și memento-uri"),
    ("team", "team members, roles and seats", "echipa", "roluri și locuri"),
    ("email", "email sync and client messages", "e-mail", "mesaje către clienți"),
    ("reports", "reports and dashboards", "rapoarte", "tablouri de bord"),
    ("mobile", "the mobile app and notifications", "aplicația", "aplicația mobilă"),
]
# Course titles sort after the demo's ("Client portal…", "Getting started…"), so the demo
# client's course stays on the catalogue's first page.
COURSE_TOPICS = [
    "Invoicing in depth",
    "Organizers for tax season",
    "Pipelines and automations",
    "Signatures and engagement letters",
    "Team roles and permissions",
    "Time tracking and billing",
    "Reporting for firm owners",
    "Mobile app for clients",
    "Proposals that get signed",
    "Workflow templates",
]
WORKSHOP_AREAS = ["getting-started", "client-portal", "billing", "documents", "workflow"]
COURSE_AREAS = ["basics", "client_portal", "billing", "documents", "workflow"]
LEVELS = ["beginner", "intermediate", "advanced"]


class ScaleError(RuntimeError):
    """The scale data set cannot be loaded here; the message says why."""


def tables() -> dict[str, Table]:
    """The models' tables, by name (imported late: the app's models register themselves)."""
    from academy.extensions import db

    return dict(db.metadata.tables)


# --- writing -------------------------------------------------------------------------------------


def insert_rows(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Core INSERTs of `rows`, 5,000 at a time.

    Passed as a list of parameter sets to one insert(): SQLAlchemy compiles the statement once
    and sends the rows as multi-row VALUES batches ("insertmanyvalues", within each database's
    limit of bound parameters). An insert().values([...]) of the same rows compiles one bind
    parameter per value, and that compilation took four fifths of the load's time (90 s).
    """
    for start in range(0, len(rows), 5_000):
        conn.execute(insert(table), list(rows[start : start + 5_000]))
    return len(rows)


def next_id(conn: Connection, table: Table) -> int:
    return int(conn.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def bump_sequences(conn: Connection, names: Iterable[str]) -> None:
    """PostgreSQL: the explicit ids above leave the serial sequences behind; catch them up."""
    if conn.dialect.name != "postgresql":
        return
    for name in names:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                f"(SELECT coalesce(max(id), 1) FROM {name}))"
            )
        )


# --- the data set --------------------------------------------------------------------------------


@dataclass
class Loader:
    conn: Connection
    at: datetime  # the current hour, UTC: every time is placed relative to it
    rng: random.Random = field(default_factory=lambda: random.Random(SEED))
    t: dict[str, Table] = field(default_factory=tables)
    counts: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=lambda: dict(SIZES))

    def put(self, name: str, rows: Sequence[dict[str, Any]]) -> None:
        self.counts[name] = self.counts.get(name, 0) + insert_rows(self.conn, self.t[name], rows)

    def ids(self, name: str, count: int) -> list[int]:
        first = next_id(self.conn, self.t[name])
        return list(range(first, first + count))

    def days_ago(self, lo: int, hi: int) -> datetime:
        """A random instant between `hi` and `lo` days ago (lo < hi)."""
        return self.at - timedelta(minutes=self.rng.randrange(lo * 1440, hi * 1440))

    def grid(self, first_day: int, last_day: int) -> list[datetime]:
        """The hourly weekday grid from `first_day` to `last_day` (days from today), shuffled."""
        midnight = self.at.replace(hour=0)
        slots = [
            midnight + timedelta(days=d, hours=h)
            for d in range(first_day, last_day + 1)
            if (midnight + timedelta(days=d)).weekday() < 5
            for h in HOURS_UTC
        ]
        self.rng.shuffle(slots)
        return slots

    # -- people --

    def people(self) -> None:
        conn, t = self.conn, self.t
        plans = dict(conn.execute(select(t["plans"].c.code, t["plans"].c.id)).all())
        version = conn.scalar(select(func.max(t["terms_versions"].c.id)))
        demo = conn.execute(
            select(t["users"].c.id, t["users"].c.email, t["users"].c.password_hash).where(
                t["users"].c.email.in_(["client@example.com", "staff@example.com"])
            )
        ).all()
        by_email = {email: (uid, pw) for uid, email, pw in demo}
        if not plans or version is None or len(by_email) < 2:
            raise ScaleError("run `flask db upgrade` and `flask demo seed` first")
        self.demo_client = by_email["client@example.com"][0]
        self.demo_staff = by_email["staff@example.com"][0]
        password_hash = by_email["client@example.com"][1]  # scale users log in with the demo one

        plan_ids = [plans[c] for c in ("starter", "pro", "pro", "business") if c in plans]
        firm_ids = self.ids("firms", self.sizes["firms"])
        self.put(
            "firms",
            [
                {
                    "id": fid,
                    "name": f"Firma Scale {n:04d} SRL",
                    "plan_id": plan_ids[n % len(plan_ids)],
                    "seats": 10,
                    "created_at": self.days_ago(400, 900),
                    "subscription_ended_at": None,
                }
                for n, fid in enumerate(firm_ids)
            ],
        )
        per_firm = self.sizes["clients"] // self.sizes["firms"]
        self.clients = self.ids("users", self.sizes["clients"])
        self.hosts = list(range(self.clients[-1] + 1, self.clients[-1] + 1 + self.sizes["hosts"]))
        self.email: dict[int, str] = {}
        self.name: dict[int, str] = {}
        rows = []
        for n, uid in enumerate(self.clients + self.hosts):
            host = n >= len(self.clients)
            local = f"host{n - len(self.clients):02d}" if host else f"client{n:05d}"
            email = f"{local}@{EMAIL_DOMAIN}"
            name = f"{FIRST[n % len(FIRST)]} {LAST[(n // len(FIRST)) % len(LAST)]}"
            self.email[uid], self.name[uid] = email, name
            rows.append(
                {
                    "id": uid,
                    "email": email,
                    "name": name,
                    "password_hash": password_hash,
                    "role": "staff" if host else "client",
                    "firm_id": None if host else firm_ids[n // per_firm],
                    "phone": None,
                    "timezone": ZONES[n % len(ZONES)],
                    "language": "ro" if n % 4 == 3 else "en",
                    "created_at": self.days_ago(100, 900),
                    "last_login_at": None,
                    "meeting_url": f"https://meet.example.com/scale-{n}" if host else "",
                    "calendar_token": None,
                    "session_generation": 0,
                }
            )
        self.put("users", rows)
        self.put(
            "terms_acceptances",
            [
                {
                    "id": i,
                    "user_id": uid,
                    "version_id": version,
                    "accepted_at": self.days_ago(30, 100),
                }
                for i, uid in zip(
                    self.ids("terms_acceptances", len(self.clients)), self.clients, strict=True
                )
            ],
        )

    # -- workshops and 1:1 sessions --

    def sessions(self) -> None:
        t = self.t
        offerings = dict(
            self.conn.execute(
                select(t["offerings"].c.slug, t["offerings"].c.id).where(
                    t["offerings"].c.kind == "one_on_one"
                )
            ).all()
        )
        durations = dict(
            self.conn.execute(
                select(t["offerings"].c.id, t["offerings"].c.duration_minutes).where(
                    t["offerings"].c.kind == "one_on_one"
                )
            ).all()
        )
        if not offerings:
            raise ScaleError("no 1:1 offerings: run `flask demo seed` first")
        self.one_on_one = sorted(offerings.values())
        self.durations = durations
        # Each host's hourly grid: past, then the future split between workshops and 1:1s.
        past = {h: self.grid(-730, -1) for h in self.hosts}
        future = {h: self.grid(2, 120) for h in self.hosts}
        self.occurrences: list[dict[str, Any]] = []
        self.bookings: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.no_shows: list[dict[str, Any]] = []
        self.occ_id = next_id(self.conn, t["occurrences"])
        self.booking_id = next_id(self.conn, t["bookings"])
        self.workshops(past, future)
        one_on_one = self.sizes["bookings"] - len(self.bookings)
        self.one_on_ones(self.demo_staff, self.sizes["demo_staff_past"], self.grid(-730, -31), [])
        per_host = (one_on_one - self.sizes["demo_staff_past"]) // len(self.hosts)
        extra = (one_on_one - self.sizes["demo_staff_past"]) % len(self.hosts)
        for n, host in enumerate(self.hosts):
            # 1:1s are booked at most six weeks ahead (POLICY.booking_horizon).
            ahead = [s for s in future[host] if s < self.at + timedelta(days=41)]
            self.one_on_ones(host, per_host + (n < extra), past[host], ahead)
        # SQLite's host-time trigger looks at the host's earlier occurrences: inserting the
        # latest first keeps that look at a handful of rows instead of all of them.
        self.occurrences.sort(key=lambda o: o["starts_at"], reverse=True)
        self.put("occurrences", self.occurrences)
        self.put("bookings", self.bookings)
        self.put("booking_events", self.events)
        self.put("no_shows", self.no_shows)

    def _occurrence(
        self, offering: int, host: int, start: datetime, minutes: int, **kw: Any
    ) -> int:
        oid = self.occ_id
        self.occ_id += 1
        row = {
            "id": oid,
            "offering_id": offering,
            "kind": "one_on_one" if offering in self.one_on_one else "workshop",
            "host_id": host,
            "starts_at": start,
            "ends_at": start + timedelta(minutes=minutes),
            "capacity": 1,
            "seats_taken": 0,
            "queue_counter": 0,
            "ical_sequence": 0,
            "meeting_url": f"https://meet.example.com/scale-host-{host}",
            "status": "scheduled",
            "created_at": start - timedelta(days=30),
        }
        row.update(kw)
        self.occurrences.append(row)
        return oid

    def _booking(
        self,
        occurrence: int,
        user: int,
        start: datetime,
        host: int,
        status: str = "confirmed",
        outcome: str | None = None,
        ticket: int | None = None,
    ) -> int:
        bid = self.booking_id
        self.booking_id += 1
        created = start - timedelta(days=self.rng.randint(2, 20), hours=self.rng.randint(0, 12))
        cancelled = created + timedelta(days=1) if status == "cancelled" else None
        self.bookings.append(
            {
                "id": bid,
                "occurrence_id": occurrence,
                "user_id": user,
                "status": status,
                "note": "",
                "ical_uid": f"scale-{bid}@academy.taxdome.com",
                "ical_sequence": 1 if cancelled else 0,
                "created_at": created,
                "cancelled_at": cancelled,
                "queued_at": created if ticket else None,
                "queue_ticket": ticket,
                "outcome": outcome,
                "outcome_note": "",
                "outcome_by_id": host if outcome else None,
                "outcome_at": start + timedelta(minutes=10) if outcome else None,
                "fee_owed": None,
            }
        )
        event = {
            "booking_id": bid,
            "by_user_id": user,
            "via": "account",
            "from_start": None,
            "to_start": start,
            "late": False,
        }
        self.events.append({**event, "kind": "waitlisted" if ticket else "booked", "at": created})
        if cancelled:
            self.events.append({**event, "kind": "cancelled", "at": cancelled, "to_start": None})
        if outcome == "no_show":
            self.no_shows.append(
                {
                    "user_id": user,
                    "booking_id": bid,
                    "occurred_at": start,
                    "source": "absent",
                    "recorded_by_id": host,
                    "created_at": start + timedelta(minutes=10),
                    "excused_at": None,
                    "excused_by_id": None,
                    "excuse_reason": "",
                }
            )
        return bid

    def workshops(self, past: dict[int, list[datetime]], future: dict[int, list[datetime]]) -> None:
        rng = self.rng
        offering_ids = self.ids("offerings", self.sizes["workshops"])
        offerings = []
        by_host: dict[int, list[tuple[int, int]]] = {h: [] for h in self.hosts}
        for n, oid in enumerate(offering_ids):
            _word, about, _ro, ro_about = TOPICS[n % len(TOPICS)]
            host = self.hosts[n % len(self.hosts)]
            capacity = rng.choice([10, 15, 20, 25, 30])
            by_host[host].append((oid, capacity))
            offerings.append(
                {
                    "id": oid,
                    "slug": f"scale-workshop-{n:03d}",
                    "kind": "workshop",
                    "title": f"Workshop {n:03d}: {about}",
                    "title_ro": f"Atelier {n:03d}: {ro_about}",
                    "description": f"A live hour on {about}, with questions at the end.",
                    "description_ro": f"O oră live despre {ro_about}, cu întrebări la final.",
                    "duration_minutes": 60,
                    "capacity": capacity,
                    "active": True,
                    "position": n,
                    "level": LEVELS[n % len(LEVELS)],
                    "product_area": WORKSHOP_AREAS[n % len(WORKSHOP_AREAS)],
                    "language": "ro" if n % 5 == 4 else "en",
                    "host_id": host,
                    "meeting_url": f"https://meet.example.com/scale-host-{host}",
                }
            )
        self.put("offerings", offerings)
        per_host = self.sizes["workshop_dates"] // len(self.hosts)
        ahead = per_host // 10
        for host in self.hosts:
            # Future dates from day 15 on: the demo's three (days 5-14) stay first in the list.
            later = [s for s in future[host] if s >= self.at + timedelta(days=15)][:ahead]
            for s in later:
                future[host].remove(s)
            starts = [past[host].pop() for _ in range(per_host - ahead)] + later
            for start in starts:
                offering, capacity = rng.choice(by_host[host])
                self._workshop_date(offering, capacity, host, start)

    def _workshop_date(self, offering: int, capacity: int, host: int, start: datetime) -> None:
        rng = self.rng
        is_past = start < self.at
        if rng.random() < 0.03:  # a cancelled date: everyone's registration cancelled with it
            oid = self._occurrence(offering, host, start, 60, capacity=capacity, status="cancelled")
            for user in rng.sample(self.clients, rng.randint(2, 8)):
                self._booking(oid, user, start, host, status="cancelled")
            return
        if is_past:
            confirmed, waiting = rng.randint(capacity // 2, capacity), 0
        elif rng.random() < 0.2:
            confirmed, waiting = capacity, rng.randint(1, 4)
        else:
            confirmed, waiting = rng.randint(3, capacity - 1), 0
        cancelled = rng.randint(0, 2)
        people = rng.sample(self.clients, confirmed + waiting + cancelled)
        oid = self._occurrence(
            offering,
            host,
            start,
            60,
            capacity=capacity,
            seats_taken=confirmed,
            queue_counter=waiting,
        )
        for i, user in enumerate(people):
            if i < confirmed:
                outcome = None
                if is_past:
                    outcome = "no_show" if rng.random() < 0.05 else "attended"
                self._booking(oid, user, start, host, outcome=outcome)
            elif i < confirmed + waiting:
                self._booking(oid, user, start, host, "waitlisted", ticket=i - confirmed + 1)
            else:
                self._booking(oid, user, start, host, "cancelled")

    def one_on_ones(
        self, host: int, count: int, past: list[datetime], ahead: list[datetime]
    ) -> None:
        """`count` 1:1 sessions of `host`: 5% ahead (as far as `ahead` allows), 8% cancelled."""
        rng = self.rng
        n_ahead = min(len(ahead), count // 20)
        if count - n_ahead > len(past):
            raise ScaleError(f"host {host}: {count} sessions do not fit in the grid")
        starts = [ahead.pop() for _ in range(n_ahead)]
        starts += [past.pop() for _ in range(count - n_ahead)]
        for start in starts:
            offering = rng.choice(self.one_on_one)
            user = rng.choice(self.clients)
            if rng.random() < 0.08:
                oid = self._occurrence(
                    offering, host, start, self.durations[offering], status="cancelled"
                )
                self._booking(oid, user, start, host, "cancelled")
                continue
            oid = self._occurrence(offering, host, start, self.durations[offering])
            outcome = None
            if start < self.at:
                roll = rng.random()
                outcome = "no_show" if roll < 0.03 else None if roll < 0.05 else "attended"
            self._booking(oid, user, start, host, outcome=outcome)

    # -- help centre --

    def help(self) -> None:
        rng = self.rng
        staff = self.demo_staff
        category_ids = self.ids("help_categories", 8)
        categories_now = select(func.count()).select_from(self.t["help_categories"])
        position = int(self.conn.scalar(categories_now) or 0)
        categories, sections = [], []
        section_id = next_id(self.conn, self.t["help_sections"])
        for n, cid in enumerate(category_ids):
            word, about, ro_word, ro_about = TOPICS[n]
            categories.append(
                {
                    "id": cid,
                    "slug": f"scale-{word}",
                    "name": f"More on {word}",
                    "name_ro": f"Mai multe despre {ro_word}",
                    "description": f"Everything about {about}.",
                    "description_ro": f"Totul despre {ro_about}.",
                    "position": position + n,
                }
            )
            for j in range(4):
                sections.append(
                    {
                        "id": section_id,
                        "category_id": cid,
                        "name": f"{word.title()} {j + 1}",
                        "name_ro": f"{ro_word.title()} {j + 1}",
                        "position": j,
                    }
                )
                section_id += 1
        self.put("help_categories", categories)
        self.put("help_sections", sections)
        section_ids = [s["id"] for s in sections]
        en_ids = self.ids("help_articles", self.sizes["help_articles_en"])
        ro_ids = [i + len(en_ids) for i in en_ids]
        articles, revisions = [], []
        for n, (en, ro) in enumerate(zip(en_ids, ro_ids, strict=True)):
            topic = TOPICS[n % len(TOPICS)]
            other = TOPICS[(n * 7 + 3) % len(TOPICS)]
            status = "published" if n % 20 else rng.choice(["draft", "archived"])
            created = self.days_ago(40, 900)
            section = section_ids[n % len(section_ids)]
            for aid, lang in ((en, "en"), (ro, "ro")):
                if lang == "en":
                    title = f"Working with {topic[1]}, part {n:04d}"
                    summary = f"How {topic[1]} work with {other[1]}."
                    body = (
                        f"## Before you start\n\nThis guide covers {topic[1]} for firms "
                        f"that also use {other[1]}.\n\n1. Open **Settings**.\n"
                        f"2. Choose the {topic[0]} options.\n3. Save; clients see the change "
                        f"at once.\n\n> Tip: {other[1]} follow the same rules.\n"
                    )
                    tags = f"{topic[0]}, {other[0]}"
                else:
                    title = f"Lucrul cu {topic[3]}, partea {n:04d}"
                    summary = f"Cum funcționează {topic[3]} împreună cu {other[3]}."
                    body = (
                        f"## Înainte de a începe\n\nAcest ghid explică {topic[3]} pentru "
                        f"firmele care folosesc și {other[3]}.\n\n1. Deschideți **Setări**.\n"
                        f"2. Alegeți opțiunile pentru {topic[2]}.\n3. Salvați.\n"
                    )
                    tags = f"{topic[2]}, {other[2]}"
                slug = f"scale-{topic[0]}-{n:04d}" + ("-ro" if lang == "ro" else "")
                articles.append(
                    {
                        "id": aid,
                        "section_id": section,
                        "slug": slug,
                        "language": lang,
                        "title": title,
                        "summary": summary,
                        "body": body,
                        "tags": tags,
                        "plans": "",
                        "status": status,
                        "translation_of_id": en if lang == "ro" else None,
                        "content_changed_at": created,
                        "created_at": created,
                        "updated_at": created,
                        "published_at": created if status == "published" else None,
                        "updated_by_id": staff,
                        "views": rng.randint(0, 100),  # below the demo's popular ones
                        "helpful_yes": rng.randint(0, 10),
                        "helpful_no": rng.randint(0, 3),
                    }
                )
                revisions.append(
                    {
                        "article_id": aid,
                        "number": 1,
                        "title": title,
                        "summary": summary,
                        "body": body,
                        "tags": tags,
                        "plans": "",
                        "status": status,
                        "slug": slug,
                        "changed": "title,summary,body,tags,status",
                        "author_id": staff,
                        "created_at": created,
                    }
                )
        # The originals first: a translation's translation_of_id must exist (PostgreSQL
        # checks each foreign key at its statement).
        articles.sort(key=lambda a: a["id"])
        self.put("help_articles", articles)
        self.put("help_article_revisions", revisions)
        self.articles = [a["id"] for a in articles if a["status"] == "published"]

    # -- courses --

    def courses(self) -> None:
        rng = self.rng
        course_ids = self.ids("courses", self.sizes["courses"])
        module_id = next_id(self.conn, self.t["course_modules"])
        lesson_id = next_id(self.conn, self.t["lessons"])
        quiz_ids = self.ids("quizzes", len(course_ids))
        question_id = next_id(self.conn, self.t["quiz_questions"])
        courses, modules, lessons, quizzes, questions, choices = [], [], [], [], [], []
        self.course_lessons: dict[int, list[int]] = {}
        for n, (cid, qid) in enumerate(zip(course_ids, quiz_ids, strict=True)):
            topic = COURSE_TOPICS[n % len(COURSE_TOPICS)]
            courses.append(
                {
                    "id": cid,
                    "slug": f"scale-course-{n:03d}",
                    "title": f"{topic} {n:03d}",
                    "summary": f"{topic}: a course in three modules, with a final quiz.",
                    "level": LEVELS[n % len(LEVELS)],
                    "product_area": COURSE_AREAS[n % len(COURSE_AREAS)],
                    "cover_image": "",
                    "estimated_minutes": rng.choice([30, 45, 60, 90]),
                    "published": True,
                    "created_at": self.days_ago(60, 900),
                }
            )
            self.course_lessons[cid] = []
            for m in range(3):
                modules.append(
                    {
                        "id": module_id,
                        "course_id": cid,
                        "title": f"Module {m + 1}",
                        "position": m + 1,
                    }
                )
                for p in range(4):
                    lessons.append(
                        {
                            "id": lesson_id,
                            "course_id": cid,
                            "module_id": module_id,
                            "title": f"Lesson {m + 1}.{p + 1}",
                            "body": f"What to know about {topic.lower()}, step {p + 1}.",
                            "video_url": "",
                            "position": p + 1,
                        }
                    )
                    self.course_lessons[cid].append(lesson_id)
                    lesson_id += 1
                module_id += 1
            quizzes.append(
                {
                    "id": qid,
                    "course_id": cid,
                    "module_id": None,
                    "title": f"{topic} {n:03d}: final quiz",
                    "required": True,
                    "pass_mark": 70,
                    "attempts_allowed": 3,
                    "wait_minutes": 0,
                    "time_limit_minutes": None,
                    "draw_count": None,
                    "shuffle_questions": False,
                    "shuffle_answers": False,
                    "review_mode": "after_submit",
                }
            )
            for q in range(5):
                questions.append(
                    {
                        "id": question_id,
                        "quiz_id": qid,
                        "kind": "single",
                        "prompt": f"Question {q + 1} about {topic.lower()}",
                        "position": q + 1,
                        "accepted": "",
                        "number": None,
                        "tolerance": 0.0,
                    }
                )
                for c in range(3):
                    choices.append(
                        {
                            "question_id": question_id,
                            "text": f"Answer {c + 1}",
                            "correct": c == 0,
                            "position": c + 1,
                        }
                    )
                question_id += 1
        self.put("courses", courses)
        self.put("course_modules", modules)
        self.put("lessons", lessons)
        self.put("quizzes", quizzes)
        self.put("quiz_questions", questions)
        self.put("quiz_choices", choices)
        completions = []
        pairs = set()
        while len(pairs) < self.sizes["completion_pairs"]:
            pairs.add((rng.choice(self.clients), rng.choice(course_ids)))
        for user, cid in sorted(pairs):
            done = rng.randint(1, len(self.course_lessons[cid]))
            when = self.days_ago(1, 400)
            for k, lid in enumerate(self.course_lessons[cid][:done]):
                completions.append(
                    {
                        "user_id": user,
                        "course_id": cid,
                        "lesson_id": lid,
                        "completed_at": when + timedelta(minutes=10 * k),
                    }
                )
        self.put("lesson_completions", completions)
        self.course_ids = course_ids

    # -- feedback and support --

    def feedback(self) -> None:
        rng = self.rng
        past = [
            b for b in self.bookings if b["outcome"] == "attended" and b["created_at"] < self.at
        ]
        rated = iter(rng.sample(past, min(len(past), self.sizes["feedback"] // 3)))
        occurrence_of = {o["id"]: o for o in self.occurrences}
        statuses = ["closed"] * 10 + ["answered"] * 6 + ["planned"] * 2 + ["new", "in_review"]
        rows = []
        for n in range(self.sizes["feedback"]):
            kind = ["session", "session", "workshop", "course", "lesson", "article"][n % 6]
            user = rng.choice(self.clients)
            row: dict[str, Any] = {
                "kind": kind,
                "user_id": user,
                "email": self.email[user],
                "category": "",
                "rating": rng.randint(1, 5),
                "message": f"Feedback {n}: clear and useful, but it could be shorter.",
                "subject_title": "",
                "booking_id": None,
                "occurrence_id": None,
                "course_id": None,
                "lesson_id": None,
                "article_id": None,
                # Older than the demo's five (at most 9 days old): they stay first.
                "created_at": self.days_ago(10, 730),
                "status": rng.choice(statuses),
                "assignee_id": rng.choice(self.hosts),
                "answer": "",
                "answered_at": None,
                "answered_by_id": None,
            }
            booking = next(rated, None) if kind == "session" else None
            if booking is not None:
                row["user_id"], row["booking_id"] = booking["user_id"], booking["id"]
                row["email"] = self.email[booking["user_id"]]
                row["occurrence_id"] = booking["occurrence_id"]
                row["subject_title"] = "1:1 session"
            elif kind in ("session", "workshop"):
                row["kind"] = "workshop"
                occurrence = occurrence_of[rng.choice(self.bookings)["occurrence_id"]]
                row["occurrence_id"] = occurrence["id"]
                row["subject_title"] = f"Workshop on {occurrence['starts_at']:%Y-%m-%d}"
            elif kind == "course":
                row["course_id"] = rng.choice(self.course_ids)
                row["subject_title"] = "A course"
            elif kind == "lesson":
                cid = rng.choice(self.course_ids)
                row["course_id"], row["lesson_id"] = cid, rng.choice(self.course_lessons[cid])
                row["subject_title"] = "A lesson"
            else:
                row["article_id"] = rng.choice(self.articles)
                row["subject_title"] = "A help article"
            if row["status"] == "answered":
                row["answer"] = "Thank you, we passed it on."
                row["answered_at"] = row["created_at"] + timedelta(days=1)
                row["answered_by_id"] = row["assignee_id"]
            rows.append(row)
        self.put("feedback_items", rows)

    def support(self) -> None:
        rng = self.rng
        request_ids = self.ids("support_requests", self.sizes["support_requests"])
        requests, messages = [], []
        for n, rid in enumerate(request_ids):
            user = rng.choice(self.clients)
            received = self.days_ago(3, 730)
            answered = received + timedelta(hours=rng.randint(1, 20))
            host = rng.choice([*self.hosts, self.demo_staff])
            requests.append(
                {
                    "id": rid,
                    "user_id": user,
                    "from_email": self.email[user],
                    "from_name": self.name[user],
                    "subject": f"Question {n} about {TOPICS[n % len(TOPICS)][1]}",
                    "source": "web",
                    "message_id": None,
                    # All answered: the open inbox (the page measured) shows the demo's three.
                    "status": "closed" if n % 3 == 0 else "solved",
                    "assignee_id": host,
                    "received_at": received,
                    "first_response_due_at": received + timedelta(hours=24),
                    "first_response_at": answered,
                    "updated_at": answered,
                }
            )
            common = {"request_id": rid, "email_message_id": None}
            messages.append(
                {
                    **common,
                    "author_id": user,
                    "from_staff": False,
                    "body": "How do I do this?",
                    "created_at": received,
                }
            )
            messages.append(
                {
                    **common,
                    "author_id": host,
                    "from_staff": True,
                    "body": "Like this.",
                    "created_at": answered,
                }
            )
        self.put("support_requests", requests)
        self.put("support_messages", messages)


def load(
    conn: Connection, at: datetime | None = None, sizes: dict[str, int] | None = None
) -> dict[str, int]:
    """Add the scale data set to a migrated and seeded database; return rows added per table."""
    users = tables()["users"]
    if conn.scalar(select(users.c.id).where(users.c.email.like(f"%@{EMAIL_DOMAIN}")).limit(1)):
        raise ScaleError("the scale data set is already loaded in this database")
    start = (at or datetime.now(UTC)).astimezone(UTC)
    loader = Loader(
        conn, start.replace(minute=0, second=0, microsecond=0), sizes=dict(sizes or SIZES)
    )
    loader.people()
    loader.sessions()
    loader.help()
    loader.courses()
    loader.feedback()
    loader.support()
    bump_sequences(conn, loader.counts)
    return loader.counts


def main() -> int:
    from academy import create_app
    from academy.core.clock import now
    from academy.extensions import db

    app = create_app()
    started = time.perf_counter()
    with app.app_context():
        try:
            with db.engine.begin() as conn:
                counts = load(conn, now(), SMALL_SIZES if "--small" in sys.argv[1:] else SIZES)
        except ScaleError as error:
            print(f"scale: {error}", file=sys.stderr)
            return 1
        finally:
            db.engine.dispose()
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": round(seconds, 1), "rows": counts}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
