"""The chat's changes attacked with real concurrent HTTP requests against the live server
(a double click, two staff at once): one thing happens, nobody gets an error page."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from academy.chat import services
from academy.chat.models import ChatConversation, ChatMessage, ChatStatus
from tests.live import at_once, login_cookie, post, request

PW = "race-password-1"
POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}}

pytestmark = pytest.mark.app_config(**POOL)


def _no_errors(results) -> None:
    assert all(r[0] in (200, 302, 303) for r in results), [r[0] for r in results]


def _said(base: str, cookie: str, redirect: tuple) -> str:
    """The page a redirect leads to, with the flash message it set (in its session cookie)."""
    location, set_cookie = redirect[1], redirect[2]
    if set_cookie:
        cookie = f"session={SimpleCookie(set_cookie)['session'].value}"
    status, _, _, body = request(base, "GET", location.replace(base, ""), cookie=cookie)
    assert status == 200
    return body


def test_a_double_clicked_first_message_opens_one_conversation_with_both(
    db, live_server, make_user, staff
):
    me = make_user(name="Ana Client", password=PW)
    cookie = login_cookie(live_server, me.email, PW)

    results = at_once(
        [lambda b=b: post(live_server, "/chat/start", {"body": b}, cookie) for b in ("one", "two")]
    )

    _no_errors(results)
    db.session.expire_all()
    convs = db.session.scalars(
        sa.select(ChatConversation).where(ChatConversation.client_id == me.id)
    ).all()
    assert len(convs) == 1 and convs[0].status == ChatStatus.WAITING
    bodies = db.session.scalars(
        sa.select(ChatMessage.body).where(
            ChatMessage.conversation_id == convs[0].id, ChatMessage.kind == "text"
        )
    ).all()
    assert sorted(bodies) == ["one", "two"]


def _joined(db, conv_id: int) -> list[int]:
    return db.session.scalars(
        sa.select(ChatMessage.author_id).where(
            ChatMessage.conversation_id == conv_id, ChatMessage.kind == "joined"
        )
    ).all()


def test_two_staff_taking_the_same_waiting_chat_at_once_one_wins(
    db, live_server, make_user, member, start
):
    first = make_user("staff", name="Ioana Staff", password=PW)
    second = make_user("staff", name="Mihai Staff", password=PW)
    services.set_presence(first, True)
    conv = start(member).conversation
    cookies = [login_cookie(live_server, s.email, PW) for s in (first, second)]
    path = f"/staff/chat/{conv.id}/take"

    results = at_once([lambda c=c: post(live_server, path, {}, c) for c in cookies])

    _no_errors(results)
    db.session.expire_all()
    taken = db.session.get(ChatConversation, conv.id)
    assert taken.status == ChatStatus.ACTIVE
    assert _joined(db, conv.id) == [taken.assignee_id]  # one "joined" line, by the winner
    loser = results[[first.id, second.id].index(taken.assignee_id) ^ 1]
    assert loser[1].endswith("/staff/chat")
    winner_name = db.session.get(type(first), taken.assignee_id).name
    said = _said(live_server, cookies[[first.id, second.id].index(taken.assignee_id) ^ 1], loser)
    assert f"This conversation was already taken by {winner_name}." in said


def test_a_stale_take_does_not_steal_an_active_chat(db, live_server, make_user, member, start):
    """B's page showed the chat routed to A, waiting; A has taken it since: B's Take changes
    nothing, and B is told who has it. A's own second click adds no second "joined" line."""
    a = make_user("staff", name="Ioana Staff", password=PW)
    b = make_user("staff", name="Mihai Staff", password=PW)
    services.set_presence(a, True)
    conv = start(member).conversation
    assert conv.assignee_id == a.id
    ca, cb = (login_cookie(live_server, s.email, PW) for s in (a, b))
    path = f"/staff/chat/{conv.id}/take"
    page_form = {"status": "waiting", "assignee": str(a.id)}  # what both pages showed
    assert post(live_server, path, page_form, ca)[1].endswith(f"/staff/chat/{conv.id}")

    stale = post(live_server, path, page_form, cb)
    assert "This conversation was already taken by Ioana Staff." in _said(live_server, cb, stale)
    again = post(live_server, path, page_form, ca)
    assert again[1].endswith(f"/staff/chat/{conv.id}")

    db.session.expire_all()
    taken = db.session.get(ChatConversation, conv.id)
    assert (taken.assignee_id, taken.status) == (a.id, ChatStatus.ACTIVE)
    assert _joined(db, conv.id) == [a.id]
