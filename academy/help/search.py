"""Searching published help articles: one function over two engines.

SQLite uses the FTS5 table `help_article_fts` (bm25 ranking, snippet()); PostgreSQL uses the
generated `search_vector` column (ts_rank, ts_headline). Both fold case and diacritics, so
"sesiune" finds "sesiúne" and "facturare" finds "Facturare". The migration 0009 creates these
objects by hand; `include_object` keeps them out of Alembic's model comparison.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import select, text
from sqlalchemy.orm import selectinload

from academy.core.pagination import Page
from academy.extensions import db
from academy.help.models import Article, ArticleStatus, HelpSection

# Database objects that exist only in the migration (not in the models).
SEARCH_OBJECTS = {"help_article_fts", "search_vector", "ix_help_articles_search_vector"}
MAX_TERMS = 8
PER_PAGE = 10
# Private-use characters mark matches inside the engine's output; they become <mark> only
# after the text around them is escaped.
_OPEN, _CLOSE = "\ue000", "\ue001"
_MARKDOWN = re.compile(r"[*_`#|]+|^\s*>\s?", re.MULTILINE)


def include_object(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic autogenerate: ignore the full-text objects written by hand in the migration."""
    return not (name and (name in SEARCH_OBJECTS or name.startswith("help_article_fts")))


def search_terms(query: str) -> list[str]:
    """The words of a query (letters and digits only), lower-cased, at most MAX_TERMS."""
    return re.findall(r"[^\W_]+", query.lower())[:MAX_TERMS]


@dataclass
class Hit:
    article: Article
    title: Markup
    snippet: Markup


def highlighted(value: str, markdown: bool = True) -> Markup:
    """Engine output with match markers: escaped, Markdown punctuation dropped, marks added."""
    plain = _MARKDOWN.sub("", value or "") if markdown else value or ""
    safe = str(escape(plain)).replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")
    return Markup(" ".join(safe.split()))  # noqa: S704 - escaped just above


def search_articles(query: str, language: str, page: int = 1) -> Page[Hit]:
    """Published articles matching every word of `query` (as prefixes), best first; articles
    in `language` come before the others. Three statements whatever the number of articles."""
    terms = search_terms(query)
    page = max(1, min(page, 10_000))
    if not terms:
        return Page([], page, PER_PAGE, has_next=False, total=0)
    if db.engine.dialect.name == "postgresql":
        count_sql, rows_sql = _postgresql_sql()
        match = " & ".join(f"{t}:*" for t in terms)
    else:
        count_sql, rows_sql = _sqlite_sql()
        match = " ".join(f'"{t}"*' for t in terms)
    params = {
        "match": match,
        "language": language,
        "published": ArticleStatus.PUBLISHED.value,
        "limit": PER_PAGE,
        "offset": (page - 1) * PER_PAGE,
    }
    total = db.session.execute(text(count_sql), params).scalar_one()
    if not total:
        return Page([], page, PER_PAGE, has_next=False, total=0)
    rows = db.session.execute(text(rows_sql), params).all()
    articles = {
        a.id: a
        for a in db.session.scalars(
            select(Article)
            .options(selectinload(Article.section).selectinload(HelpSection.category))
            .where(Article.id.in_([r.id for r in rows]))
        )
    }
    hits = [
        Hit(articles[r.id], highlighted(r.title_hl, markdown=False), highlighted(r.snippet))
        for r in rows
        if r.id in articles
    ]
    return Page(hits, page, PER_PAGE, has_next=page * PER_PAGE < total, total=total)


def _sqlite_sql() -> tuple[str, str]:
    where = "help_article_fts MATCH :match AND a.status = :published"
    # CROSS JOIN: SQLite keeps the tables in this order, so the full-text index finds the
    # matches and each is looked up by id. With a plain JOIN its planner may walk every
    # published article and run MATCH once per row (160 ms for 5,000 articles).
    count = (
        "SELECT count(*) FROM help_article_fts CROSS JOIN help_articles a "  # noqa: S608
        f"ON a.id = help_article_fts.rowid WHERE {where}"
    )
    rows = (
        "SELECT a.id AS id, "  # noqa: S608
        f"highlight(help_article_fts, 0, '{_OPEN}', '{_CLOSE}') AS title_hl, "
        f"snippet(help_article_fts, 2, '{_OPEN}', '{_CLOSE}', ' … ', 24) AS snippet "
        "FROM help_article_fts CROSS JOIN help_articles a ON a.id = help_article_fts.rowid "
        f"WHERE {where} "
        "ORDER BY (a.language = :language) DESC, "
        "bm25(help_article_fts, 10.0, 4.0, 1.0, 4.0), a.id LIMIT :limit OFFSET :offset"
    )
    return count, rows


def _postgresql_sql() -> tuple[str, str]:
    query = "to_tsquery('academy_search', :match)"
    where = f"a.search_vector @@ {query} AND a.status = :published"
    options = f"StartSel={_OPEN}, StopSel={_CLOSE}"
    count = f"SELECT count(*) FROM help_articles a WHERE {where}"  # noqa: S608
    rows = (
        "SELECT a.id AS id, "  # noqa: S608
        f"ts_headline('academy_search', a.title, {query}, '{options}, HighlightAll=true') "
        "AS title_hl, "
        f"ts_headline('academy_search', a.summary || ' ' || a.body, {query}, "
        f"'{options}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=\" … \"') "
        "AS snippet "
        f"FROM help_articles a WHERE {where} "
        f"ORDER BY (a.language = :language) DESC, ts_rank(a.search_vector, {query}) DESC, a.id "
        "LIMIT :limit OFFSET :offset"
    )
    return count, rows
