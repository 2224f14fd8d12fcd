"""The rows of the workshop listing and a workshop's page are kept rendered (core.caching),
under a key made of everything they show: they never lag behind a registration, and each
viewer gets their own places and their own CSRF token in the kept forms (issue 15)."""

import re

import pytest

from tests.fixtures.accounts import log_in

TOKEN = re.compile(
    r'action="(/workshops/dates/\d+/register)">\s*<input type="hidden" '
    r'name="csrf_token" value="([^"]+)"'
)


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
@pytest.mark.parametrize("page", ["listing", "workshop page"])
def test_kept_rows_follow_each_registration_and_carry_each_viewers_token(
    app, client, make_user, make_workshop, page
):
    occurrence = make_workshop(capacity=2, title="Recurring invoices")
    url = "/workshops/" if page == "listing" else f"/workshops/{occurrence.offering.slug}"
    ana, bob, cai = make_user(), make_user(), make_user()
    first, second, third = client, app.test_client(), app.test_client()
    for browser, user in [(first, ana), (second, bob), (third, cai)]:
        log_in(browser, user)

    before_a, before_b = first.get(url).text, second.get(url).text
    assert "2 seats left" in before_a and "2 seats left" in before_b
    [(action, token_a)] = TOKEN.findall(before_a)
    [(_action, token_b)] = TOKEN.findall(before_b)
    assert token_a != token_b  # the same kept rows, each session's own token

    # Ana registers with the token of her page; Bob's token is not hers.
    assert first.post(action, data={"csrf_token": token_b}).status_code == 400
    assert first.post(action, data={"csrf_token": token_a}).status_code == 302

    after_a, after_b = first.get(url).text, second.get(url).text
    assert "You are registered" in after_a and "1 seat left" in after_a
    assert "You are registered" not in after_b and "1 seat left" in after_b
    [(_action, token_b)] = TOKEN.findall(after_b)
    assert second.post(action, data={"csrf_token": token_b}).status_code == 302

    # Full now: Cai is offered the waitlist, and once on it sees his place.
    full = third.get(url).text
    assert "Full — join the waitlist" in full and "Join the waitlist" in full
    [(_action, token_c)] = TOKEN.findall(full)
    assert third.post(action, data={"csrf_token": token_c}).status_code == 302
    assert "Waitlist: number 1" in third.get(url).text
    assert "Waitlist: number 1" not in first.get(url).text
