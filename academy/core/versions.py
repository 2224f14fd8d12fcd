"""Version counters of content that changes rarely (the plan table, help categories, ...), so
that every worker can keep it in memory and still see an edit at once.

`watch(name, *tables)` names the tables of a counter; any change of their rows made through
the session (an object flushed, or an UPDATE/DELETE/INSERT statement) bumps the counter in the
same transaction, so no service can forget to. A reader asks `cached(name, version, load)`
with the version it read from the database in a query it runs anyway (the access facts read
the plan table's), and loads again only when it changed.
"""

from __future__ import annotations

from collections.abc import Callable
from threading import Lock
from typing import Any, TypeVar

from sqlalchemy import String, bindparam, event, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column

from academy.core.sql import rows
from academy.extensions import db

T = TypeVar("T")

# The counters there are; the migration that made the table inserts one row each.
NAMES = ("plans", "help", "terms")


class ContentVersion(db.Model):
    __tablename__ = "content_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=0)


_watched: dict[str, str] = {}  # table name -> counter name
_PENDING = "content_versions_pending"


def watch(name: str, *tables: str) -> None:
    for table in tables:
        _watched[table] = name


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: object) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(getattr(obj, "__table__", None), "name", None)
        if table in _watched:
            session.info.setdefault(_PENDING, set()).add(_watched[table])


# A statement that changes a watched table without changing what readers cache (a help
# article's view counter) says so with .execution_options(content_version=False).
@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.execution_options.get("content_version", True):
        return
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table in _watched:
            state.session.info.setdefault(_PENDING, set()).add(_watched[table])


@event.listens_for(Session, "before_commit")
def _bump_pending(session: Session) -> None:
    session.flush()
    for name in sorted(session.info.pop(_PENDING, ())):
        session.execute(
            update(ContentVersion)
            .where(ContentVersion.name == name)
            .values(version=ContentVersion.version + 1)
            .execution_options(synchronize_session=False)
        )


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


# Built once: every visitor page from memory runs it (it is that page's one statement).
_VERSIONS = select(ContentVersion.name, ContentVersion.version).where(
    ContentVersion.name.in_(bindparam("names", expanding=True))
)


def versions_of(names: tuple[str, ...]) -> dict[str, int]:
    """Several counters in one query."""
    return {name: int(version) for name, version in rows(_VERSIONS, {"names": list(names)})}


_cache: dict[tuple[str, str], tuple[int, Any]] = {}
_lock = Lock()


def clear() -> None:
    """Forget every cached value (tests reset the database under the process)."""
    with _lock:
        _cache.clear()


def cached(name: str, version: int, load: Callable[[], T]) -> T:
    """`load()`'s result for this version of `name`, computed once per process and version
    (per database, for tests and tools that open several)."""
    key = (str(db.engine.url), name)
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]  # type: ignore[no-any-return]
    value = load()
    with _lock:
        _cache[key] = (version, value)
    return value
