"""Pagination: one way for every list.

A list fetches one row more than it shows to know whether a next page exists: one query per
page. Only a page that shows a total ("12 articles found") asks for a count as well
(`count=True`), since counting every matching row costs more than the page itself on a big
table (issue 15).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask import abort, current_app
from sqlalchemy import Select, func, select

from academy.core.params import page_arg
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


def paginate(query: Select[Any], per_page: int | None = None, *, count: bool = False) -> Page[Any]:
    """The page of `query` that ?page= asks for. A page past the end is a 404, like a page
    that cannot exist (core.params.page_arg)."""
    page = page_arg(MAX_PAGE)
    size = min(per_page or current_app.config["PER_PAGE"], MAX_PER_PAGE)
    rows = list(
        db.session.execute(query.limit(size + 1).offset((page - 1) * size)).unique().scalars()
    )
    if page > 1 and not rows:
        abort(404)
    total = None
    if count:
        counted = query.order_by(None).options().subquery()
        total = db.session.scalar(select(func.count()).select_from(counted))
    return Page(rows[:size], page, size, has_next=len(rows) > size, total=total)
