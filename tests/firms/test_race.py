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


# --- Every other change of membership, raced (issue 17) -------------------------------------
# After each race the firm's invariants hold (POLICY R2: seats and channels follow the firm).

POOL = {"pool_size": 10, "max_overflow": 10}
PASSWORD = "race-password-1"


def invariants(db, firm_id: int, *, pending_hold_seats: bool = True) -> None:
    """Members + pending invitations <= seats; an owner while it has members; each invitation
    used at most once, by one member; the history agrees with who is in the firm; one
    invitation email per invitation."""
    from academy.accounts.models import Firm, FirmEvent, FirmEventKind
    from academy.core.clock import now
    from academy.notifications.models import OutboxMessage

    db.session.expire_all()
    seats = db.session.scalar(sa.select(Firm.seats).where(Firm.id == firm_id))
    members = list(db.session.scalars(sa.select(User).where(User.firm_id == firm_id)))
    invitations = list(
        db.session.scalars(sa.select(Invitation).where(Invitation.firm_id == firm_id))
    )
    pending = [i for i in invitations if i.pending(now())]
    assert len(members) <= seats, (len(members), seats)
    if pending_hold_seats:
        assert len(members) + len(pending) <= seats, (len(members), len(pending), seats)
    if members:
        assert any(m.firm_role == FirmRole.OWNER for m in members)
    for invitation in invitations:
        assert not (invitation.used_at and invitation.revoked_at), invitation.id
        if invitation.used_at:
            assert invitation.used_by_id is not None
    used_by = [i.used_by_id for i in invitations if i.used_at]
    assert len(used_by) == len(set(used_by))
    # Each user's events in this firm alternate: in (created/joined), out (left/removed).
    events = db.session.execute(
        sa.select(FirmEvent.user_id, FirmEvent.kind)
        .where(FirmEvent.firm_id == firm_id, FirmEvent.user_id.is_not(None))
        .order_by(FirmEvent.id)
    ).all()
    ins, outs = (
        {FirmEventKind.CREATED, FirmEventKind.JOINED},
        {
            FirmEventKind.LEFT,
            FirmEventKind.REMOVED,
        },
    )
    inside: dict[int, bool] = {}
    for user_id, kind in events:
        if kind in ins:
            assert not inside.get(user_id), f"user {user_id} joined twice"
            inside[user_id] = True
        elif kind in outs:
            assert inside.get(user_id, True), f"user {user_id} left twice"
            inside[user_id] = False
    for user_id, now_in in inside.items():
        assert now_in == (user_id in {m.id for m in members}), user_id
    for invitation in invitations:
        assert (
            db.session.scalar(
                sa.select(sa.func.count(OutboxMessage.id)).where(
                    OutboxMessage.kind == "firm_invitation",
                    OutboxMessage.recipient == invitation.email,
                )
            )
            == 1
        ), invitation.email


def _invite(live_server, cookie: str, email: str) -> None:
    status, _, _ = post(live_server, "/team/invitations", {"invite-emails": email}, cookie)
    assert status == 302, status


