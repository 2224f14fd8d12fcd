"""Owners inviting for the last seat at the same instant: one wins (ARCHITECTURE 5, issue 17).

Real concurrent HTTP requests against the app served on loopback; the database settles it
(the firm's row is locked before the seats are counted), on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from academy.accounts.models import FirmRole
from academy.firms.models import Invitation
from tests.live import at_once, login_cookie, post

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
