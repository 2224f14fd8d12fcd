"""Roles at the edge; staff pages for users, firms and the plan table (POLICY R2)."""

import pytest
import sqlalchemy as sa

from academy.accounts.models import Firm, PlanChannel, Role, User

STAFF_PAGES = ["/staff/users", "/staff/firms", "/staff/plans"]


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_clients_get_403_and_visitors_are_sent_to_login(client, login, make_user, url):
    assert client.get(url).status_code == 302
    login(make_user())
    r = client.get(url)
    assert r.status_code == 403 and "You do not have access" in r.text


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_see_staff_pages_and_menu(client, login, make_user, url):
    login(make_user(Role.STAFF))
    r = client.get(url)
    assert r.status_code == 200
    assert ">Staff</summary>" in r.text


def test_only_admins_change_roles(client, db, login, make_user):
    target = make_user()
    login(make_user(Role.STAFF))
    r = client.post(f"/staff/users/{target.id}/role", data={f"u{target.id}-role": "staff"})
    assert r.status_code == 403
    login(make_user(Role.ADMIN))
    r = client.post(
        f"/staff/users/{target.id}/role",
        data={f"u{target.id}-role": "staff"},
        follow_redirects=True,
    )
    assert "has been changed" in r.text
    db.session.expire_all()
    assert db.session.get(User, target.id).role == Role.STAFF


def test_admin_cannot_demote_themselves(client, db, login, make_user):
    admin = login(make_user(Role.ADMIN))
    r = client.post(
        f"/staff/users/{admin.id}/role", data={f"u{admin.id}-role": "client"}, follow_redirects=True
    )
    assert "cannot remove your own admin role" in r.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == Role.ADMIN


def test_role_change_for_unknown_user_is_404(client, login, make_user):
    login(make_user(Role.ADMIN))
    assert client.post("/staff/users/999999/role", data={}).status_code == 404


def test_users_list_search_and_pagination(app, client, login, make_user):
    app.config["PER_PAGE"] = 5
    login(make_user(Role.STAFF, name="Zed Staff"))
    for i in range(7):
        make_user(name=f"Client {i:02d}")
    make_user(name="Unique Person")
    first = client.get("/staff/users").text
    assert "Page 1" in first and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/staff/users?page=2").text
    assert "Page 2" in second and 'rel="prev"' in second and 'rel="next"' not in second
    found = client.get("/staff/users?q=unique").text
    assert "Unique Person" in found and "Client 01" not in found
    assert "No users match" in client.get("/staff/users?q=nobody-at-all").text
    assert client.get("/staff/users?page=9").status_code == 404


def test_staff_edit_a_firms_plan_and_seats(client, db, login, make_user):
    firm_id = make_user(plan="starter", seats=1).firm_id
    login(make_user(Role.STAFF))
    r = client.post(f"/staff/firms/{firm_id}", data={"plan": 2, "seats": "4"})
    assert r.status_code == 302
    firm = db.session.get(Firm, firm_id)
    assert (firm.plan_id, firm.seats) == (2, 4)
    bad = client.post(f"/staff/firms/{firm_id}", data={"plan": 2, "seats": "0"})
    assert bad.status_code == 200 and 'id="seats-error"' in bad.text and 'value="0"' in bad.text
    assert client.get("/staff/firms/424242").status_code == 404


def test_plan_table_edit_changes_what_clients_get(client, db, login, make_user):
    """POLICY R2: staff edit the plan table; the client's channel check follows it."""
    member = make_user(plan="starter", seats=1)
    login(member)
    assert "Live online workshops" in client.get("/help/").text
    assert "It is available on: Pro and Business." in client.get("/help/").text

    login(make_user(Role.STAFF))
    starter_id = 1
    form = _plan_table_form(db)
    form[f"g_{starter_id}_workshops"] = 1
    assert client.post("/staff/plans", data=form).status_code == 302

    login(member)
    page = client.get("/help/").text
    assert "It is available on" not in page.split("Live online workshops")[1].split("</li>")[0]

    # A bad number is shown beside its box; nothing is saved.
    login(make_user(Role.STAFF))
    form[f"g_{starter_id}_chat"] = 0
    r = client.post("/staff/plans", data=form)
    assert r.status_code == 200 and f'id="g_{starter_id}_chat-error"' in r.text
    assert (
        db.session.scalar(
            sa.select(PlanChannel).where(
                PlanChannel.plan_id == starter_id, PlanChannel.channel == "chat"
            )
        )
        is None
    )


