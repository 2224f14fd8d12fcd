"""POLICY R2 through the one check every booking page uses: can_use(user, channel)."""

from academy.accounts.models import Role
from academy.core.i18n import explain
from academy.scheduling.access import can_use
from academy.scheduling.policy import Channel


def test_r2_sessions_need_more_than_one_seat(make_user):
    assert not can_use(make_user(plan="business", seats=1), Channel.SESSIONS)
    assert can_use(make_user(plan="business", seats=2), Channel.SESSIONS)


def test_r2_refusal_names_what_would_grant_it(app, make_user):
    solo = can_use(make_user(plan="pro", seats=1), Channel.SESSIONS)
    assert solo.rule == "R2"
    assert explain(solo) == "Your firm's plan includes this for firms with 2 or more users."
    starter = can_use(make_user(plan="starter", seats=9), Channel.WORKSHOPS)
    assert (
        explain(starter)
        == "Your firm's plan does not include this. It is available on: Pro and Business."
    )


def test_r2_staff_may_use_every_channel(make_user):
    staff = make_user(Role.STAFF)
    assert all(can_use(staff, c) for c in Channel)


def test_home_page_lists_the_clients_channels(client, login, make_user):
    """POLICY R1: every support channel is listed; R2: which of them the firm's plan includes."""
    login(make_user(plan="starter", seats=1))
    html = client.get("/").text
    assert "Your support channels" in html
    assert html.count("channel--on") == 4 and html.count("channel--off") == 3