def _link(db, email: str) -> str:
    return path(invitation_links(db, email)[-1])


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_the_same_invitation_accepted_twice_at_once_joins_once(
    db, live_server, make_firm, make_user
):
    from academy.accounts.models import FirmEvent, FirmEventKind

    firm, owner = make_firm(seats=3, password=PASSWORD)
    dana = make_user(email="dana@acme.ro", password=PASSWORD)
    _invite(live_server, login_cookie(live_server, owner.email, PASSWORD), "dana@acme.ro")
    link, cookie = _link(db, "dana@acme.ro"), login_cookie(live_server, "dana@acme.ro", PASSWORD)
    results = at_once([lambda: request(live_server, "POST", link, {}, cookie)] * 2)
    # The later one is refused on reading the link (400) or by the compare-and-set (409).
    statuses = sorted(status for status, *_ in results)
    assert statuses in ([302, 400], [302, 409]), statuses
    refusal = next(body for status, _, _, body in results if status != 302)
    assert "This invitation has been used already." in refusal
    db.session.expire_all()
    assert db.session.get(User, dana.id).firm_id == firm.id
    joined = db.session.scalar(
        sa.select(sa.func.count(FirmEvent.id)).where(
            FirmEvent.firm_id == firm.id,
            FirmEvent.user_id == dana.id,
            FirmEvent.kind == FirmEventKind.JOINED,
        )
    )
    assert joined == 1
    invariants(db, firm.id)


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_accepting_while_two_owners_invite_for_the_last_seat_never_exceeds_the_seats(
    db, live_server, make_firm, make_user
):
    """R2: an accepted invitation keeps its seat (pending -> member); the one seat left goes to
    one of the two invitations sent at the same instant."""
    firm, owner = make_firm(seats=4, password=PASSWORD)  # 2 owners, Dana's, one free
    second = make_user(firm=firm, firm_role=FirmRole.OWNER, password=PASSWORD)
    make_user(email="dana@acme.ro", password=PASSWORD)
    owners = [login_cookie(live_server, o.email, PASSWORD) for o in (owner, second)]
    _invite(live_server, owners[0], "dana@acme.ro")
    link, dana = _link(db, "dana@acme.ro"), login_cookie(live_server, "dana@acme.ro", PASSWORD)

    def invite(cookie: str, email: str) -> tuple[int, str, str]:
        return post(live_server, "/team/invitations", {"invite-emails": email}, cookie)

    results = at_once(
        [
            lambda: request(live_server, "POST", link, {}, dana)[:3],
            lambda: invite(owners[0], "ion@acme.ro"),
            lambda: invite(owners[1], "eva@acme.ro"),
        ]
    )
    assert results[0][0] == 302, results  # Dana joins: her seat was hers
    assert sorted(status for status, *_ in results[1:]) == [302, 422], results
    invariants(db, firm.id)
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.firm_id == firm.id)) == 3


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_revoke_and_accept_of_the_same_invitation_at_once_do_one_of_them(
    db, live_server, make_firm, make_user
):
    firm, owner = make_firm(seats=3, password=PASSWORD)
    dana = make_user(email="dana@acme.ro", password=PASSWORD)
    owner_cookie = login_cookie(live_server, owner.email, PASSWORD)
    _invite(live_server, owner_cookie, "dana@acme.ro")
    invitation_id = db.session.scalar(sa.select(Invitation.id))
    link, cookie = _link(db, "dana@acme.ro"), login_cookie(live_server, "dana@acme.ro", PASSWORD)
    accepted, revoked = at_once(
        [
            lambda: request(live_server, "POST", link, {}, cookie)[0],
            lambda: post(
                live_server, f"/team/invitations/{invitation_id}/revoke", {}, owner_cookie
            )[0],
        ]
    )
    assert accepted in (302, 400, 409) and revoked == 302, (accepted, revoked)
    db.session.expire_all()
    invitation = db.session.get(Invitation, invitation_id)
    member = db.session.get(User, dana.id).firm_id == firm.id
    assert (invitation.used_at is not None) != (invitation.revoked_at is not None)
    assert member == (invitation.used_at is not None) == (accepted == 302)
    invariants(db, firm.id)


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_removing_a_member_while_they_leave_records_one_departure(
    db, live_server, make_firm, make_user
):
    from academy.accounts.models import FirmEvent, FirmEventKind

    firm, owner = make_firm(seats=3, password=PASSWORD)
    member = make_user(firm=firm, firm_role=FirmRole.MEMBER, password=PASSWORD)
    owner_cookie = login_cookie(live_server, owner.email, PASSWORD)
    member_cookie = login_cookie(live_server, member.email, PASSWORD)
    results = at_once(
        [
            lambda: post(live_server, f"/team/members/{member.id}/remove", {}, owner_cookie),
            lambda: post(live_server, "/firm/leave", {}, member_cookie),
        ]
    )
    # The owner is told on the team page (or 404: already gone); the member on the profile.
    assert results[0][0] in (302, 404) and results[1][0] in (302, 404), results
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_id is None
    departures = db.session.scalar(
        sa.select(sa.func.count(FirmEvent.id)).where(
            FirmEvent.user_id == member.id,
            FirmEvent.kind.in_([FirmEventKind.LEFT, FirmEventKind.REMOVED]),
        )
    )
    assert departures == 1
    invariants(db, firm.id)


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_the_same_assignment_posted_twice_at_once_queues_each_reminder_once(
    db, live_server, make_firm, make_user, make_course
):
    from datetime import date, timedelta

    from academy.firms.models import Assignment
    from academy.firms.reminders import keys
    from academy.notifications.models import OutboxMessage, OutboxStatus

    firm, owner = make_firm(seats=3, password=PASSWORD)
    member = make_user(firm=firm, firm_role=FirmRole.MEMBER)
    course = make_course()
    db.session.commit()
    cookie = login_cookie(live_server, owner.email, PASSWORD)
    form = {
        "assign-course": str(course.id),
        "assign-members": [str(member.id)],
        "assign-due": (date.today() + timedelta(days=30)).isoformat(),
    }
    results = at_once([lambda: post(live_server, "/team/assignments", form, cookie)] * 2)
    assert [status for status, *_ in results] == [302, 302], results
    db.session.expire_all()
    assignment = db.session.scalar(sa.select(Assignment))
    assert db.session.scalar(sa.select(sa.func.count(Assignment.id))) == 1
    rows = db.session.execute(
        sa.select(OutboxMessage.kind, OutboxMessage.status).where(
            OutboxMessage.kind.in_(["assignment_soon", "assignment_overdue"])
        )
    ).all()
    live = sorted(kind for kind, status in rows if status == OutboxStatus.PENDING)
    assert live == ["assignment_overdue", "assignment_soon"], rows
    assert (
        db.session.scalar(
            sa.select(sa.func.count(OutboxMessage.id)).where(
                OutboxMessage.dedupe_key.in_(keys(assignment.id))
            )
        )
        == 2
    )
    invariants(db, firm.id)


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_approve_and_decline_of_the_same_join_request_at_once_decide_once(
    db, live_server, make_firm, make_user
):
    from academy.accounts.models import FirmEvent, FirmEventKind
    from academy.firms.models import JoinRequest

    firm, owner = make_firm(seats=3, password=PASSWORD)
    second = make_user(firm=firm, firm_role=FirmRole.OWNER, password=PASSWORD)
    asker = make_user(email="dana@acme.ro")
    join = JoinRequest(firm_id=firm.id, user_id=asker.id)
    db.session.add(join)
    db.session.commit()
    cookies = [login_cookie(live_server, o.email, PASSWORD) for o in (owner, second)]
    results = at_once(
        [
            lambda: post(live_server, f"/team/requests/{join.id}/approve", {}, cookies[0]),
            lambda: post(live_server, f"/team/requests/{join.id}/decline", {}, cookies[1]),
        ]
    )
    assert all(status == 302 for status, *_ in results), results
    db.session.expire_all()
    decided = db.session.get(JoinRequest, join.id)
    assert decided.decided_at is not None and decided.approved is not None
    in_firm = db.session.get(User, asker.id).firm_id == firm.id
    assert in_firm == decided.approved
    joined = db.session.scalar(
        sa.select(sa.func.count(FirmEvent.id)).where(
            FirmEvent.user_id == asker.id, FirmEvent.kind == FirmEventKind.JOINED
        )
    )
    assert joined == (1 if decided.approved else 0)
    invariants(db, firm.id)


