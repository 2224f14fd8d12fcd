"""Help articles (POLICY R1 "a help section kept up to date"): categories, sections, articles,
their revisions, old URLs and the helpful votes readers leave.

Full-text search needs objects SQLAlchemy does not model (an FTS5 table on SQLite, a
tsvector column on PostgreSQL); the migration writes them and academy.help.search reads them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.types import UTCDateTime
from academy.core.versions import watch
from academy.extensions import db


class ArticleStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class HelpCategory(db.Model):
    __tablename__ = "help_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(String(300), default="")
    description_ro: Mapped[str] = mapped_column(String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    sections: Mapped[list[HelpSection]] = relationship(
        back_populates="category", lazy="raise", order_by="HelpSection.position"
    )

    def name_in(self, language: str) -> str:
        return self.name_ro if language == "ro" and self.name_ro else self.name

    def description_in(self, language: str) -> str:
        return self.description_ro if language == "ro" and self.description_ro else self.description


class HelpSection(db.Model):
    __tablename__ = "help_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("help_categories.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    name_ro: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)

    category: Mapped[HelpCategory] = relationship(back_populates="sections", lazy="raise")

    def name_in(self, language: str) -> str:
        return self.name_ro if language == "ro" and self.name_ro else self.name


class Article(db.Model):
    __tablename__ = "help_articles"
    __table_args__ = (
        Index("ix_help_articles_status_language", "status", "language"),
        # One translation per language of an original.
        UniqueConstraint("translation_of_id", "language"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("help_sections.id"), index=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(300), default="")  # comma-separated
    plans: Mapped[str] = mapped_column(String(200), default="")  # plan codes, comma-separated
    status: Mapped[ArticleStatus] = mapped_column(String(10), default=ArticleStatus.DRAFT)
    # A translation points at its original (the English article).
    translation_of_id: Mapped[int | None] = mapped_column(ForeignKey("help_articles.id"))
    # When title, summary or body last changed: a translation older than its original's
    # content is "may be outdated".
    content_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Counters kept by single UPDATE statements (no row per view).
    views: Mapped[int] = mapped_column(default=0)
    helpful_yes: Mapped[int] = mapped_column(default=0)
    helpful_no: Mapped[int] = mapped_column(default=0)

    section: Mapped[HelpSection] = relationship(lazy="raise")
    original: Mapped[Article | None] = relationship(
        lazy="raise", remote_side=[id], foreign_keys=[translation_of_id]
    )
    updated_by: Mapped[User | None] = relationship(lazy="raise")

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.split(",") if t.strip()]

    @property
    def plan_list(self) -> list[str]:
        return [p.strip() for p in self.plans.split(",") if p.strip()]

    @property
    def helpful_ratio(self) -> float | None:
        total = self.helpful_yes + self.helpful_no
        return self.helpful_yes / total if total else None


class ArticleRevision(db.Model):
    """Every save of an article: who, when, what changed, and the full text then."""

    __tablename__ = "help_article_revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(String(300), default="")
    plans: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(10))
    slug: Mapped[str] = mapped_column(String(120))
    changed: Mapped[str] = mapped_column(String(200), default="")  # field names, comma-separated
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    author: Mapped[User | None] = relationship(lazy="raise")


class ArticleRedirect(db.Model):
    """An article's former slug: its old URL answers with a 301 to the current one."""

    __tablename__ = "help_article_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(120), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"), index=True)


class ArticleVote(db.Model):
    """'Was this article helpful?' One row per vote; the article keeps the totals.

    One vote per reader and article, kept by the database: a logged-in reader by user_id, a
    visitor by the id in their signed `visitor` cookie (academy.help.views); NULLs are never
    equal, so each constraint binds only the rows that have its column."""

    __tablename__ = "help_article_votes"
    __table_args__ = (
        UniqueConstraint("article_id", "user_id", name="uq_help_article_votes_user"),
        UniqueConstraint("article_id", "visitor_id", name="uq_help_article_votes_visitor"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("help_articles.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    visitor_id: Mapped[str | None] = mapped_column(String(32))
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


# Any edit of the help centre's content is a new version of it (cached visitor pages).
watch("help", "help_categories", "help_sections", "help_articles", "help_article_redirects")
