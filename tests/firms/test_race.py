"""Owners inviting for the last seat at the same instant: one wins (ARCHITECTURE 5, issue 17).

Real concurrent HTTP requests against the app served on loopback; the database settles it
(the firm's row is locked before the seats are counted), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from academy.accounts.models import FirmRole, User
from academy.firms.models import Invitation
from tests.firms.conftest import invitation_links, path
from tests.live import at_once, login_cookie, post, request

OWNERS = 6


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 10})
def test_owners_inviting_for_the_last_seat_at_once_one_wins(db, live_server, make_firm, make_user):
    firm, first = make_firm(seats=OWNERS + 1, password="race-password-1")
    owners = [first] + [
        make_user(firm=firm, firm_role=FirmRole.OWNER, password="race-password-1")
        for _ in range(OWNERS - 1)
    ]
    cookies = [login_cookie(live_server, o.email, "race-password-1") for o in owners]
    results = at_once(
        [
            lambda i=i, c=c: post(
                live_server, "/team/invitations", {"invite-emails": f"new{i}@acme.ro"}, c
            )
            for i, c in enumerate(cookies)
        ]
    )
    statuses = sorted(status for status, _, _ in results)
    assert statuses == [302] + [422] * (OWNERS - 1)  # one invitation sent, the rest refused
    assert db.session.scalar(sa.select(sa.func.count(Invitation.id))) == 1


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 10})
@pytest.mark.parametrize("action", ["demote", "remove"])
def test_two_owners_demoting_or_removing_each_other_at_once_leave_one_owner(
    db, live_server, make_firm, make_user, action
):
    firm, first = make_firm(seats=5, password="race-password-1")
    second = make_user(firm=firm, firm_role=FirmRole.OWNER, password="race-password-1")
    make_user(firm=firm, firm_role=FirmRole.MEMBER)
    pairs = [(first, second), (second, first)]
    cookies = [login_cookie(live_server, by.email, "race-password-1") for by, _ in pairs]

    def call(cookie, target):
        if action == "demote":
            return post(live_server, f"/team/members/{target.id}/owner", {"owner": "0"}, cookie)
        return post(live_server, f"/team/members/{target.id}/remove", {}, cookie)

    results = at_once(
        [lambda c=c, t=t: call(c, t) for c, (_, t) in zip(cookies, pairs, strict=True)]
    )
    # Each is told on the team page; one already removed finds the other "not found".
    assert all(status in (302, 404) for status, _, _ in results), results
    db.session.expire_all()
    owners = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.firm_id == firm.id, User.firm_role == FirmRole.OWNER
        )
    )
    assert owners == 1


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 10})
def test_the_invitation_sign_up_posted_twice_at_once_makes_one_account_never_a_500(
    db, live_server, make_firm
):
    firm, owner = make_firm(seats=5, password="race-password-1")
    cookie = login_cookie(live_server, owner.email, "race-password-1")
    assert (
        post(live_server, "/team/invitations", {"invite-emails": "dana@acme.ro"}, cookie)[0] == 302
    )
    link = path(invitation_links(db, "dana@acme.ro")[0])
    form = {
        "name": "Dana Pop",
        "password": "violet staple orbit canyon",
        "timezone": "UTC",
        "language": "en",
    }
    results = at_once([lambda: request(live_server, "POST", link, form)] * 2)
    statuses = sorted(status for status, _, _, _ in results)
    assert statuses == [302, 400], statuses
    refusal = next(body for status, _, _, body in results if status == 400)
    assert (
        "An account with this email already exists: log in to accept." in refusal
        or "This invitation has been used already." in refusal
    )
    assert (
        db.session.scalar(sa.select(sa.func.count(User.id)).where(User.email == "dana@acme.ro"))
        == 1
    )
    assert db.session.scalar(sa.select(User.firm_id).where(User.email == "dana@acme.ro")) == firm.id
