"""The chat's changes attacked with real concurrent HTTP requests against the live server
(a double click, two staff at once): one thing happens, nobody gets an error page."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest
import sqlalchemy as sa

from academy.chat import services
from academy.chat.models import ChatConversation, ChatMessage, ChatStatus, StaffPresence
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.notifications.models import OutboxMessage
from tests.live import at_once, login_cookie, post, request

PW = "race-password-1"
MEMBER_PW = "correct-horse-1"  # the `member` fixture's (make_user's default)
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


# --- Ending, rating, a message at the end, a hand-over, presence (POLICY R1, R17) ----------


def _lines(db, conv_id: int) -> list[ChatMessage]:
    return db.session.scalars(
        sa.select(ChatMessage)
        .where(ChatMessage.conversation_id == conv_id)
        .order_by(ChatMessage.id)
    ).all()


def _transcripts(db, conv_id: int) -> list[OutboxMessage]:
    return db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.dedupe_key == f"chat-transcript-{conv_id}")
    ).all()


def _ended_once(db, conv_id: int, by: tuple[str, ...]) -> ChatConversation:
    """Ended, once: one "ended" line, the last line, and one transcript in the outbox."""
    db.session.expire_all()
    conv = db.session.get(ChatConversation, conv_id)
    assert conv.status == ChatStatus.ENDED and conv.ended_by in by
    assert conv.transcript_sent_at is not None
    lines = _lines(db, conv_id)
    assert [m.kind for m in lines].count("ended") == 1 and lines[-1].kind == "ended"
    assert lines[-1].body == conv.ended_by
    assert len(_transcripts(db, conv_id)) == 1
    return conv


def _active(db, live_server, make_user, member, start):
    """A conversation taken by a staff member, with the cookies of its client and its staff."""
    agent = make_user("staff", name="Ioana Staff", password=PW)
    services.set_presence(agent, True)
    conv = start(member).conversation
    assert services.take(conv, agent)
    cookies = [
        login_cookie(live_server, u.email, pw) for u, pw in ((member, MEMBER_PW), (agent, PW))
    ]
    return conv, agent, *cookies


@pytest.mark.parametrize("who", ["client", "staff"])
def test_a_double_clicked_end_ends_once_with_one_transcript(
    db, live_server, make_user, member, start, who
):
    conv, _, client_cookie, staff_cookie = _active(db, live_server, make_user, member, start)
    cookie = client_cookie if who == "client" else staff_cookie
    path = f"/chat/{conv.id}/end"

    results = at_once([lambda: post(live_server, path, {}, cookie) for _ in range(2)])

    _no_errors(results)
    _ended_once(db, conv.id, (who,))


def test_the_client_and_the_staff_ending_at_once_end_it_once(
    db, live_server, make_user, member, start
):
    conv, _, client_cookie, staff_cookie = _active(db, live_server, make_user, member, start)
    path = f"/chat/{conv.id}/end"

    results = at_once(
        [lambda c=c: post(live_server, path, {}, c) for c in (client_cookie, staff_cookie)]
    )

    _no_errors(results)
    _ended_once(db, conv.id, ("client", "staff"))


def test_a_double_clicked_rating_stores_one_and_tells_the_other(
    db, live_server, make_user, member, start
):
    """POLICY R17: one feedback row of kind chat; the second click is told it is rated."""
    conv, _, client_cookie, _ = _active(db, live_server, make_user, member, start)
    assert post(live_server, f"/chat/{conv.id}/end", {}, client_cookie)[0] == 302
    path = f"/chat/{conv.id}/rating"
    form = {"rating": "4", "comment": "Quick and clear"}

    results = at_once([lambda: post(live_server, path, form, client_cookie) for _ in range(2)])

    _no_errors(results)
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(FeedbackItem).where(
            FeedbackItem.kind == FeedbackKind.CHAT, FeedbackItem.user_id == member.id
        )
    ).all()
    assert len(rows) == 1 and rows[0].rating == 4
    assert db.session.get(ChatConversation, conv.id).feedback_id == rows[0].id
    said = sorted(
        "already" if "You have rated this conversation already." in page else "thanks"
        for page in (_said(live_server, client_cookie, r) for r in results)
        if "already" in page or "Thank you for your rating." in page
    )
    assert said == ["already", "thanks"]


@pytest.mark.parametrize("ender", ["client", "staff"])
def test_a_message_posted_as_the_chat_ends_is_before_the_end_or_refused(
    db, live_server, make_user, member, start, ender
):
    """Never a message after the "ended" line: stored before it, and in the transcript, or
    refused (the client is told the conversation has ended)."""
    conv, _, client_cookie, staff_cookie = _active(db, live_server, make_user, member, start)
    end_cookie = client_cookie if ender == "client" else staff_cookie
    body = "One more thing about the invoice"

    results = at_once(
        [
            lambda: post(live_server, f"/chat/{conv.id}/messages", {"body": body}, client_cookie),
            lambda: post(live_server, f"/chat/{conv.id}/end", {}, end_cookie),
        ]
    )

    _no_errors(results)
    _ended_once(db, conv.id, (ender,))
    lines = _lines(db, conv.id)
    late = [i for i, m in enumerate(lines) if m.kind == "text" and m.body == body]
    transcript = _transcripts(db, conv.id)[0]
    if late:
        assert late == [len(lines) - 2]  # right before the "ended" line
        assert body in transcript.body_text
    else:
        assert body not in transcript.body_text
        assert "This conversation has ended." in _said(live_server, client_cookie, results[0])


def test_a_hand_over_and_a_take_at_once_leave_one_consistent_assignee(
    db, live_server, make_user, member, start
):
    """A hands the waiting chat routed to them to C while B takes it from the queue: whoever
    comes second wins, the lines tell the same story, and nobody gets an error page."""
    a = make_user("staff", name="Ioana Staff", password=PW)
    b = make_user("staff", name="Mihai Staff", password=PW)
    c = make_user("staff", name="Elena Staff", password=PW)
    services.set_presence(a, True)
    conv = start(member).conversation
    assert conv.assignee_id == a.id
    ca, cb = (login_cookie(live_server, s.email, PW) for s in (a, b))
    base = f"/staff/chat/{conv.id}"

    results = at_once(
        [
            lambda: post(live_server, f"{base}/transfer", {"to": str(c.id)}, ca),
            lambda: post(live_server, f"{base}/take", {}, cb),
        ]
    )

    _no_errors(results)
    db.session.expire_all()
    after = db.session.get(ChatConversation, conv.id)
    assert after.status == ChatStatus.ACTIVE and after.assignee_id in (b.id, c.id)
    lines = [m for m in _lines(db, conv.id) if m.kind in ("joined", "handed")]
    assert [(m.kind, m.author_id) for m in lines if m.kind == "joined"] == [("joined", b.id)]
    assert [(m.author_id, m.body) for m in lines if m.kind == "handed"] == [(a.id, c.name)]
    last = lines[-1]
    named = {"joined": {b.name: b.id}, "handed": {c.name: c.id}}[last.kind]
    assert named[last.body] == after.assignee_id  # the last line names who has it


@pytest.mark.parametrize("values", [("1",) * 4, ("1", "0") * 2])
def test_presence_set_twice_at_once_keeps_one_row(db, live_server, make_user, values):
    """A staff member's first Available, clicked again and again (or in two tabs): one
    presence row, set to one of the values, and no error page (it was a 500 on PostgreSQL:
    both requests inserted the first row)."""
    agent = make_user("staff", name="Ioana Staff", password=PW)
    cookie = login_cookie(live_server, agent.email, PW)

    results = at_once(
        [
            lambda v=v: post(live_server, "/staff/chat/presence", {"available": v}, cookie)
            for v in values
        ]
    )

    _no_errors(results)
    db.session.expire_all()
    rows = db.session.scalars(
        sa.select(StaffPresence).where(StaffPresence.user_id == agent.id)
    ).all()
    assert len(rows) == 1
    assert rows[0].available in {v == "1" for v in values}
