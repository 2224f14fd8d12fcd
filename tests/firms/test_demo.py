"""`flask demo seed`: the demo client owns Demo Accounting SRL, with two members, one pending
invitation and one overdue assigned course (README, demo logins)."""

import sqlalchemy as sa

from academy.accounts.models import Firm, FirmRole, User
from academy.demo import DEMO_FIRM, seed
from academy.firms import assignments
from academy.firms.models import Assignment, Invitation


def test_the_demo_firm_is_a_team_seeded_once(db, client, login, clock):
    seed()
    seed()
    firm = db.session.scalar(sa.select(Firm).where(Firm.name == DEMO_FIRM))
    people = db.session.scalars(sa.select(User).where(User.firm_id == firm.id)).all()
    roles = sorted((u.email, u.firm_role) for u in people)
    assert ("client@example.com", FirmRole.OWNER) in roles
    assert [r for _, r in roles].count(FirmRole.MEMBER) == 2
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 2
    statuses = sorted(r.status for r in assignments.for_firm(firm.id))
    assert statuses == ["late", "on_time"]
    owner = next(u for u in people if u.email == "client@example.com")
    login(owner)
    page = client.get("/team").get_data(as_text=True)
    assert "elena.vasile@example.com" in page and "Late" in page
