"""The schema comes only from the migrations, and they agree with the models."""

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from academy import create_app
from academy.extensions import db as _db
from academy.help.search import include_object

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


def test_models_and_migrations_agree(db):
    """No pending autogenerate diff on the database built by `flask db upgrade`."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"compare_type": True, "render_as_batch": True, "include_object": include_object},
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_upgrade_from_empty_and_back(tmp_path, app_config):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS)
        tables = set(sa.inspect(_db.engine).get_table_names())
        assert {"users", "firms", "plans", "plan_channels", "outbox"} <= tables
        plans = _db.session.execute(sa.text("select code from plans order by position"))
        assert [p for (p,) in plans] == ["starter", "pro", "business"]
        _db.session.remove()
        downgrade(directory=MIGRATIONS, revision="base")
        assert set(sa.inspect(_db.engine).get_table_names()) == {"alembic_version"}
        _db.engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas; this run is on PostgreSQL")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def _insert(table: str, **values: object) -> None:
    columns = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    _db.session.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608 - our own names


def test_0011_keeps_what_breaks_the_new_unique_rules_meaningful(tmp_path, app_config):
    """Issue 13: a second rating of a booking stays as feedback (unlinked); a reader's repeated
    votes go, and the article's totals drop by them."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    day = "2026-01-01 00:00:00"
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0009")
        _db.session.execute(sa.text("PRAGMA foreign_keys=OFF"))  # no booking rows needed
        _insert("users", id=1, email="a@x.ro", name="A", password_hash="h", role="client",
                timezone="UTC", language="en", created_at=day, meeting_url="")  # fmt: skip
        _insert("help_categories", id=1, slug="c", name="C", name_ro="", description="",
                description_ro="", position=0)  # fmt: skip
        _insert("help_sections", id=1, category_id=1, name="S", name_ro="", position=0)
        _insert("help_articles", id=1, section_id=1, slug="a", language="en", title="A",
                summary="", body="", tags="", plans="", status="published",
                content_changed_at=day, created_at=day, updated_at=day, views=0,
                helpful_yes=7, helpful_no=2)  # fmt: skip
        for vote_id, user_id, helpful in [
            (1, 1, True),
            (2, 1, True),
            (3, 1, False),
            (4, None, True),
        ]:
            _insert("help_article_votes", id=vote_id, article_id=1, user_id=user_id,
                    helpful=helpful, created_at=day)  # fmt: skip
        for item in (1, 2):
            _insert("feedback_items", id=item, kind="workshop", user_id=1, email="", category="",
                    rating=5, message="", subject_title="W", booking_id=1, created_at=day,
                    status="new", answer="")  # fmt: skip
        _db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0011")
        votes = _db.session.execute(sa.text("SELECT id FROM help_article_votes ORDER BY id"))
        assert [v for (v,) in votes] == [1, 4]
        totals = _db.session.execute(sa.text("SELECT helpful_yes, helpful_no FROM help_articles"))
        assert totals.one() == (6, 1)
        items = _db.session.execute(
            sa.text("SELECT id, booking_id FROM feedback_items ORDER BY id")
        )
        assert items.all() == [(1, 1), (2, None)]
        _db.session.remove()
        _db.engine.dispose()


def test_0012_moves_the_penalty_into_the_plans_terms_and_keeps_every_row(tmp_path, app_config):
    """Altering `plans` on SQLite copies the table: with foreign keys enforced that used to
    cascade and empty plan_channels. The migrations run with them off and checked after."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0011")
        grants = _db.session.execute(sa.text("SELECT count(*) FROM plan_channels")).scalar()
        _db.session.execute(sa.text("UPDATE plans SET noshow_fee = 80 WHERE code = 'pro'"))
        _insert("firms", id=1, name="F", plan_id=2, seats=3, created_at="2026-01-01 00:00:00")
        _db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0012")
        assert grants > 0
        assert _db.session.execute(sa.text("SELECT count(*) FROM plan_channels")).scalar() == grants
        assert _db.session.execute(sa.text("SELECT plan_id FROM firms")).scalar() == 2
        terms = dict(_db.session.execute(sa.text("SELECT code, terms FROM plans")).all())
        assert json.loads(terms["pro"]) == {"noshow_penalty": "fee", "noshow_fee": 80}
        assert json.loads(terms["business"])["noshow_penalty"] == "cooldown"
        _db.session.remove()
        _db.engine.dispose()
