"""host time as absolute intervals, waitlist tickets, dispatcher heartbeats

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:00:00

* `host_claims` (30-minute cells) is replaced by a rule on `occurrences` itself: no two
  scheduled occurrences of one host overlap, compared as absolute intervals (cells on a UTC
  half-hour grid missed hosts in zones such as Asia/Kathmandu, +05:45). PostgreSQL enforces it
  with an exclusion constraint; SQLite with triggers (it runs one writer at a time, so the
  trigger's check and the write cannot interleave with another writer).
  NOTE for later SQLite migrations: a batch operation that *recreates* `occurrences` drops
  these triggers; recreate them after it (tests/scheduling/test_host_time.py would fail).
* `occurrences.queue_counter` and `bookings.queue_ticket`: the waitlist's order;
  `occurrences.ical_sequence`: the host's calendar copy of a workshop date.
* `dispatcher_beats`: when each outbox dispatcher last completed a cycle (notification log).
"""

import sqlalchemy as sa
from alembic import op

import academy.core.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

EXCLUDE = (
    "ALTER TABLE occurrences ADD CONSTRAINT ex_occurrences_host_time "
    "EXCLUDE USING gist (int4range(host_id, host_id, '[]') WITH =, "
    "tstzrange(starts_at, ends_at) WITH &&) WHERE (status = 'scheduled')"
)
OVERLAP = (
    "SELECT RAISE(ABORT, 'host_time_overlap') WHERE EXISTS (SELECT 1 FROM occurrences o "
    "WHERE o.host_id = NEW.host_id AND o.status = 'scheduled' AND o.id != NEW.id "
    "AND o.starts_at < NEW.ends_at AND NEW.starts_at < o.ends_at);"
)
SQLITE_TRIGGERS = [
    "CREATE TRIGGER occurrences_host_time_insert BEFORE INSERT ON occurrences "
    f"WHEN NEW.status = 'scheduled' BEGIN {OVERLAP} END",
    "CREATE TRIGGER occurrences_host_time_update "
    "BEFORE UPDATE OF host_id, starts_at, ends_at, status ON occurrences "
    f"WHEN NEW.status = 'scheduled' BEGIN {OVERLAP} END",
]


def _refuse_overlaps(bind: sa.engine.Connection) -> None:
    """Existing double bookings would make the constraint fail half-way: name them first."""
    rows = bind.execute(
        sa.text(
            "SELECT a.id, b.id, a.host_id FROM occurrences a JOIN occurrences b "
            "ON a.host_id = b.host_id AND a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
            "WHERE a.status = 'scheduled' AND b.status = 'scheduled'"
        )
    ).fetchall()
    if rows:
        pairs = ", ".join(f"{a} and {b} (host {h})" for a, b, h in rows[:20])
        raise RuntimeError(
            f"Occurrences overlap for the same host: {pairs}. Cancel or move one of each pair, "
            "then run the migration again."
        )


def upgrade():
    bind = op.get_bind()
    _refuse_overlaps(bind)
    op.drop_index(op.f("ix_host_claims_occurrence_id"), table_name="host_claims")
    op.drop_table("host_claims")

    op.add_column(
        "occurrences", sa.Column("queue_counter", sa.Integer(), server_default="0", nullable=False)
    )
    op.add_column("bookings", sa.Column("queue_ticket", sa.Integer(), nullable=True))
    # The host's own calendar copy of a workshop date rises in SEQUENCE as staff move it.
    op.add_column(
        "occurrences", sa.Column("ical_sequence", sa.Integer(), server_default="0", nullable=False)
    )
    # Today's queues keep their order: tickets 1, 2, ... by (queued_at, id) per occurrence.
    waiting = bind.execute(
        sa.text(
            "SELECT id, occurrence_id FROM bookings WHERE status = 'waitlisted' "
            "ORDER BY occurrence_id, queued_at, id"
        )
    ).fetchall()
    counters: dict[int, int] = {}
    for booking_id, occurrence_id in waiting:
        counters[occurrence_id] = counters.get(occurrence_id, 0) + 1
        bind.execute(
            sa.text("UPDATE bookings SET queue_ticket = :t WHERE id = :id"),
            {"t": counters[occurrence_id], "id": booking_id},
        )
    for occurrence_id, last in counters.items():
        bind.execute(
            sa.text("UPDATE occurrences SET queue_counter = :n WHERE id = :id"),
            {"n": last, "id": occurrence_id},
        )

    if bind.dialect.name == "postgresql":
        op.execute(EXCLUDE)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)

    op.create_table(
        "dispatcher_beats",
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("started_at", academy.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_cycle_at", academy.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", academy.core.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_dispatcher_beats")),
    )


def downgrade():
    op.drop_table("dispatcher_beats")
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute("ALTER TABLE occurrences DROP CONSTRAINT ex_occurrences_host_time")
    else:
        op.execute("DROP TRIGGER occurrences_host_time_insert")
        op.execute("DROP TRIGGER occurrences_host_time_update")
    op.drop_column("occurrences", "ical_sequence")
    op.drop_column("bookings", "queue_ticket")
    op.drop_column("occurrences", "queue_counter")
    op.create_table(
        "host_claims",
        sa.Column("host_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", academy.core.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["host_id"], ["users.id"], name=op.f("fk_host_claims_host_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["occurrences.id"],
            name=op.f("fk_host_claims_occurrence_id_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("host_id", "starts_at", name=op.f("pk_host_claims")),
    )
    op.create_index(
        op.f("ix_host_claims_occurrence_id"), "host_claims", ["occurrence_id"], unique=False
    )
