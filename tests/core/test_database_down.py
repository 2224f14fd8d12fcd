"""While the database is unavailable, visitors get a 503 page in the site's layout (not the
server's bare "Internal Server Error"), with Retry-After; the site recovers by itself."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.faults import TcpProxy, sqlite_writer_lock

PW = "outage-pass-1"


def _is_outage_page(r) -> bool:
    html = r.get_data(as_text=True)
    return (
        r.status_code == 503
        and r.headers.get("Retry-After") == "30"
        and 'class="site-header"' in html  # the site's own layout
        and "We are back in a moment" in html
    )


def test_postgresql_gone_gives_a_503_page_and_the_site_comes_back(
    db, make_app, make_user, database_url
):
    if not database_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL outage; this run is on SQLite (its own test is below)")
    user = make_user(password=PW, name="Outage Olga")
    proxy = TcpProxy("127.0.0.1", sa.engine.make_url(database_url).port or 5432)
    try:
        site = make_app(SQLALCHEMY_DATABASE_URI=proxy.url_for(database_url)).test_client()
        assert site.post("/login", data={"email": user.email, "password": PW}).status_code == 302
        assert "Outage Olga" in site.get("/").text

        proxy.cut()
        for path in ("/", "/sessions/mine", "/workshops/", "/help/"):
            assert _is_outage_page(site.get(path)), path
        assert _is_outage_page(site.post("/account/calendar-feed", data={}))

        proxy.restore()
        r = site.get("/")
        assert r.status_code == 200 and "Outage Olga" in r.text  # still logged in
    finally:
        proxy.close()


def test_sqlite_locked_gives_a_503_page_and_the_site_comes_back(
    db, make_app, make_user, database_url
):
    """SQLite has no server to lose; its outage is another writer holding the lock past
    SQLITE_BUSY_TIMEOUT (a long migration, a backup): every write fails the same way."""
    if not database_url.startswith("sqlite"):
        pytest.skip("a SQLite lock; this run is on PostgreSQL (its own test is above)")
    user = make_user(password=PW, name="Outage Olga")
    site = make_app(SQLITE_BUSY_TIMEOUT=0.2).test_client()
    assert site.post("/login", data={"email": user.email, "password": PW}).status_code == 302
    with sqlite_writer_lock(database_url):
        assert _is_outage_page(site.post("/account/calendar-feed", data={}))
        assert site.get("/").status_code == 200  # reading still works in WAL mode
    r = site.post("/account/calendar-feed", data={})
    assert r.status_code == 302  # back by itself