def _plan_table_form(db) -> dict:
    """What the plan table's form holds today: every grant and every plan's terms."""
    from academy.accounts.models import Plan
    from academy.scheduling.policy import PLAN_SETTINGS

    form = {
        f"g_{g.plan_id}_{g.channel}": g.min_seats
        for g in db.session.scalars(sa.select(PlanChannel))
    }
    for plan in db.session.scalars(sa.select(Plan)):
        for setting in PLAN_SETTINGS:
            form[f"t_{plan.id}_{setting.key}"] = plan.terms.get(setting.key, setting.default)
    return form


def test_r15_staff_set_the_penalty_per_plan(client, db, login, make_user):
    from academy.accounts.models import Plan

    login(make_user(Role.STAFF))
    form = _plan_table_form(db)
    form |= {
        "t_1_noshow_penalty": "fee",
        "t_1_noshow_fee": 75,
        "t_2_noshow_penalty": "cooldown",
        "t_2_noshow_fee": 0,
        "t_3_noshow_penalty": "fee",
        "t_3_noshow_fee": 120,
    }
    assert client.post("/staff/plans", data=form).status_code == 302
    db.session.expire_all()
    plans = {
        p.code: (p.terms["noshow_penalty"], p.terms["noshow_fee"])
        for p in db.session.scalars(sa.select(Plan))
    }
    assert plans == {"starter": ("fee", 75), "pro": ("cooldown", 0), "business": ("fee", 120)}
    bad = client.post("/staff/plans", data={**form, "t_1_noshow_fee": "-3"})
    assert 'id="t_1_noshow_fee-error"' in bad.text


def test_48_hours_notice_for_the_starter_plan_is_one_edit_of_the_plan_table(
    app, client, db, login, make_user, make_host, clock
):
    """Issue 14: a plan's figures of the terms are data. Staff set the Starter plan's notice
    to 48 hours (and give it 1:1 sessions) on the plan table; its clients' pages, emails,
    the terms page and the R10 rule itself follow, while other plans keep 24."""
    from datetime import UTC, datetime, timedelta

    from academy.accounts.models import Plan
    from academy.notifications.models import OutboxMessage
    from academy.scheduling import bookings, services
    from academy.scheduling.models import Offering
    from tests.fixtures.app import request_context

    host = make_host()
    login(make_user(Role.STAFF))
    form = _plan_table_form(db)
    starter = db.session.scalar(sa.select(Plan).where(Plan.code == "starter"))
    form[f"t_{starter.id}_notice_hours"] = 48
    form[f"g_{starter.id}_sessions"] = 1
    assert client.post("/staff/plans", data=form).status_code == 302

    member, other = make_user(plan="starter", seats=1), make_user(plan="business")
    login(member)
    assert "up to 48 hours before it starts" in client.get("/sessions/").text
    assert "at least 48 hours before the start" in client.get("/terms").text
    start = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)  # 45 hours from the frozen now
    quick = db.session.scalar(sa.select(Offering).where(Offering.slug == "quick-assist"))
    with request_context(app):
        booking = services.book_one_on_one(member, quick, host.id, start)
    [mail] = db.session.scalars(
        sa.select(OutboxMessage.body_text).where(
            OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "booking_confirmed"
        )
    ).all()
    assert "less than 48 hours before the start" in mail
    assert bookings.preview_change(booking).late  # 45 hours is late on this plan (R10)
    cancel = client.get(f"/sessions/bookings/{booking.id}/cancel").text
    assert "Less than 48 hours before the start, this change counts as a no-show" in cancel

    login(other)
    assert "up to 24 hours before it starts" in client.get("/sessions/").text
    with request_context(app):
        theirs = services.book_one_on_one(other, quick, host.id, start + timedelta(hours=1))
    assert not bookings.preview_change(theirs).late
