"""Help articles: sanitising, states and visibility, revisions, old URLs, translations, votes."""

from __future__ import annotations

import sqlalchemy as sa

from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.help import services
from academy.help.models import Article, ArticleRevision
from tests.core.test_query_counts import count_statements


def _url(article):
    return f"/help/billing/{article.slug}"


def test_markdown_is_sanitised_on_the_article_page(client, make_article):
    article = make_article(
        body="Hello **world**\n\n<script>alert(1)</script>\n\n"
        '<img src="x.png" onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n'
        '<a href="https://taxdome.com" onclick="alert(4)">TaxDome</a>'
    )
    html = client.get(_url(article)).text
    assert "<strong>world</strong>" in html
    assert "<script>alert" not in html
    assert "onerror" not in html and "onclick" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://taxdome.com"' in html


def test_only_published_articles_are_visible_to_clients_and_visitors(
    client, login, make_user, make_article
):
    draft = make_article(title="Secret draft", status="draft")
    archived = make_article(title="Old one", status="archived")
    live = make_article(title="Live one")
    for viewer in (None, make_user()):
        if viewer:
            login(viewer)
        assert client.get(_url(draft)).status_code == 404  # a draft is a 404 to them
        assert client.get(_url(archived)).status_code == 404
        assert client.get(_url(live)).status_code == 200
        r = client.post(f"{_url(draft)}/vote", data={"helpful": "yes"})
        assert r.status_code == 404
    login(make_user("staff"))
    page = client.get(_url(draft))
    assert page.status_code == 200 and "only staff can see it" in page.text


def test_every_save_is_a_revision_with_a_diff_and_restore(client, db, login, author, make_article):
    article = make_article(body="Line one\nLine two")
    services.save_article(
        article,
        {"title": article.title, "body": "Line one\nLine <b>2</b>", "status": "published"},
        by=author,
        section_id=article.section_id,
    )
    revisions = db.session.scalars(
        sa.select(ArticleRevision).order_by(ArticleRevision.number)
    ).all()
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].changed == "body" and revisions[1].author_id == author.id

    login(author)
    diff = client.get(f"/help/staff/articles/{article.id}/history?a=1&b=2").text
    assert "Line &lt;b&gt;2&lt;/b&gt;" in diff  # rendered escaped
    assert '<span class="diff__del">- Line two' in diff

    r = client.post(f"/help/staff/articles/{article.id}/restore/1")
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).body == "Line one\nLine two"
    assert db.session.scalar(sa.select(sa.func.max(ArticleRevision.number))) == 3
    assert client.get(f"/help/staff/articles/{article.id}/history?a=1&b=99").status_code == 404


def test_renaming_keeps_the_old_url_working(client, author, make_article):
    article = make_article(title="Recurring invoices")
    old = _url(article)
    services.save_article(
        article,
        {"title": "Recurring invoices", "slug": "recurring-billing", "body": article.body,
         "status": "published"},
        by=author,
        section_id=article.section_id,
    )  # fmt: skip
    r = client.get(old)
    assert r.status_code == 301 and r.location.endswith("/help/billing/recurring-billing")
    assert client.get("/help/billing/recurring-billing").status_code == 200
    wrong_category = client.get("/help/payments/recurring-billing")
    assert wrong_category.status_code == 301
    assert client.get("/help/billing/never-existed").status_code == 404


def test_translation_is_linked_and_flagged_outdated_to_staff(
    client, login, make_user, author, make_article, clock
):
    english = make_article(title="Recurring invoices", body="Version one")
    clock.advance(__import__("datetime").timedelta(hours=1))
    romanian = make_article(
        title="Facturare recurentă", body="Versiunea unu", language="ro", translation_of=english
    )
    login(make_user())
    html = client.get(_url(english)).text
    assert "Facturare recurentă" in html and 'hreflang="ro"' in html
    assert 'hreflang="en"' in client.get(_url(romanian)).text

    login(author)
    assert "may be outdated" not in client.get(_url(romanian)).text
    clock.advance(__import__("datetime").timedelta(hours=1))
    services.save_article(
        english,
        {"title": english.title, "body": "Version two", "status": "published"},
        by=author,
        section_id=english.section_id,
    )
    assert "may be outdated" in client.get(_url(romanian)).text
    assert "May be outdated" in client.get("/help/staff/articles").text
    login(make_user())
    assert "may be outdated" not in client.get(_url(romanian)).text
    login(author)
    clock.advance(__import__("datetime").timedelta(hours=1))
    services.save_article(
        romanian,
        {"title": romanian.title, "body": "Versiunea doi", "status": "published"},
        by=author,
        section_id=romanian.section_id,
    )
    assert "may be outdated" not in client.get(_url(romanian)).text


