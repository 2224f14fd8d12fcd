"""occurrences carry their offering's kind

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 21:30:00

The workshop listing reads upcoming workshop dates in start order. Without the kind on the
occurrence, the database walked every upcoming occurrence by start and stepped over the 1:1
sessions between workshop dates (tens of thousands at scale). `occurrences.kind` with an index
on (kind, status, starts_at, id) leads straight to them (issue 15).

The copy is held exact by the database: the foreign key to offerings becomes (offering_id,
kind) -> offerings (id, kind), ON UPDATE CASCADE, over a new unique key on offerings (id, kind).

SQLite: the foreign key change recreates `occurrences`, which drops its host-time triggers
(migration 0010); they are read from sqlite_master first and made again after.
"""

import sqlalchemy as sa

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

FK = "fk_occurrences_offering_id_offerings"
INDEX = "ix_occurrences_kind_status_start"


def _sqlite_triggers(bind: sa.engine.Connection) -> list[str]:
    if bind.dialect.name != "sqlite":
        return []
    rows = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'occurrences'")
    )
    return [sql for (sql,) in rows]


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table("offerings") as batch:
        batch.create_unique_constraint("uq_offerings_id", ["id", "kind"])
    op.add_column("occurrences", sa.Column("kind", sa.String(length=20), nullable=True))
    op.execute(
        "UPDATE occurrences SET kind = "
        "(SELECT kind FROM offerings WHERE offerings.id = occurrences.offering_id)"
    )
    triggers = _sqlite_triggers(bind)
    with op.batch_alter_table("occurrences") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(
            FK, "offerings", ["offering_id", "kind"], ["id", "kind"], onupdate="CASCADE"
        )
    for sql in triggers:
        op.execute(sql)
    op.create_index(INDEX, "occurrences", ["kind", "status", "starts_at", "id"])


def downgrade():
    bind = op.get_bind()
    op.drop_index(INDEX, table_name="occurrences")
    triggers = _sqlite_triggers(bind)
    with op.batch_alter_table("occurrences") as batch:
        batch.drop_constraint(FK, type_="foreignkey")
        batch.create_foreign_key(FK, "offerings", ["offering_id"], ["id"])
        batch.drop_column("kind")
    for sql in triggers:
        op.execute(sql)
    with op.batch_alter_table("offerings") as batch:
        batch.drop_constraint("uq_offerings_id", type_="unique")
