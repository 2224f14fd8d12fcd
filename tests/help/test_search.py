"""Search over published articles: ranked, highlighted, Romanian with and without diacritics.
Runs on SQLite (FTS5) and on PostgreSQL (full-text search) with the same assertions."""

from __future__ import annotations

import pytest

from academy.help.search import search_articles, search_terms


@pytest.fixture
def library(make_article):
    return {
        "title": make_article(
            title="Sesiune de implementare",
            body="Programați o întâlnire cu echipa.",
            language="ro",
        ),
        "body": make_article(
            title="Calendar",
            body="Fiecare sesiune apare în calendar. O sesiune durează o oră.",
            language="ro",
        ),
        "diacritics": make_article(
            title="Facturare recurentă",
            body="Facturile recurente se trimit singure; sesiúne de test.",
            language="ro",
            tags="facturare",
        ),
        "english": make_article(title="Recurring invoices", body="Invoices repeat monthly."),
        "draft": make_article(title="Sesiune secretă", body="sesiune", status="draft"),
    }


def _titles(results):
    return [hit.article.title for hit in results.items]


def test_title_matches_rank_above_body_matches(app, library):
    results = search_articles("sesiune", "ro")
    titles = _titles(results)
    assert titles[0] == "Sesiune de implementare"
    assert "Calendar" in titles
    assert "Sesiune secretă" not in titles  # drafts are never found
    assert results.total == len(titles)


@pytest.mark.parametrize("query", ["facturare", "Facturare", "FACTURARE", "facturáre"])
def test_case_and_diacritics_do_not_matter(app, library, query):
    assert "Facturare recurentă" in _titles(search_articles(query, "ro"))


def test_words_without_diacritics_find_words_with_them(app, library):
    # "recurenta" (no ă) finds "recurentă"; "sesiune" finds "sesiúne".
    assert _titles(search_articles("recurenta", "ro")) == ["Facturare recurentă"]
    assert "Facturare recurentă" in _titles(search_articles("sesiune test", "ro"))


def test_prefixes_and_every_word(app, library):
    assert _titles(search_articles("invoi", "en")) == ["Recurring invoices"]
    assert _titles(search_articles("recurring calendar", "en")) == []


def test_matches_are_highlighted_and_the_rest_escaped(app, make_article):
    make_article(title="Portal <b>tips</b>", body="Use the <script>x</script> portal wisely.")
    hit = search_articles("portal", "en").items[0]
    assert "<mark>Portal</mark>" in hit.title
    assert "&lt;b&gt;" in hit.title
    assert "<mark>portal</mark>" in hit.snippet
    assert "<script>" not in hit.snippet


def test_the_readers_language_comes_first(app, library):
    titles = _titles(search_articles("recur", "en"))
    assert titles[0] == "Recurring invoices"
    titles = _titles(search_articles("recur", "ro"))
    assert titles[0] == "Facturare recurentă"


@pytest.mark.parametrize("junk", ["", "   ", "\"'*()", "AND OR NOT", "' OR 1=1 --", "a:*&|!"])
def test_junk_queries_never_fail(app, library, junk):
    search_articles(junk, "en")


def test_search_terms_are_words_only():
    assert search_terms('"foo" bar* (baz)') == ["foo", "bar", "baz"]
    assert len(search_terms("a " * 50)) == 8


def test_search_page(client, library):
    html = client.get("/help/search?q=sesiune").text
    assert "<mark>Sesiune</mark> de implementare" in html
    assert "2 articles found" in html or "3 articles found" in html
    assert "Nothing matches" in client.get("/help/search?q=zzzz").text
    assert client.get("/help/search?q=x&page=0").status_code == 404
