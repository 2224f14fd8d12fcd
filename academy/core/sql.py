"""SQL the ORM does not say for every database alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Executable
from sqlalchemy.dialects import postgresql, sqlite

from academy.extensions import db


def rows(statement: Executable, params: dict[str, Any] | None = None) -> CursorResult[Any]:
    """Plain rows of a statement of columns (no entities), best built once at import, run on
    the session's connection in its transaction. What `Session.execute` would flush first is
    flushed first. A page's reads skip the ORM's handling of the statement, which cost more
    than the query itself on a small page (issue 15)."""
    session = db.session()
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params or {})


def insert_unless_exists(model: Any, **values: Any) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING: True if the row was added, False if a unique
    constraint says it exists already (a double click, a second tab, eight posts at once).

    The database settles it (ARCHITECTURE 5), and nothing is rolled back: a failed flush
    would expire every object the request has loaded, and their `lazy="raise"`
    relationships would then fail while the page renders.
    """
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__
    # RETURNING says it on both databases (rowcount of an ORM insert can be -1 on psycopg).
    statement = insert(table).values(**values).on_conflict_do_nothing().returning(table.c.id)
    return db.session.execute(statement).first() is not None
