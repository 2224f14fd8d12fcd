"""Help pages run a constant number of SQL statements from 10 to 10,000 articles."""

from __future__ import annotations

import sqlalchemy as sa

from academy.core.clock import now
from academy.feedback.models import FeedbackItem
from academy.help.models import Article
from tests.core.test_query_counts import count_statements

WORDS = ["invoice", "portal", "signature", "sesiune", "facturare", "payments", "team"]


def bulk_articles(db, section_id: int, n: int, language: str = "en") -> None:
    """n published articles (and a comment on every tenth), in two executemany statements."""
    start = (db.session.scalar(sa.select(sa.func.max(Article.id))) or 0) + 1
    at = now()
    db.session.execute(
        sa.insert(Article),
        [
            {
                "id": start + i,
                "section_id": section_id,
                "slug": f"bulk-{start + i}",
                "language": language if i % 3 else "ro",
                "title": f"Bulk {WORDS[i % len(WORDS)]} guide {start + i}",
                "summary": "How to",
                "body": " ".join(WORDS[(i + k) % len(WORDS)] for k in range(30)),
                "tags": WORDS[(i + 2) % len(WORDS)],
                "plans": "pro,business" if i % 2 else "",
                "status": "published" if i % 5 else "draft",
                "views": i % 97,
                "helpful_yes": i % 7,
                "helpful_no": i % 3,
                "content_changed_at": at,
                "created_at": at,
                "updated_at": at,
            }
            for i in range(n)
        ],
    )
    db.session.execute(
        sa.insert(FeedbackItem),
        [
            {"kind": "article", "article_id": start + i, "message": "unclear", "email": "",
             "category": "", "subject_title": "Bulk", "status": "new", "created_at": at}
            for i in range(0, n, 10)
        ],
    )  # fmt: skip
    db.session.commit()


def test_help_pages_do_not_grow_with_articles(
    client, db, login, make_user, make_article, queries, section
):
    article = make_article(title="Recurring invoices", plans="pro")
    staff = make_user("staff")
    bulk_articles(db, section.id, 10)
    urls = [
        "/help/",
        f"/help/billing/{article.slug}",
        "/help/search?q=invoice",
        "/help/search?q=facturare+sesiune",
        "/help/billing/",
    ]
    staff_urls = ["/help/staff/articles", "/help/staff/articles?sort=comments"]
    reader = make_user()

    def measure() -> dict[str, int]:
        login(reader)
        counts = {u: count_statements(client, queries, u) for u in urls}
        login(staff)
        counts.update({u: count_statements(client, queries, u) for u in staff_urls})
        return counts

    small = measure()
    bulk_articles(db, section.id, 10_000)
    large = measure()
    assert small == large
    assert max(large.values()) <= 10, large
