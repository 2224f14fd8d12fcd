"""Pagination: one way for every list.

A list fetches one row more than it shows to know whether a next page exists: one query per
page. Only a page that shows a total ("12 articles found") asks for a count as well
(`count=True`), since counting every matching row costs more than the page itself on a big
table (issue 15).

`paginate` pages a select of entities through the ORM; `paginate_rows` pages a statement of
plain columns (core.sql.rows), which is what a busy list should read: its rows are made into
the list's own NamedTuple, without the ORM's handling of the statement and its results.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, current_app
from sqlalchemy import Integer, Select, bindparam, func, select

from academy.core.params import page_arg
from academy.core.sql import rows
from academy.extensions import db

MAX_PAGE = 1_000_000
MAX_PER_PAGE = 100
T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, as templates/_macros.html `pagination` shows it."""

    items: list[T]
    page: int
    per_page: int
    has_next: bool
    total: int | None = None  # only when counted

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, math.ceil(self.total / self.per_page))


def _page_of(
    fetch: Callable[[int, int], list[T]], per_page: int | None
) -> tuple[list[T], int, int, bool]:
    """The rule of every list: ?page= (core.params.page_arg), one row more than shown
    fetched by `fetch(limit, offset)`, and a page past the end a 404 like a page that cannot
    exist. (items shown, page number, page size, whether a next page exists)."""
    page = page_arg(MAX_PAGE)
    size = min(per_page or current_app.config["PER_PAGE"], MAX_PER_PAGE)
    found = fetch(size + 1, (page - 1) * size)
    if page > 1 and not found:
        abort(404)
    return found[:size], page, size, len(found) > size


def paginate(query: Select[Any], per_page: int | None = None, *, count: bool = False) -> Page[Any]:
    """The page of `query` (a select of entities) that ?page= asks for."""
    items, page, size, has_next = _page_of(
        lambda limit, offset: list(
            db.session.execute(query.limit(limit).offset(offset)).unique().scalars()
        ),
        per_page,
    )
    total = None
    if count:
        counted = query.order_by(None).options().subquery()
        total = db.session.scalar(select(func.count()).select_from(counted))
    return Page(items, page, size, has_next=has_next, total=total)


def pageable(statement: Select[Any]) -> Select[Any]:
    """`statement` with the LIMIT and OFFSET that `paginate_rows` fills in, as parameters: a
    statement built once at import stays one statement (one cache key) for every page."""
    return statement.limit(bindparam("limit", type_=Integer)).offset(
        bindparam("offset", type_=Integer)
    )


def paginate_rows(
    statement: Select[Any],
    params: dict[str, Any] | None = None,
    make: Callable[..., T] | None = None,
    per_page: int | None = None,
) -> Page[T]:
    """The page that ?page= asks for of a `pageable` statement of columns, run with `params`;
    each row made into `make(*row)` (the list's NamedTuple), or left a Row."""

    def fetch(limit: int, offset: int) -> list[Any]:
        found = rows(statement, {**(params or {}), "limit": limit, "offset": offset})
        return [make(*row) for row in found] if make else list(found)

    return Page(*_page_of(fetch, per_page))
