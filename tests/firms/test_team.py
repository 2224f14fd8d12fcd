"""The team page: members, removing, transferring, leaving; channels follow the firm (R2)."""

from __future__ import annotations

import sqlalchemy as sa

from academy.accounts.models import Firm, FirmEvent, FirmRole, User
from academy.accounts.services import sign_up
from academy.courses.models import Certificate


def _member(db, firm):
    return db.session.scalar(
        sa.select(User).where(User.firm_id == firm.id, User.firm_role == FirmRole.MEMBER)
    )


def test_signing_up_makes_an_unverified_firm_on_the_default_plan_with_its_owner(app, db):
    user = sign_up(
        name="Ioana",
        email="ioana@new.ro",
        password="violet staple orbit canyon",
        timezone="UTC",
        language="en",
        firm_name="New Firm SRL",
    )
    firm = db.session.get(Firm, user.firm_id)
    assert firm.verified_at is None and firm.seats == 1
    assert firm.plan.is_default
    assert user.firm_role == FirmRole.OWNER
    event = db.session.scalar(sa.select(FirmEvent).where(FirmEvent.firm_id == firm.id))
    assert (event.kind, event.user_id, event.by_user_id) == ("created", user.id, user.id)


def test_the_team_page_lists_members_with_their_learning(db, client, login, make_firm, clock):
    firm, owner = make_firm(members=2)
    login(owner)
    page = client.get("/team").get_data(as_text=True)
    for user in db.session.scalars(sa.select(User).where(User.firm_id == firm.id)):
        assert user.name in page
    assert "Courses in progress" in page and "Upcoming workshops and sessions" in page
    assert "3 members, 0 pending invitations, 2 seats left." in page


def test_removing_a_member_asks_first_records_who_and_keeps_their_history(
    db, client, login, make_firm, make_course, clock
):
    firm, owner = make_firm(members=1)
    member = _member(db, firm)
    course = make_course(quiz=False)
    db.session.add(
        Certificate(
            code="C1", user_id=member.id, course_id=course.id, name="x", course_title="y", score=90
        )
    )
    db.session.commit()
    login(owner)
    confirm = client.get(f"/team/members/{member.id}/remove").get_data(as_text=True)
    assert "stay in their own account" in confirm
    assert db.session.get(User, member.id).firm_id == firm.id  # GET changes nothing
    response = client.post(f"/team/members/{member.id}/remove", follow_redirects=True)
    assert "is no longer in the firm." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_id is None
    event = db.session.scalar(sa.select(FirmEvent).where(FirmEvent.kind == "removed"))
    assert (event.user_id, event.by_user_id, event.firm_id) == (member.id, owner.id, firm.id)
    assert db.session.scalar(sa.select(Certificate.user_id)) == member.id


def test_a_member_removed_mid_session_loses_the_firms_channels_on_the_next_request(
    db, client, login, make_firm
):
    """POLICY R2: channels follow the firm; the very next request sees the change."""
    firm, owner = make_firm(members=1)
    member = _member(db, firm)
    login(member)
    before = client.get("/").get_data(as_text=True)
    assert before.count("channel--on") > 4
    from academy.firms import services

    services.remove_member(owner, member.id)
    after = client.get("/").get_data(as_text=True)
    assert after.count("channel--on") < before.count("channel--on")
    assert "Live workshops" in after


def test_another_firms_member_and_bad_ids_are_404(db, client, login, make_firm):
    firm, _owner = make_firm(members=1)
    member = _member(db, firm)
    _other, other_owner = make_firm()
    login(other_owner)
    assert client.get(f"/team/members/{member.id}/remove").status_code == 404
    assert client.post(f"/team/members/{member.id}/remove").status_code == 404
    assert client.post(f"/team/members/{member.id}/transfer").status_code == 404
    assert client.get("/team/members/99999/remove").status_code == 404
    assert db.session.get(User, member.id).firm_id == firm.id


def test_transferring_ownership_swaps_the_roles(db, client, login, make_firm):
    firm, owner = make_firm(members=1)
    member = _member(db, firm)
    login(owner)
    assert "Transfer ownership" in client.get(f"/team/members/{member.id}/transfer").text
    client.post(f"/team/members/{member.id}/transfer")
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_role == FirmRole.OWNER
    assert db.session.get(User, owner.id).firm_role == FirmRole.MEMBER
    assert client.get("/team").status_code == 404


def test_the_only_owner_cannot_leave_a_firm_with_members_but_a_member_can(
    db, client, login, make_firm
):
    firm, owner = make_firm(members=1)
    member = _member(db, firm)
    login(owner)
    response = client.post("/firm/leave", follow_redirects=True)
    assert "You are the only owner" in response.get_data(as_text=True)
    assert db.session.get(User, owner.id).firm_id == firm.id
    login(member)
    assert "Leave Acme Accounting?" in client.get("/firm/leave").text
    client.post("/firm/leave")
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_id is None
    assert (
        db.session.scalar(sa.select(FirmEvent.kind).where(FirmEvent.user_id == member.id)) == "left"
    )


def test_a_firm_keeps_at_least_one_owner(db, client, login, make_firm):
    firm, owner = make_firm(members=1)
    member = _member(db, firm)
    login(owner)
    client.post(f"/team/members/{member.id}/owner", data={"owner": "1"})
    assert db.session.get(User, member.id).firm_role == FirmRole.OWNER
    client.post(f"/team/members/{member.id}/owner", data={"owner": "0"})
    db.session.expire_all()
    assert db.session.get(User, member.id).firm_role == FirmRole.MEMBER


def test_r15_the_owner_sees_a_fee_the_firm_owes_and_upcoming_sessions(
    app, db, client, login, make_firm, make_host, book, clock
):
    """POLICY R15: under a fee plan a second no-show within the window makes the next session
    carry a fee, owed by the firm: the owner sees it. Under a cooldown plan it is not shown."""
    from datetime import UTC, datetime

    from academy.scheduling.attendance import record_no_show
    from academy.scheduling.models import NoShowSource, Offering
    from tests.fixtures.app import request_context

    firm, owner = make_firm(members=1, plan="pro")  # pro: a fee (migration 0012)
    member = _member(db, firm)
    host = make_host()
    starts = [datetime(2026, 11, 26, 10, tzinfo=UTC), datetime(2026, 11, 27, 10, tzinfo=UTC)]
    bookings = [book(member, host, start) for start in starts]
    login(owner)
    page = client.get("/team").get_data(as_text=True)
    title = db.session.scalar(sa.select(Offering.title).where(Offering.slug == "quick-assist"))
    members_table = page[page.index('id="members"') : page.index('id="invitations"')]
    assert members_table.count(title) == 2  # the member's two upcoming sessions
    assert "owed by the firm" not in page
    clock.freeze(datetime(2026, 11, 28, 10, tzinfo=UTC))
    with request_context(app):
        for b, start in zip(bookings, starts, strict=True):
            record_no_show(b, NoShowSource.ABSENT, start, host)
        db.session.commit()
    page = client.get("/team").get_data(as_text=True)
    assert "the next session carries a fee, owed by the firm (R15)" in page
    from academy.accounts.models import Plan

    firm.plan = db.session.scalar(sa.select(Plan).where(Plan.code == "business"))  # cooldown
    db.session.commit()
    assert "owed by the firm" not in client.get("/team").get_data(as_text=True)