def test_not_helpful_asks_why_and_files_article_feedback(
    client, db, login, make_user, make_article
):
    article = make_article()
    reader = login(make_user())
    r = client.post(f"{_url(article)}/vote", data={"helpful": "no"})
    assert r.status_code == 302 and "why=1" in r.location
    page = client.get(f"{_url(article)}?why=1").text
    assert "What was missing" in page
    client.post(f"{_url(article)}/why", data={"reason": "No word on failed card payments."})
    item = db.session.scalar(sa.select(FeedbackItem))
    assert (item.kind, item.article_id, item.user_id) == (
        FeedbackKind.ARTICLE,
        article.id,
        reader.id,
    )
    assert item.subject_title == article.title
    # One vote per reader: a second one is ignored.
    client.post(f"{_url(article)}/vote", data={"helpful": "yes"})
    db.session.expire_all()
    stored = db.session.get(Article, article.id)
    assert (stored.helpful_yes, stored.helpful_no) == (0, 1)
    assert client.post(f"{_url(article)}/vote", data={"helpful": "maybe"}).status_code == 400
    login(make_user("staff"))
    comments = client.get(f"/help/staff/articles/{article.id}/comments")
    assert comments.status_code == 200 and "No word on failed card payments." in comments.text


def test_a_visitor_can_vote_and_comment_without_an_address(client, db, make_article):
    article = make_article()
    client.post(f"{_url(article)}/vote", data={"helpful": "no"})
    client.post(f"{_url(article)}/why", data={"reason": "Too short"})
    item = db.session.scalar(sa.select(FeedbackItem))
    assert item.user_id is None and item.message == "Too short"


def test_views_are_counted_and_staff_see_stats_sorted(
    client, db, login, make_user, author, make_article
):
    popular, quiet = make_article(title="Popular"), make_article(title="Quiet")
    for _ in range(3):
        client.get(_url(popular))
    client.post(f"{_url(quiet)}/vote", data={"helpful": "yes"}, follow_redirects=True)
    db.session.expire_all()
    assert db.session.get(Article, popular.id).views == 3
    assert db.session.get(Article, quiet.id).views == 0  # the page after a vote is not a view
    login(author)
    html = client.get("/help/staff/articles?sort=views").text
    assert html.index("Popular") < html.index("Quiet")
    html = client.get("/help/staff/articles?sort=helpful").text
    assert "100%" in html
    assert html.index("Quiet") < html.index("Popular")
    assert client.get(f"/help/staff/articles/{popular.id}/comments").status_code == 200


def test_staff_write_preview_and_publish_through_the_form(client, db, login, author, section):
    login(author)
    data = {
        "title": "Portal basics",
        "slug": "",
        "section_id": str(section.id),
        "summary": "What clients see",
        "body": "## Welcome\n\nClients log in with **email**.",
        "tags": "portal, clients",
        "plans": ["pro", "business"],
        "status": "published",
    }
    preview = client.post("/help/staff/articles/new", data={**data, "preview": "1"})
    assert "<h2>Welcome</h2>" in preview.text and "Preview, not saved" in preview.text
    assert db.session.scalar(sa.select(sa.func.count(Article.id))) == 0
    r = client.post("/help/staff/articles/new", data={**data, "save": "1"})
    assert r.status_code == 302
    article = db.session.scalar(sa.select(Article))
    assert (article.slug, article.plans, article.status) == (
        "portal-basics",
        "pro,business",
        "published",
    )
    page = client.get("/help/billing/portal-basics").text
    assert "Available on: Pro, Business" in page