@pytest.mark.app_config(SQLALCHEMY_ENGINE_OPTIONS=POOL)
def test_staff_lowering_the_seats_while_two_accept_never_leaves_more_members_than_seats(
    db, live_server, make_firm, make_user
):
    """R2: staff set the seats from the subscription while two invitees accept at once; the
    firm never ends with more members than seats (verify counts under the firm's lock)."""
    from academy.accounts.models import Role

    firm, owner = make_firm(seats=3, password=PASSWORD)
    staff = make_user(Role.STAFF, password=PASSWORD)
    owner_cookie = login_cookie(live_server, owner.email, PASSWORD)
    invitees = []
    for email in ("dana@acme.ro", "ion@acme.ro"):
        make_user(email=email, password=PASSWORD)
        _invite(live_server, owner_cookie, email)
        invitees.append((_link(db, email), login_cookie(live_server, email, PASSWORD)))
    staff_cookie = login_cookie(live_server, staff.email, PASSWORD)
    form = {"plan": str(firm.plan_id), "seats": "2"}
    results = at_once(
        [lambda: post(live_server, f"/staff/firms/{firm.id}/verify", form, staff_cookie)[0]]
        + [lambda lk=lk, c=c: request(live_server, "POST", lk, {}, c)[0] for lk, c in invitees]
    )
    # Verified (302) or refused for having more members already (200, the form again);
    # an invitee joins (302) or finds the firm full (409).
    assert results[0] in (200, 302) and all(s in (302, 409) for s in results[1:]), results
    # Staff lowered the seats below what the invitations held: only members are bounded.
    invariants(db, firm.id, pending_hold_seats=False)
