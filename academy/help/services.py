"""Writing, revising, translating, reading and rating help articles."""

from __future__ import annotations

import difflib
import time
from collections import Counter
from dataclasses import dataclass
from threading import Lock
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from academy.accounts.models import User
from academy.core.clock import now
from academy.core.errors import DomainError
from academy.core.sql import insert_unless_exists
from academy.core.text import slugify
from academy.extensions import db
from academy.feedback.models import FeedbackKind
from academy.feedback.services import leave_feedback
from academy.help.models import (
    Article,
    ArticleRedirect,
    ArticleRevision,
    ArticleStatus,
    ArticleVote,
    HelpCategory,
    HelpSection,
)

# What a revision records, in the order a diff shows it.
FIELDS = ("title", "slug", "summary", "body", "tags", "plans", "status")
CONTENT = ("title", "summary", "body")
# Paths under /help/ that are pages, not categories.
RESERVED = {"staff", "search"}


def is_visible(article: Article, viewer: Any) -> bool:
    """Only published articles are shown to clients and visitors; staff see every state."""
    if article.status == ArticleStatus.PUBLISHED:
        return True
    return bool(viewer.is_authenticated and viewer.is_staff)


def find_article(slug: str) -> tuple[Article | None, bool]:
    """The article for a URL slug, and whether the slug is a former one (to redirect).
    Each lookup uses a unique index: the current slug first, then the former ones."""
    load = joinedload(Article.section).joinedload(HelpSection.category)  # one query
    article = db.session.scalar(select(Article).options(load).where(Article.slug == slug))
    if article is not None:
        return article, False
    article = db.session.scalar(
        select(Article)
        .options(load)
        .join(ArticleRedirect, ArticleRedirect.article_id == Article.id)
        .where(ArticleRedirect.old_slug == slug)
    )
    return article, article is not None


class ViewCounter:
    """Views of help articles, counted in memory and written every `HELP_VIEWS_FLUSH_SECONDS`
    (one UPDATE per article read meanwhile) rather than one write per page view: a visitor's
    article comes from memory (core.caching), and a write per view was what it cost, and on
    SQLite the one writer at a time that the two workers queued for (issue 15).

    The limit: a worker that is killed loses the views of its last seconds (a worker that
    stops normally writes them). 0 writes every view at once, as the tests do."""

    def __init__(self) -> None:
        self._pending: Counter[str] = Counter()
        self._written_at = time.monotonic()
        self._lock = Lock()

    def add(self, slug: str) -> None:
        with self._lock:
            self._pending[slug] += 1
            due = (
                time.monotonic() - self._written_at
                >= current_app.config["HELP_VIEWS_FLUSH_SECONDS"]
            )
        if due:
            self.write()

    def write(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, Counter()
            self._written_at = time.monotonic()
        if not pending:
            return
        for slug, count in sorted(pending.items()):  # the same order in every worker
            db.session.execute(
                update(Article)
                .where(Article.slug == slug, Article.status == ArticleStatus.PUBLISHED)
                .values(views=Article.views + count),
                execution_options={"content_version": False},  # not an edit: cached pages stay
            )
        db.session.commit()


views = ViewCounter()


def record_view(slug: str) -> None:
    """A view of the published article at this URL slug (a former slug or a draft counts
    nothing); no row per view, no read-then-write race."""
    views.add(slug)


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    tags = ", ".join(
        dict.fromkeys(t.strip() for t in (data.get("tags") or "").split(",") if t.strip())
    )
    plans = data.get("plans") or []
    if isinstance(plans, str):
        plans = [p for p in plans.split(",") if p.strip()]
    return {
        "title": (data.get("title") or "").strip(),
        "slug": slugify(data.get("slug") or "") or slugify(data.get("title") or ""),
        "summary": (data.get("summary") or "").strip(),
        "body": (data.get("body") or "").replace("\r\n", "\n").strip(),
        "tags": tags,
        "plans": ",".join(p.strip() for p in plans),
        "status": ArticleStatus(data.get("status") or ArticleStatus.DRAFT),
    }


def save_article(
    article: Article | None,
    data: dict[str, Any],
    *,
    by: User,
    section_id: int,
    language: str = "en",
    translation_of: Article | None = None,
) -> Article:
    """Create or update an article; every save is a revision (who, when, what changed).

    A new slug keeps the old URL working (301). Changing the title, summary or body moves
    `content_changed_at`, which marks translations made before it as possibly outdated.
    """
    values = _clean(data)
    if not values["title"]:
        raise DomainError(_l("Give the article a title."), "title")
    if not values["slug"]:
        raise DomainError(_l("Use letters or digits in the address."), "slug")
    if db.session.get(HelpSection, section_id) is None:
        raise DomainError(_l("Choose a section."), "section_id")
    clash = db.session.scalar(
        select(func.count())
        .select_from(ArticleRedirect)
        .where(
            ArticleRedirect.old_slug == values["slug"],
            ArticleRedirect.article_id != (article.id if article else -1),
        )
    )
    if clash:
        raise DomainError(_l("Another article used this address before. Choose another."), "slug")
    taken = db.session.scalar(
        select(Article.id).where(
            Article.slug == values["slug"], Article.id != (article.id if article else -1)
        )
    )
    if taken:  # the unique index still settles a race (IntegrityError below)
        raise DomainError(_l("Another article already has this address."), "slug")
    at = now()
    if article is None:
        article = Article(
            language=language,
            translation_of_id=translation_of.id if translation_of else None,
            created_at=at,
        )
        db.session.add(article)
        changed = list(FIELDS)
    else:
        changed = [f for f in FIELDS if getattr(article, f) != values[f]]
        if article.section_id != section_id:
            changed.append("section")
        if not changed:
            return article
        if "slug" in changed and article.slug:
            db.session.execute(
                ArticleRedirect.__table__.delete().where(ArticleRedirect.old_slug == values["slug"])
            )
            db.session.add(ArticleRedirect(old_slug=article.slug, article_id=article.id))
    if any(f in changed for f in CONTENT):
        article.content_changed_at = at
    for key, value in values.items():
        setattr(article, key, value)
    article.section_id = section_id
    article.updated_at, article.updated_by_id = at, by.id
    if values["status"] == ArticleStatus.PUBLISHED and article.published_at is None:
        article.published_at = at
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("Another article already has this address."), "slug") from None
    _add_revision(article, by, changed)
    db.session.commit()
    return article


