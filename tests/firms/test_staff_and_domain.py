"""Staff verify firms made at sign-up and change owners; joining by email domain (issue 17)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from academy.accounts.models import Firm, FirmRole, Plan, Role, User
from academy.core.clock import now
from academy.notifications.models import OutboxMessage


def test_staff_verify_a_firm_from_the_queue_and_the_owner_is_emailed_in_their_language(
    db, client, login, make_user, make_firm, clock
):
    firm, owner = make_firm(seats=1, plan="starter", language="ro")
    firm.verified_at = None
    db.session.commit()
    login(make_user(Role.STAFF))
    queue = client.get("/staff/firms/unverified").get_data(as_text=True)
    assert "Acme Accounting" in queue
    business = db.session.scalar(sa.select(Plan).where(Plan.code == "business"))
    response = client.post(
        f"/staff/firms/{firm.id}/verify", data={"plan": business.id, "seats": 10}
    )
    assert response.status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.verified_at is not None and firm.seats == 10 and firm.plan_id == business.id
    mail = db.session.scalar(sa.select(OutboxMessage).where(OutboxMessage.kind == "firm_verified"))
    assert mail.recipient == owner.email
    assert "verificată" in mail.subject  # Romanian, the owner's language
    queue = client.get("/staff/firms/unverified").get_data(as_text=True)
    assert f"/staff/firms/{firm.id}/verify" not in queue and "No firm is waiting." in queue


def test_verifying_with_fewer_seats_than_members_is_refused_beside_the_field(
    db, client, login, make_user, make_firm
):
    firm, _owner = make_firm(members=2)
    login(make_user(Role.STAFF))
    response = client.post(
        f"/staff/firms/{firm.id}/verify", data={"plan": firm.plan_id, "seats": 1}
    )
    assert "The firm already has more members than that." in response.get_data(as_text=True)


def test_staff_change_owners_and_clients_cannot(db, client, login, make_user, make_firm):
    firm, owner = make_firm(members=1)
    member = db.session.scalar(sa.select(User).where(User.firm_role == FirmRole.MEMBER))
    login(owner)
    assert client.get(f"/staff/firms/{firm.id}/verify").status_code in (403, 404)
    login(make_user(Role.STAFF))
    client.post(
        f"/staff/firms/{firm.id}/owners", data={"owner-user": member.id, "owner-role": "owner"}
    )
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_role == FirmRole.OWNER
    assert client.get("/staff/firms/99999/verify").status_code == 404


def test_a_sign_up_from_the_firms_domain_asks_to_join_and_an_owner_approves(
    db, client, login, make_user, make_firm, clock
):
    firm, owner = make_firm(seats=3, email="boss@acme.ro")
    firm.verified_at = now()
    db.session.commit()
    login(owner)
    assert client.post("/team/domain", data={"domain-domain": "acme.ro"}).status_code == 302
    client.post("/logout")
    client.post(
        "/signup",
        data={
            "name": "Radu",
            "email": "radu@acme.ro",
            "firm": "Radu PFA",
            "timezone": "UTC",
            "language": "en",
        },
    )
    body = db.session.scalar(
        sa.select(OutboxMessage.body_text).where(OutboxMessage.recipient == "radu@acme.ro")
    )
    link = re.search(r"http://localhost(/signup/finish/\S+)", body).group(1)
    finished = client.post(link, data={"password": "violet staple orbit canyon"})
    assert finished.headers["Location"] == "/firm/join"  # straight to asking
    assert "Ask to join Acme Accounting?" in client.get("/firm/join").get_data(as_text=True)
    client.post("/firm/join")
    newcomer = db.session.scalar(sa.select(User).where(User.email == "radu@acme.ro"))
    login(owner)
    team = client.get("/team").get_data(as_text=True)
    assert "radu@acme.ro" in team and "Asking to join" in team
    from academy.firms.models import JoinRequest

    request = db.session.scalar(sa.select(JoinRequest))
    client.post(f"/team/requests/{request.id}/approve")
    db.session.expire_all()
    radu = db.session.get(User, newcomer.id)
    assert radu.firm_id == firm.id and radu.firm_role == FirmRole.MEMBER


def test_a_domain_another_firm_uses_is_refused(db, client, login, make_firm):
    first, _owner = make_firm()
    first.email_domain = "acme.ro"
    db.session.commit()
    second, other = make_firm(email="rival@acme.ro")
    second.verified_at = now()
    db.session.commit()
    login(other)
    response = client.post("/team/domain", data={"domain-domain": "acme.ro"})
    assert response.status_code == 422
    assert "Another firm uses this domain." in response.get_data(as_text=True)
