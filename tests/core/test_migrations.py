"""The schema comes only from the migrations, and they agree with the models."""

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
