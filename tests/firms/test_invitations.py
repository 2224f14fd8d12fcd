"""Invitations: several at once, seats, signed expiring single-use links (issue 17)."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from academy.accounts.models import FirmEvent, FirmRole, User
from academy.firms.models import Invitation
from tests.firms.conftest import invitation_links, path


def _invite(client, emails):
    return client.post("/team/invitations", data={"invite-emails": emails})


def test_an_owner_invites_several_colleagues_at_once_and_sees_seats_left(
    db, client, login, make_firm, clock
):
    _firm, owner = make_firm(seats=4)
    login(owner)
    response = _invite(client, "ana@acme.ro, bogdan@acme.ro\ncarmen@acme.ro")
    assert response.status_code == 302
    page = client.get("/team").get_data(as_text=True)
    assert "ana@acme.ro" in page and "carmen@acme.ro" in page
    assert "1 members, 3 pending invitations, 0 seats left." in page
    assert len(invitation_links(db, "bogdan@acme.ro")) == 1


def test_more_addresses_than_seats_are_refused_beside_the_field_and_kept(
    db, client, login, make_firm
):
    _firm, owner = make_firm(seats=2)
    login(owner)
    response = _invite(client, "ana@acme.ro bogdan@acme.ro")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Your firm has 1 seats left of 2; you invited 2." in page
    assert "ana@acme.ro bogdan@acme.ro</textarea>" in page  # the input is shown again
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0


def test_a_newcomer_signs_up_through_the_link_and_joins(db, client, login, make_firm, clock):
    firm, owner = make_firm(seats=3)
    login(owner)
    _invite(client, "dana@acme.ro")
    client.post("/logout")
    link = path(invitation_links(db, "dana@acme.ro")[0])
    page = client.get(link).get_data(as_text=True)
    assert "Join Acme Accounting" in page and "dana@acme.ro" in page
    response = client.post(
        link,
        data={
            "name": "Dana Pop",
            "password": "violet staple orbit canyon",
            "timezone": "Europe/Bucharest",
            "language": "ro",
        },
    )
    assert response.status_code == 302
    dana = db.session.scalar(sa.select(User).where(User.email == "dana@acme.ro"))
    assert dana.firm_id == firm.id and dana.firm_role == FirmRole.MEMBER
    kinds = list(db.session.scalars(sa.select(FirmEvent.kind).where(FirmEvent.user_id == dana.id)))
    assert kinds == ["joined"]
    # Reused: the same link again is refused with a message.
    client.post("/logout")
    again = client.get(link)
    assert again.status_code == 400
    # In Romanian: the language Dana chose stays with this browser.
    assert "Această invitație a fost deja folosită." in again.get_data(as_text=True)


def test_the_sign_up_form_posted_after_the_account_exists_is_refused_with_why(
    db, client, login, make_firm, make_user
):
    """The second request of a double click that reads after the first one committed: the
    account exists now, so the form is refused with the reason (400), nothing is made."""
    _firm, owner = make_firm(seats=3)
    login(owner)
    _invite(client, "dana@acme.ro")
    client.post("/logout")
    link = path(invitation_links(db, "dana@acme.ro")[0])
    make_user(email="dana@acme.ro", firm=None)
    form = {"name": "Dana Pop", "password": "violet staple orbit canyon", "timezone": "UTC"}
    response = client.post(link, data={**form, "language": "en"})
    assert response.status_code == 400
    assert "An account with this email already exists: log in to accept." in response.get_data(
        as_text=True
    )
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "dana@acme.ro"))
        == 1
    )
    # Opened rather than posted, the link still says to log in first.
    assert client.get(link).status_code == 200


def test_a_tampered_link_is_refused(db, client, login, make_firm):
    _firm, owner = make_firm()
    login(owner)
    _invite(client, "eva@acme.ro")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    tampered = link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB")
    response = client.get(tampered)
    assert response.status_code == 400
    assert "This invitation link is not valid." in response.get_data(as_text=True)


def test_an_expired_link_is_refused(db, client, login, make_firm, clock):
    _firm, owner = make_firm()
    login(owner)
    _invite(client, "eva@acme.ro")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    clock.advance(timedelta(days=7, seconds=1))
    response = client.get(link)
    assert response.status_code == 400
    assert "This invitation has expired." in response.get_data(as_text=True)


def test_a_revoked_invitation_frees_its_seat_and_its_link_is_refused(
    db, client, login, make_firm, clock
):
    _firm, owner = make_firm(seats=2)
    login(owner)
    _invite(client, "eva@acme.ro")
    invitation = db.session.scalar(sa.select(Invitation))
    confirm = client.get(f"/team/invitations/{invitation.id}/revoke").get_data(as_text=True)
    assert "Revoke the invitation?" in confirm
    client.post(f"/team/invitations/{invitation.id}/revoke")
    assert "0 pending invitations, 1 seats left." in client.get("/team").get_data(as_text=True)
    client.post("/logout")
    response = client.get(path(invitation_links(db, "eva@acme.ro")[0]))
    assert "This invitation has been withdrawn by the firm." in response.get_data(as_text=True)


def test_a_full_firm_refuses_the_link(db, client, login, make_firm, make_user, clock):
    """Staff lowered the seats after the invitation was sent: joining would exceed them."""
    firm, owner = make_firm(seats=2)
    login(owner)
    _invite(client, "eva@acme.ro")
    firm.seats = 1
    db.session.commit()
    client.post("/logout")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    response = client.post(
        link,
        data={
            "name": "Eva",
            "password": "violet staple orbit canyon",
            "timezone": "UTC",
            "language": "en",
        },
    )
    assert response.status_code == 400
    assert "Acme Accounting has no free seat left" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "eva@acme.ro")) is None


def test_resend_sends_a_new_link(db, client, login, make_firm, clock):
    _firm, owner = make_firm()
    login(owner)
    _invite(client, "eva@acme.ro")
    invitation = db.session.scalar(sa.select(Invitation))
    clock.advance(timedelta(days=6))
    client.post(f"/team/invitations/{invitation.id}/resend")
    links = invitation_links(db, "eva@acme.ro")
    assert len(links) == 2
    client.post("/logout")
    clock.advance(timedelta(days=2))  # the first would have expired; the resent one works
    assert client.get(path(links[1])).status_code == 200
    refused = client.get(path(links[0]))  # and the first link no longer does
    assert refused.status_code == 400


def test_someone_in_another_firm_confirms_the_move_and_is_told_what_moves(
    db, client, login, make_firm, make_user, clock
):
    firm, owner = make_firm()
    other = make_user(email="eva@acme.ro", firm_role=FirmRole.OWNER)
    old_firm_id = other.firm_id
    login(owner)
    _invite(client, "eva@acme.ro")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    login(other)
    page = client.get(link).get_data(as_text=True)
    assert "your courses, certificates, bookings and their history move with you" in page
    assert "Move to Acme Accounting" in page
    assert db.session.get(User, other.id).firm_id == old_firm_id  # GET changes nothing
    assert client.post(link).status_code == 302
    db.session.expire_all()
    assert db.session.get(User, other.id).firm_id == firm.id
    left = db.session.scalar(
        sa.select(FirmEvent).where(FirmEvent.firm_id == old_firm_id, FirmEvent.kind == "left")
    )
    assert left is not None and left.user_id == other.id


def test_the_link_for_someone_else_is_not_accepted(db, client, login, make_firm, make_user):
    _firm, owner = make_firm()
    login(owner)
    _invite(client, "eva@acme.ro")
    link = path(invitation_links(db, "eva@acme.ro")[0])
    login(make_user())
    response = client.post(link)
    assert response.status_code == 403
    assert db.session.scalar(sa.select(Invitation.used_at)) is None


def test_a_member_cannot_open_the_team_page_nor_another_firms_invitation(
    db, client, login, make_firm, make_user
):
    _firm, owner = make_firm(members=1)
    member = db.session.scalar(sa.select(User).where(User.firm_role == FirmRole.MEMBER))
    login(owner)
    _invite(client, "eva@acme.ro")
    invitation = db.session.scalar(sa.select(Invitation))
    login(member)
    assert client.get("/team").status_code == 404
    _other_firm, other_owner = make_firm()
    login(other_owner)
    assert client.get(f"/team/invitations/{invitation.id}/revoke").status_code == 404
    assert client.post(f"/team/invitations/{invitation.id}/resend").status_code == 404
    assert client.get("/team/invitations/999999/revoke").status_code == 404


def test_bad_addresses_and_staff_accounts_are_refused_beside_the_field(
    db, client, login, make_firm, make_user
):
    _firm, owner = make_firm()
    staff = make_user("staff")
    login(owner)
    page = _invite(client, "ana@acme.ro not-an-address").get_data(as_text=True)
    assert "not-an-address is not an email address." in page
    page = _invite(client, staff.email).get_data(as_text=True)
    assert f"Staff accounts cannot join a client firm: {staff.email}." in page
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 0
