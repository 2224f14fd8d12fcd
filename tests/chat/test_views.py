"""The chat's pages and endpoints: 404 for anyone else, CSRF, the rate limit, the stream's
replay after Last-Event-ID, the origin check, the refusals with their reasons (R2, R6)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from academy.chat import services
from academy.chat.models import ChatConversation, ChatMessage, ChatStatus
from academy.support.models import SupportRequest


def _events(response) -> list[dict]:
    """The `message` events of a finished stream (CHAT_STREAM_SECONDS=0: replay, then end)."""
    text = b"".join(response.response).decode()
    out = []
    for block in text.split("\n\n"):
        lines = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if lines.get("event") == "message":
            out.append({"id": int(lines["id"]), **json.loads(lines["data"])})
    return out


SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


def test_visitors_are_asked_to_log_in(client):
    r = client.get("/chat")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_r2_a_plan_without_chat_sees_why_and_the_inbox(client, login, make_user, staff):
    login(make_user(plan="starter"))
    page = client.get("/chat").text
    assert "The chat is not open to you" in page
    assert "/support/requests/new" in page
    assert 'action="/chat/start"' not in page


def test_the_chat_button_is_on_every_page_for_clients(client, login, member):
    login(member)
    assert 'class="chat-button button" href="/chat"' in client.get("/help/").text


@pytest.mark.app_config(CHAT_STREAM_SECONDS=0)
def test_a_conversation_flows_and_the_stream_replays_after_the_cursor(
    client, login, member, staff, db
):
    login(member)
    r = client.post("/chat/start", data={"body": "Hello <b>team</b> https://example.com/x"})
    assert r.status_code == 302
    conv = db.session.scalar(sa.select(ChatConversation))
    page = client.get("/chat").text
    assert f'data-stream="/chat/{conv.id}/stream"' in page and 'aria-live="polite"' in page
    r = client.post(
        f"/chat/{conv.id}/messages", data={"body": "Second"}, headers={"Accept": "application/json"}
    )
    assert r.status_code == 201
    second = r.get_json()["id"]
    events = _events(client.get(f"/chat/{conv.id}/stream", headers=SAME_ORIGIN))
    assert [e["body"] for e in events] == ["Hello <b>team</b> https://example.com/x", "Second"]
    # A reconnect sends the last id it saw: only what came after it.
    login(staff)
    client.post(f"/chat/{conv.id}/messages", data={"body": "Hi Ana"})
    login(member)
    again = client.get(
        f"/chat/{conv.id}/stream", headers={**SAME_ORIGIN, "Last-Event-ID": str(second)}
    )
    assert [(e["kind"], e["body"]) for e in _events(again)] == [
        ("text", "Hi Ana"),
        ("joined", "Ioana Staff"),
    ]


def test_the_stream_refuses_another_site(client, login, member, conversation):
    login(member)
    r = client.get(f"/chat/{conversation.id}/stream", headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403


def test_another_client_gets_404_everywhere(client, login, make_user, conversation):
    login(make_user())
    cid = conversation.id
    assert client.get(f"/chat/{cid}/stream", headers=SAME_ORIGIN).status_code == 404
    assert client.post(f"/chat/{cid}/messages", data={"body": "x"}).status_code == 404
    assert client.post(f"/chat/{cid}/typing").status_code == 404
    assert client.post(f"/chat/{cid}/end").status_code == 404
    assert client.post(f"/chat/{cid}/rating", data={"rating": "5"}).status_code == 404
    message = ChatMessage.query.first()
    assert client.get(f"/chat/files/{message.id}").status_code == 404
    assert client.get(f"/staff/chat/{cid}").status_code == 403


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_posts_need_the_csrf_token(client, login, member, conversation):
    login(member)
    r = client.post(f"/chat/{conversation.id}/messages", data={"body": "no token"})
    assert r.status_code == 400
    assert ChatMessage.query.count() == 1


@pytest.mark.app_config(RATELIMIT_ENABLED=True, CHAT_MESSAGE_RATE_LIMIT="3 per minute")
def test_messages_are_rate_limited_per_user(client, login, member, conversation):
    login(member)
    codes = [
        client.post(
            f"/chat/{conversation.id}/messages",
            data={"body": f"m{i}"},
            headers={"Accept": "application/json"},
        ).status_code
        for i in range(4)
    ]
    assert codes == [201, 201, 201, 429]


def test_r3_nobody_online_says_so_and_files_a_request(client, login, member):
    login(member)
    page = client.get("/chat").text
    assert "Nobody of the team is online now" in page
    r = client.post("/chat/start", data={"body": "Anyone?"}, follow_redirects=True)
    assert "your message is a support request. We answer within 24 hours" in r.text
    assert SupportRequest.query.one().user_id == member.id


def test_staff_console_shows_the_queue_with_firm_plan_and_standing(
    client, login, staff, conversation, member
):
    login(staff)
    page = client.get("/staff/chat").text
    assert "Ana Client" in page and "Business" in page and "0 no-shows" in page
    assert client.post(f"/staff/chat/{conversation.id}/take").status_code == 302
    page = client.get(f"/staff/chat/{conversation.id}").text
    assert 'data-report-url="/staff/chat/messages/0/incident"' in page


def test_staff_report_a_message_as_evidence_and_the_incident_quotes_it(
    client, login, staff, conversation
):
    login(staff)
    message = ChatMessage.query.first()
    r = client.post(
        f"/staff/chat/messages/{message.id}/incident",
        data={"category": "offensive_language", "description": "Rude"},
    )
    assert r.status_code == 302
    page = client.get(r.headers["Location"]).text
    assert "Hello, I need help with invoices" in page
    assert "Ana Client in a chat," in page


def test_the_inbox_dashboard_shows_chat_figures(client, login, staff, conversation):
    login(staff)
    page = client.get("/staff/inbox/dashboard").text
    assert "Conversations in the last 14 days" in page
    assert "Median wait for the first answer" in page


def test_staff_set_their_hours_and_presence(client, login, staff):
    login(staff)
    r = client.post("/staff/chat/hours", data={"start0": "09:00", "end0": "17:30"})
    assert r.status_code == 302
    assert 'value="17:30"' in client.get("/staff/chat/hours").text
    r = client.post("/staff/chat/hours", data={"start1": "18:00", "end1": "09:00"})
    assert "The end must be after the start." in r.text
    client.post("/staff/chat/presence", data={"available": "0"})
    assert "You are away" in client.get("/staff/chat").text


def test_the_console_runs_the_same_statements_for_1_and_30_waiting(
    client, login, staff, make_user, start, queries
):
    login(staff)
    start(make_user())
    client.get("/staff/chat")
    with queries() as few:
        client.get("/staff/chat")
    for _ in range(29):
        start(make_user())
    with queries() as many:
        page = client.get("/staff/chat").text
    assert page.count("Take the chat with") == 30
    assert many.count == few.count


@pytest.mark.app_config(WTF_CSRF_ENABLED=True)
def test_a_long_open_chat_page_gets_fresh_csrf_tokens(client, login, member, conversation):
    """A token lives an hour (WTF_CSRF_TIME_LIMIT); a chat page stays open longer: each JSON
    answer brings a fresh token, and the page can ask for one after a 400."""
    login(member)
    path = f"/chat/{conversation.id}/messages"
    refused = client.post(path, data={"body": "stale"}, headers={"Accept": "application/json"})
    assert refused.status_code == 400
    fresh = client.get("/chat/token")
    assert fresh.status_code == 200 and fresh.headers["Cache-Control"] == "no-store"
    headers = {"Accept": "application/json", "X-CSRFToken": fresh.get_json()["csrf_token"]}
    sent = client.post(path, data={"body": "again"}, headers=headers)
    assert sent.status_code == 201
    headers["X-CSRFToken"] = sent.get_json()["csrf_token"]
    assert client.post(path, data={"body": "next"}, headers=headers).status_code == 201
    assert [m.body for m in ChatMessage.query.order_by(ChatMessage.id)][-2:] == ["again", "next"]


def test_a_nul_byte_is_dropped_from_messages_ratings_and_incidents(
    client, login, member, staff, db
):
    """PostgreSQL refuses NUL in text: each text the chat takes is stored without it (no 500,
    on either database)."""
    from academy.conduct.models import Incident
    from academy.feedback.models import FeedbackItem

    login(member)
    assert client.post("/chat/start", data={"body": "Hel\x00lo"}).status_code == 302
    conv = services.open_conversation(member)
    r = client.post(
        f"/chat/{conv.id}/messages",
        data={"body": "ag\x00ain"},
        headers={"Accept": "application/json"},
    )
    assert r.status_code == 201 and r.get_json()["body"] == "again"
    login(staff)
    message = ChatMessage.query.order_by(ChatMessage.id).first()
    r = client.post(
        f"/staff/chat/messages/{message.id}/incident",
        data={"category": "offensive_language", "description": "Ru\x00de"},
    )
    assert r.status_code == 302
    client.post(f"/chat/{conv.id}/end")
    login(member)
    assert (
        client.post(
            f"/chat/{conv.id}/rating", data={"rating": "5", "comment": "Go\x00od"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert [m.body for m in ChatMessage.query.filter_by(kind="text").order_by(ChatMessage.id)] == [
        "Hello",
        "again",
    ]
    assert db.session.scalar(sa.select(Incident.description)) == "Rude"
    assert db.session.scalar(sa.select(FeedbackItem.message)) == "Good"


def test_an_ended_conversations_stream_replays_and_ends_without_subscribing(
    client, login, member, conversation
):
    from academy.chat.broker import broker

    login(member)
    client.post(f"/chat/{conversation.id}/end")
    r = client.get(f"/chat/{conversation.id}/stream", headers=SAME_ORIGIN)
    assert broker().subscribers() == 0  # nothing will come: no subscription, no thread held
    events = _events(r)
    assert [e["kind"] for e in events] == ["text", "ended"]
    # Everything seen: 204, which tells EventSource not to reconnect.
    after = client.get(
        f"/chat/{conversation.id}/stream",
        headers={**SAME_ORIGIN, "Last-Event-ID": str(events[-1]["id"])},
    )
    assert after.status_code == 204


@pytest.mark.app_config(RATELIMIT_ENABLED=True, CHAT_STREAM_RATE_LIMIT="2 per minute")
def test_streams_are_rate_limited_per_user(client, login, member, staff, conversation):
    login(member)
    path = f"/chat/{conversation.id}/stream"
    codes = []
    for _ in range(3):
        r = client.get(path, headers=SAME_ORIGIN)
        codes.append(r.status_code)
        r.close()
    assert codes == [200, 200, 429]
    login(staff)
    codes = []
    for _ in range(3):
        r = client.get("/staff/chat/stream", headers=SAME_ORIGIN)
        codes.append(r.status_code)
        r.close()
    assert codes == [200, 200, 429]


@pytest.mark.app_config(CHAT_STREAMS_PER_USER=2)
def test_a_user_holds_at_most_the_capped_number_of_open_streams(
    client, login, member, conversation, app
):
    from academy.chat.blueprint import open_streams

    login(member)
    path = f"/chat/{conversation.id}/stream"
    first, second = (client.get(path, headers=SAME_ORIGIN) for _ in range(2))
    assert (first.status_code, second.status_code) == (200, 200)
    assert client.get(path, headers=SAME_ORIGIN).status_code == 429
    first.close()  # a tab closed: its slot is free again
    third = client.get(path, headers=SAME_ORIGIN)
    assert third.status_code == 200
    second.close()
    third.close()
    with app.app_context():
        assert open_streams().count(str(member.id)) == 0


@pytest.mark.app_config(CHAT_STREAM_SECONDS=0)
def test_the_stream_reads_on_until_it_has_every_message(
    client, login, member, conversation, monkeypatch
):
    """A stream reads EVENTS_LIMIT messages per statement: with more waiting it reads again,
    open or ended, and misses none."""
    login(member)
    for i in range(4):
        client.post(f"/chat/{conversation.id}/messages", data={"body": f"m{i}"})
    monkeypatch.setattr(services, "EVENTS_LIMIT", 2)
    path = f"/chat/{conversation.id}/stream"
    bodies = [e["body"] for e in _events(client.get(path, headers=SAME_ORIGIN))]
    assert bodies == ["Hello, I need help with invoices", "m0", "m1", "m2", "m3"]
    client.post(f"/chat/{conversation.id}/end")
    events = _events(client.get(path, headers=SAME_ORIGIN))
    assert [e["body"] for e in events][:5] == bodies and events[-1]["kind"] == "ended"


def test_r3_a_waiting_chat_whose_team_went_away_becomes_a_support_request(
    client, login, member, staff, conversation, db
):
    login(member)
    client.post(f"/chat/{conversation.id}/messages", data={"body": "Still there?"})
    assert "data-chat-offline" not in client.get("/chat").text  # the team is online
    services.set_presence(staff, False)
    page = client.get("/chat").text
    assert "Nobody of the team is online now" in page
    assert f'action="/chat/{conversation.id}/request"' in page
    r = client.post(f"/chat/{conversation.id}/request")
    assert r.status_code == 302 and "/support/" in r.headers["Location"]
    filed = db.session.scalar(sa.select(SupportRequest))
    assert filed.user_id == member.id and filed.first_response_due_at is not None  # R3 clock
    page = client.get(r.headers["Location"]).text
    assert "Hello, I need help with invoices" in page and "Still there?" in page
    assert "so your message is a support request" in page
    db.session.refresh(conversation)
    assert conversation.status == ChatStatus.ENDED
    # Only once, and never for a conversation the team has taken.
    assert client.post(f"/chat/{conversation.id}/request").status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 1


def test_a_taken_chat_does_not_become_a_request(client, login, member, staff, conversation, db):
    login(staff)
    client.post(f"/staff/chat/{conversation.id}/take")
    services.set_presence(staff, False)
    login(member)
    assert "Send as a support request" not in client.get("/chat").text
    r = client.post(f"/chat/{conversation.id}/request")
    page = client.get(r.headers["Location"]).text
    assert "Someone of the team has joined: the conversation goes on." in page
    assert db.session.scalar(sa.select(sa.func.count(SupportRequest.id))) == 0


@pytest.mark.app_config(CHAT_STREAM_SECONDS=0)
def test_the_console_stream_announces_the_queue_on_connect(client, login, staff):
    """A console that reconnects reloads its queue at once (what changed meanwhile)."""
    login(staff)
    r = client.get("/staff/chat/stream", headers=SAME_ORIGIN)
    assert b"".join(r.response).decode().count("event: queue") == 1
