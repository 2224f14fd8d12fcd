"""0016 on a database with firms: they count as verified, each firm's first account becomes its
owner and the others members; the firm and its people are all kept (issue 17)."""

from pathlib import Path

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from academy import create_app
from academy.extensions import db as _db

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")
DAY = "2026-01-01 00:00:00"


def _insert(table: str, **values: object) -> None:
    columns, marks = ", ".join(values), ", ".join(f":{k}" for k in values)
    _db.session.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608 - our own names


def test_0016_makes_the_first_account_of_each_firm_its_owner(tmp_path, app_config):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'o.db'}"})
    with app.app_context():
        upgrade(directory=MIGRATIONS, revision="0014")
        _insert("firms", id=1, name="F", plan_id=3, seats=5, created_at=DAY)
        for uid, firm in ((1, 1), (2, 1), (3, None)):
            _insert("users", id=uid, email=f"u{uid}@x.ro", name="U", password_hash="h",
                    role="client", firm_id=firm, timezone="UTC", language="en",
                    created_at=DAY, meeting_url="", session_generation=0)  # fmt: skip
        _db.session.commit()
        upgrade(directory=MIGRATIONS, revision="0016")
        roles = _db.session.execute(sa.text("SELECT id, firm_id, firm_role FROM users ORDER BY id"))
        assert roles.all() == [(1, 1, "owner"), (2, 1, "member"), (3, None, None)]
        verified = _db.session.execute(sa.text("SELECT verified_at FROM firms")).scalar()
        assert verified is not None
        _db.session.remove()
        downgrade(directory=MIGRATIONS, revision="0014")
        assert _db.session.execute(sa.text("SELECT count(*) FROM users")).scalar() == 3
        _db.session.remove()
        _db.engine.dispose()
