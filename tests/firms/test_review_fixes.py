"""Review findings of issue 17: a firm never stays without an owner, domains, resends,
join requests, the staff pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm, FirmRole, Role, User
from academy.core.clock import now
from academy.firms.models import Invitation, JoinRequest
from tests.firms.conftest import invitation_links, path

PASSWORD = "violet staple orbit canyon"


def _invite(client, emails):
    return client.post("/team/invitations", data={"invite-emails": emails})


def _sign_up_through(client, link):
    return client.post(
        link,
        data={"name": "Dana Pop", "password": PASSWORD, "timezone": "UTC", "language": "en"},
    )


# --- 1. A firm never stays without an owner -----------------------------------------------


def test_the_last_member_leaving_withdraws_the_firms_pending_invitations_and_requests(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=3)
    asker = make_user()
    db.session.add(JoinRequest(firm_id=firm.id, user_id=asker.id))
    db.session.commit()
    login(owner)
    _invite(client, "dana@acme.ro")
    link = path(invitation_links(db, "dana@acme.ro")[0])
    client.post("/firm/leave")
    client.post("/logout")
    response = client.get(link)
    assert response.status_code == 400
    assert "This invitation has been withdrawn by the firm." in response.get_data(as_text=True)
    assert _sign_up_through(client, link).status_code == 400
    assert db.session.scalar(sa.select(User.id).where(User.email == "dana@acme.ro")) is None
    request = db.session.scalar(sa.select(JoinRequest))
    assert request.decided_at is not None and request.approved is False


def test_whoever_joins_a_firm_without_an_owner_becomes_its_owner(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=3)
    login(owner)
    _invite(client, "dana@acme.ro")
    link = path(invitation_links(db, "dana@acme.ro")[0])
    # A firm left ownerless before this rule (a member, no owner), its invitation still out.
    stay = make_user(firm=firm, firm_role=FirmRole.MEMBER)
    db.session.get(User, owner.id).firm_id = None
    db.session.get(User, owner.id).firm_role = None
    db.session.commit()
    client.post("/logout")
    assert _sign_up_through(client, link).status_code == 302
    dana = db.session.scalar(sa.select(User).where(User.email == "dana@acme.ro"))
    assert dana.firm_id == firm.id and dana.firm_role == FirmRole.OWNER
    assert client.get("/team").status_code == 200  # she can run the team
    assert db.session.get(User, stay.id).firm_role == FirmRole.MEMBER


def test_an_admin_cannot_make_the_only_owner_of_a_team_staff(
    db, client, login, make_firm, make_user
):
    firm, owner = make_firm(members=1)
    login(make_user(Role.ADMIN))
    response = client.post(
        f"/staff/users/{owner.id}/role",
        data={f"u{owner.id}-role": "staff"},
        follow_redirects=True,
    )
    assert "is the only owner of a firm with other members" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == Role.CLIENT
    # Once another member is an owner, the change is made.
    member = db.session.scalar(sa.select(User).where(User.firm_role == FirmRole.MEMBER))
    member.firm_role = FirmRole.OWNER
    db.session.commit()
    client.post(f"/staff/users/{owner.id}/role", data={f"u{owner.id}-role": "staff"})
    db.session.expire_all()
    assert db.session.get(User, owner.id).role == Role.STAFF
    assert db.session.get(Firm, firm.id) is not None


# --- 3. Which email domain a firm may claim -----------------------------------------------


def _claim(client, domain):
    response = client.post("/team/domain", data={"domain-domain": domain})
    return response.status_code, response.get_data(as_text=True)


def test_an_owner_claims_only_their_own_domain_for_a_verified_firm_never_a_public_one(
    db, client, login, make_firm, clock
):
    firm, owner = make_firm(email="boss@acme.ro")
    login(owner)
    status, page = _claim(client, "acme.ro")
    assert status == 422
    assert "Your firm can use an email domain once we have verified it." in page
    firm.verified_at = now()
    db.session.commit()
    status, page = _claim(client, "rival.ro")
    assert status == 422 and "Use the domain of your own email address: acme.ro." in page
    assert 'value="rival.ro"' in page  # the input is shown again beside its error
    assert _claim(client, "acme.ro")[0] == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).email_domain == "acme.ro"


def test_a_public_mail_domain_is_refused_even_for_its_own_owner(
    db, client, login, make_firm, clock
):
    firm, owner = make_firm(email="boss@gmail.com")
    firm.verified_at = now()
    db.session.commit()
    login(owner)
    status, page = _claim(client, "Gmail.com")
    assert status == 422
    assert "gmail.com is a public mail domain: anyone can have an address there." in page
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).email_domain is None


# --- 4 and 6. Resending -------------------------------------------------------------------


def test_resending_an_expired_invitation_to_a_full_firm_is_refused(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=2)
    login(owner)
    _invite(client, "eva@acme.ro")
    expired = db.session.scalar(sa.select(Invitation))
    clock.advance(timedelta(days=30))  # expired: its seat is free again
    make_user(firm=firm, firm_role=FirmRole.MEMBER)  # and taken
    response = client.post(f"/team/invitations/{expired.id}/resend", follow_redirects=True)
    assert "Your firm has no free seat left for this invitation." in response.get_data(as_text=True)
    assert len(invitation_links(db, "eva@acme.ro")) == 1  # no new email
    db.session.expire_all()
    assert db.session.get(Invitation, expired.id).expires_at <= now()


def test_an_invitation_is_not_resent_within_ten_minutes_of_its_last_email(
    db, client, login, make_firm, clock
):
    _firm, owner = make_firm()
    login(owner)
    _invite(client, "eva@acme.ro")
    invitation = db.session.scalar(sa.select(Invitation))
    clock.advance(timedelta(minutes=3))
    response = client.post(f"/team/invitations/{invitation.id}/resend", follow_redirects=True)
    assert (
        "This invitation was sent 3 minutes ago: you can send it again in 7 minutes."
        in response.get_data(as_text=True)
    )
    assert len(invitation_links(db, "eva@acme.ro")) == 1
    clock.advance(timedelta(minutes=7))
    client.post(f"/team/invitations/{invitation.id}/resend")
    assert len(invitation_links(db, "eva@acme.ro")) == 2


@pytest.mark.app_config(RATELIMIT_ENABLED=True, FIRM_INVITE_RATE_LIMIT="3 per minute")
def test_invitation_emails_are_rate_limited_per_owner_across_invite_and_resend(
    db, client, login, make_firm, clock
):
    _firm, owner = make_firm(seats=10)
    login(owner)
    codes = [_invite(client, f"p{i}@acme.ro").status_code for i in range(2)]
    first = db.session.scalar(sa.select(Invitation).order_by(Invitation.id))
    clock.advance(timedelta(minutes=11))
    codes.append(client.post(f"/team/invitations/{first.id}/resend").status_code)
    codes.append(_invite(client, "p9@acme.ro").status_code)
    assert codes == [302, 302, 302, 429]
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 2


# --- 5. Join requests of someone already in ------------------------------------------------


def test_approving_an_old_request_of_someone_already_in_the_firm_keeps_their_role(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=5)
    partner = make_user(firm=firm, firm_role=FirmRole.OWNER)  # joined since by invitation
    db.session.add(JoinRequest(firm_id=firm.id, user_id=partner.id))
    db.session.commit()
    request = db.session.scalar(sa.select(JoinRequest))
    login(owner)
    assert client.post(f"/team/requests/{request.id}/approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(User, partner.id).firm_role == FirmRole.OWNER
    assert db.session.get(JoinRequest, request.id).decided_at is not None
    assert "Asking to join" not in client.get("/team").get_data(as_text=True)


def test_accepting_an_invitation_closes_ones_open_requests_to_join(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=5)
    other, _other_owner = make_firm(seats=5)
    eva = make_user(email="eva@acme.ro", password=PASSWORD)
    db.session.add_all(
        [
            JoinRequest(firm_id=firm.id, user_id=eva.id),
            JoinRequest(firm_id=other.id, user_id=eva.id),
        ]
    )
    db.session.commit()
    login(owner)
    _invite(client, "eva@acme.ro")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    login(eva)
    assert client.post(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, eva.id).firm_id == firm.id
    assert (
        db.session.scalar(
            sa.select(sa.func.count(JoinRequest.id)).where(JoinRequest.decided_at.is_(None))
        )
        == 0
    )


# --- 7. Asking again after a decline -------------------------------------------------------


def test_a_declined_request_to_join_can_be_made_again(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm(seats=5)
    firm.email_domain = "acme.ro"
    radu = make_user(email="radu@acme.ro")
    db.session.add(
        JoinRequest(
            firm_id=firm.id,
            user_id=radu.id,
            created_at=now() - timedelta(days=40),
            decided_at=now() - timedelta(days=39),
            decided_by_id=owner.id,
            approved=False,
        )
    )
    db.session.commit()
    login(radu)
    client.post("/firm/join")
    request = db.session.scalar(sa.select(JoinRequest))
    db.session.refresh(request)
    assert request.decided_at is None and request.approved is None
    assert request.created_at == now()
    login(owner)
    team = client.get("/team").get_data(as_text=True)
    assert "radu@acme.ro" in team and "Asking to join" in team


# --- 9. The staff queue and the demo -------------------------------------------------------


def test_an_emptied_firm_is_not_in_the_staff_queue(db, client, login, make_firm, make_user, clock):
    firm, owner = make_firm()
    waiting, _owner = make_firm()
    waiting.name = "Waiting SRL"
    db.session.commit()
    login(owner)
    client.post("/firm/leave")  # its only member: the firm is empty
    login(make_user(Role.STAFF))
    queue = client.get("/staff/firms/unverified").get_data(as_text=True)
    assert f"/staff/firms/{waiting.id}/verify" in queue
    assert f"/staff/firms/{firm.id}/verify" not in queue


def test_the_demo_seed_gives_contabil_expert_an_owner_and_verifies_it(db, clock):
    from academy.demo import seed
    from academy.workshops.demo import OTHER_FIRM

    seed()
    firm = db.session.scalar(sa.select(Firm).where(Firm.name == OTHER_FIRM))
    assert firm.verified_at is not None
    roles = list(db.session.scalars(sa.select(User.firm_role).where(User.firm_id == firm.id)))
    assert roles.count(FirmRole.OWNER) == 1 and None not in roles


# --- 10. The older staff "edit firm" page ---------------------------------------------------


def test_the_staff_edit_page_refuses_fewer_seats_than_members_and_verifies_the_firm(
    db, client, login, make_firm, make_user, clock
):
    firm, _owner = make_firm(seats=5, members=2)
    login(make_user(Role.STAFF))
    bad = client.post(f"/staff/firms/{firm.id}", data={"plan": firm.plan_id, "seats": "2"})
    assert bad.status_code == 422
    assert 'id="seats-error"' in bad.text
    assert "The firm already has more members than that." in bad.text and 'value="2"' in bad.text
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).seats == 5
    ok = client.post(f"/staff/firms/{firm.id}", data={"plan": firm.plan_id, "seats": "3"})
    assert ok.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Firm, firm.id)
    assert saved.seats == 3 and saved.verified_at == now()
    queue = client.get("/staff/firms/unverified").get_data(as_text=True)
    assert f"/staff/firms/{firm.id}/verify" not in queue