def test_bad_input_is_shown_beside_the_field_with_what_was_typed(
    client, login, author, section, make_article
):
    make_article(title="Taken", slug="taken")
    login(author)
    r = client.post(
        "/help/staff/articles/new",
        data={"title": "", "body": "My typed text", "section_id": str(section.id),
              "status": "draft"},
    )  # fmt: skip
    assert r.status_code == 200
    assert "My typed text" in r.text and 'aria-invalid="true"' in r.text
    r = client.post(
        "/help/staff/articles/new",
        data={"title": "Another", "slug": "taken", "body": "x", "section_id": str(section.id),
              "status": "draft"},
    )  # fmt: skip
    assert "Another article already has this address." in r.text
    other = make_article(title="Other")
    r = client.post(
        f"/help/staff/articles/{other.id}/edit",
        data={"title": "Other", "slug": "taken", "body": "x", "section_id": str(section.id),
              "status": "draft"},
    )  # fmt: skip
    assert r.status_code == 200 and "Another article already has this address." in r.text
    assert client.get("/help/staff/articles/987654/edit").status_code == 404


def test_clients_cannot_reach_staff_pages(client, login, make_user, make_article):
    article = make_article()
    login(make_user())
    for url in (
        "/help/staff/articles",
        "/help/staff/articles/new",
        f"/help/staff/articles/{article.id}/edit",
        f"/help/staff/articles/{article.id}/history",
        "/help/staff/categories",
    ):
        assert client.get(url).status_code == 403, url


def test_staff_add_categories_and_sections(client, db, login, author):
    login(author)
    client.post("/help/staff/categories", data={"c-name": "Client portal", "c-name_ro": "Portal"})
    category = db.session.scalar(
        sa.text("select id from help_categories where slug='client-portal'")
    )
    assert category
    client.post("/help/staff/categories", data={"s-category_id": str(category), "s-name": "Basics"})
    assert "Basics" in client.get("/help/staff/categories").text
    assert client.get("/help/client-portal/").status_code == 200


def test_help_home_keeps_the_channels_and_lists_categories(client, login, make_user, make_article):
    make_article(title="Popular invoices")
    html = client.get("/help/").text
    assert "Billing" in html and "Popular invoices" in html
    login(make_user())
    html = client.get("/help/").text
    assert "Support inbox (first response within 24 hours)" in html  # POLICY R1
    assert "channel--on" in html  # POLICY R2: the reader's firm's channels


def test_article_page_statements_do_not_grow(client, db, login, make_user, make_article, queries):
    from tests.help.test_query_counts import bulk_articles

    article = make_article()
    login(make_user())
    small = count_statements(client, queries, _url(article))
    bulk_articles(db, article.section_id, 500)
    assert count_statements(client, queries, _url(article)) == small


def test_restoring_a_draft_revision_keeps_the_article_live_at_its_address(
    client, db, login, author, make_article
):
    """Issue 19, defect 7: 'Restore' of an old draft revision also restored its draft state
    and its old address, and the live article silently became a 404."""
    article = make_article(title="Recurring invoices", body="First words", status="draft")
    services.save_article(
        article,
        {
            "title": "Recurring invoices",
            "slug": "recurring",
            "body": "Better words",
            "status": "published",
        },
        by=author,
        section_id=article.section_id,
    )
    assert client.get("/help/billing/recurring").status_code == 200
    login(author)
    assert client.post(f"/help/staff/articles/{article.id}/restore/1").status_code == 302
    db.session.expire_all()
    restored = db.session.get(Article, article.id)
    assert restored.body == "First words"  # the words come back
    assert (restored.status, restored.slug) == ("published", "recurring")  # nothing else
    client.post("/logout")
    with client.session_transaction() as session:
        session.clear()
    r = client.get("/help/billing/recurring")
    assert r.status_code == 200 and "First words" in r.text