def _add_revision(article: Article, by: User, changed: list[str]) -> ArticleRevision:
    number = (
        db.session.scalar(
            select(func.max(ArticleRevision.number)).where(ArticleRevision.article_id == article.id)
        )
        or 0
    ) + 1
    revision = ArticleRevision(
        article_id=article.id,
        number=number,
        author_id=by.id,
        changed=",".join(changed)[:200],
        created_at=article.updated_at,
        **{f: getattr(article, f) for f in FIELDS},
    )
    db.session.add(revision)
    return revision


# What "Restore" brings back: the words, not where the article lives or whether it is live.
RESTORED = ("title", "summary", "body", "tags", "plans")


def restore_revision(article: Article, revision: ArticleRevision, *, by: User) -> Article:
    """Bring back an old revision's text (as a new revision: history is never rewritten).

    The address and the state stay as they are now: restoring the words of a draft must not
    unpublish the live article or move it to an old URL (that would be a 404 for readers)."""
    data = {f: getattr(article, f) for f in FIELDS}
    data.update({f: getattr(revision, f) for f in RESTORED})
    return save_article(article, data, by=by, section_id=article.section_id)


def is_outdated(translation: Article, original: Article | None) -> bool:
    """The original's text changed after the translation was last edited."""
    return original is not None and original.content_changed_at > translation.content_changed_at


@dataclass
class FieldDiff:
    field: str
    lines: list[tuple[str, Markup]]  # ("add" | "del" | "same" | "gap", escaped text)


def diff_revisions(old: ArticleRevision, new: ArticleRevision) -> list[FieldDiff]:
    """Line diff (difflib) of every field that differs between two revisions, escaped."""
    out = []
    for name in FIELDS:
        a, b = str(getattr(old, name) or ""), str(getattr(new, name) or "")
        if a == b:
            continue
        lines: list[tuple[str, Markup]] = []
        for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=2):
            if line.startswith(("---", "+++")):
                continue
            if line.startswith("@@"):
                lines.append(("gap", Markup("…")))
            elif line.startswith("+"):
                lines.append(("add", escape(line[1:])))
            elif line.startswith("-"):
                lines.append(("del", escape(line[1:])))
            else:
                lines.append(("same", escape(line[1:])))
        out.append(FieldDiff(name, lines))
    return out


def vote(article: Article, helpful: bool, user: Any, visitor: str | None = None) -> bool:
    """A "was this helpful?" answer: a row, and the article's total moved by one UPDATE, in
    one transaction. A reader's second vote (another session, another tab, two at once) is
    refused by the database and counts nothing: False."""
    logged_in = user.is_authenticated
    added = insert_unless_exists(
        ArticleVote,
        article_id=article.id,
        user_id=user.id if logged_in else None,
        visitor_id=None if logged_in else visitor,
        helpful=helpful,
    )
    if added:
        column = Article.helpful_yes if helpful else Article.helpful_no
        db.session.execute(
            update(Article).where(Article.id == article.id).values({column.key: column + 1})
        )
    db.session.commit()
    return added


def explain_not_helpful(article: Article, user: Any, reason: str, email: str = "") -> None:
    """POLICY R17: why an article did not help, filed as feedback of kind ARTICLE."""
    leave_feedback(
        kind=FeedbackKind.ARTICLE,
        user=user if user.is_authenticated else None,
        message=reason,
        email=email or "anonymous@visitor.invalid",
        subject_title=article.title,
        article_id=article.id,
    )


def create_category(
    name: str, name_ro: str, description: str = "", description_ro: str = ""
) -> HelpCategory:
    slug = slugify(name)
    if not slug:
        raise DomainError(_l("Use letters or digits in the name."), "name")
    if slug in RESERVED:
        slug = f"{slug}-help"
    if db.session.scalar(select(HelpCategory.id).where(HelpCategory.slug == slug)):
        raise DomainError(_l("A category with this name exists."), "name")
    position = db.session.scalar(select(func.count(HelpCategory.id))) or 0
    category = HelpCategory(
        slug=slug,
        name=name.strip(),
        name_ro=name_ro.strip(),
        description=description.strip(),
        description_ro=description_ro.strip(),
        position=position,
    )
    db.session.add(category)
    db.session.commit()
    return category


def create_section(category: HelpCategory, name: str, name_ro: str) -> HelpSection:
    position = db.session.scalar(
        select(func.count(HelpSection.id)).where(HelpSection.category_id == category.id)
    )
    section = HelpSection(
        category_id=category.id, name=name.strip(), name_ro=name_ro.strip(), position=position or 0
    )
    db.session.add(section)
    db.session.commit()
    return section
