import sqlalchemy as sa

from academy.accounts.models import Firm, Role, User
from academy.demo import seed


def test_create_staff_admin_and_list(app, db):
    runner = app.test_cli_runner()
    r = runner.invoke(
        args=["users", "create-staff", "Ops@Example.com", "--password", "staff-pass-123"]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        args=["users", "create-admin", "boss@example.com"], input="admin-pass-123\nadmin-pass-123\n"
    )
    assert r.exit_code == 0, r.output
    roles = dict(db.session.execute(sa.select(User.email, User.role)).all())
    assert roles == {"ops@example.com": Role.STAFF, "boss@example.com": Role.ADMIN}
    listing = runner.invoke(args=["users", "list"]).output
    assert "ops@example.com" in listing and "admin" in listing
    assert runner.invoke(args=["users", "list", "--role", "admin"]).output.count("@") == 1


def test_create_staff_refuses_a_short_password(app):
    r = app.test_cli_runner().invoke(
        args=["users", "create-staff", "a@example.com", "--password", "short"]
    )
    assert r.exit_code != 0 and "at least 10 characters" in r.output


def test_demo_seed_is_idempotent_and_logins_work(app, client, db):
    seed()
    users, firms = (db.session.scalar(sa.select(sa.func.count(m.id))) for m in (User, Firm))
    seed()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == users
    assert db.session.scalar(sa.select(sa.func.count(Firm.id))) == firms
    emails = ["client@example.com", "reviewer@example.com", "staff@example.com"]
    for email in emails:
        r = client.post("/login", data={"email": email, "password": "demo-pass-123"})
        assert r.status_code == 302, email
        client.post("/logout")
