"""The chat's changes attacked with real concurrent HTTP requests against the live server
(a double click, two staff at once): one thing happens, nobody gets an error page."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from academy.chat.models import ChatConversation, ChatMessage, ChatStatus
from tests.live import at_once, login_cookie, post

PW = "race-password-1"
POOL = {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 20, "max_overflow": 20}}

pytestmark = pytest.mark.app_config(**POOL)


def _no_errors(results) -> None:
    assert all(r[0] in (200, 302, 303) for r in results), [r[0] for r in results]


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
