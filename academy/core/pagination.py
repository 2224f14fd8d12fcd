"""Pagination: one way for every list (two queries per page: the rows and a count)."""

from __future__ import annotations

from flask import current_app
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from academy.core.params import page_arg
from academy.extensions import db

MAX_PAGE = 1_000_000


def paginate(query: Select, per_page: int | None = None) -> Pagination:
    """Paginate a select from ?page=; a page past the end is a 404 (core.params.page_arg)."""
    page = page_arg(MAX_PAGE)
    return db.paginate(
        query,
        page=page,
        per_page=per_page or current_app.config["PER_PAGE"],
        max_per_page=100,
        error_out=True,
    )
