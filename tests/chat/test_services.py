"""The chat's rules (POLICY R1): who may chat (R2, R5/R6), routing, the offline fallback (R3),
the end of a conversation (transcript once), ratings (R17) and evidence (R4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from academy.chat import services
from academy.chat.models import ChatConversation, ChatMessage, ChatStatus
from academy.conduct import services as conduct
from academy.conduct.models import Incident, IncidentCategory
from academy.core.errors import DomainError
from academy.feedback.models import FeedbackItem, FeedbackKind
from academy.notifications.models import OutboxMessage
from academy.support.models import SupportRequest
from tests.fixtures.app import request_context


def test_r1_r2_a_plan_without_chat_is_refused_with_its_reason(make_user, staff, start):
    starter = make_user(plan="starter")
    assert not services.chat_decision(starter)
    with pytest.raises(DomainError) as refused:
        start(starter)
    assert "plan" in refused.value.message.lower()
    assert not services.conversation_for(1, starter)


def test_r6_a_restricted_client_cannot_start(member, staff, start, db):
    _restrict(db, member, staff)
    with pytest.raises(DomainError) as refused:
        start(member)
    assert "restricted" in refused.value.message.lower()
    assert db.session.scalar(sa.select(sa.func.count(ChatConversation.id))) == 0


def test_only_the_client_and_staff_may_read_a_conversation(conversation, member, make_user, staff):
    other = make_user()
    assert services.conversation_for(conversation.id, member) is not None
    assert services.conversation_for(conversation.id, staff) is not None
    assert services.conversation_for(conversation.id, other) is None


def test_routing_goes_to_the_available_member_with_fewest_open(make_user, start, db):
    busy, free = make_user("staff", name="Busy"), make_user("staff", name="Free")
    away = make_user("staff", name="Away")
    for person in (busy, free):
        services.set_presence(person, True)
    services.set_presence(away, False)
    first = start(make_user()).conversation
    # Equal load: the lowest id; then the other one, who now has fewer.
    assert first.assignee_id == busy.id
    second = start(make_user()).conversation
    assert second.assignee_id == free.id
    services.end(first, busy, "staff")  # busy has none open now, free has one
    third = start(make_user()).conversation
    assert third.assignee_id == busy.id


def test_routing_skips_staff_outside_their_hours(make_user, clock, start):
    # 2026-11-25 10:00 UTC is a Wednesday, 12:00 in Bucharest.
    early = make_user("staff", name="Early", timezone="Europe/Bucharest")
    services.set_presence(early, True)
    services.set_hours(early, {2: (8 * 60, 11 * 60)})  # Wednesday 08:00-11:00 local
    assert services.online_staff() == []
    services.set_hours(early, {2: (11 * 60, 13 * 60)})
    assert services.online_staff() == [early.id]
    assert start(make_user()).conversation.assignee_id == early.id


def test_on_duty_reads_the_staff_members_own_zone():
    at = datetime(2026, 11, 25, 7, 30, tzinfo=UTC)  # Wednesday: 09:30 Bucharest, 02:30 NYC
    hours = [(2, 9 * 60, 17 * 60)]
    assert services.on_duty(hours, "Europe/Bucharest", at)
    assert not services.on_duty(hours, "America/New_York", at)
    assert services.on_duty([], "UTC", at)  # no hours set: presence alone decides


def test_r3_nobody_online_turns_the_message_into_a_support_request(member, start, db, clock):
    started = start(member, "Is anyone there?")
    assert started.conversation is None
    request = db.session.scalar(sa.select(SupportRequest))
    assert started.request.id == request.id and request.user_id == member.id
    assert request.first_response_due_at == clock.now() + timedelta(hours=24)
    assert db.session.scalar(sa.select(sa.func.count(ChatConversation.id))) == 0


def test_messages_are_stored_and_the_first_staff_answer_is_recorded(
    conversation, member, staff, app, db, clock
):
    clock.advance(timedelta(minutes=3))
    with request_context(app):
        services.post(conversation, staff, "Hi Ana, I am here.")
    db.session.refresh(conversation)
    assert conversation.status == ChatStatus.ACTIVE
    assert conversation.first_answer_at == clock.now()
    kinds = [m.kind for m in services.messages_after(conversation.id, 0)]
    assert kinds == ["text", "text", "joined"]
    with request_context(app), pytest.raises(DomainError):
        services.post(conversation, member, "x" * (services.BODY_MAX + 1))


def test_r6_a_restriction_ends_the_open_conversation(
    conversation, member, make_user, db, app, client, login
):
    reporter, reviewer = make_user("staff"), make_user("staff")
    with request_context(app):
        incident = conduct.report_incident(
            member, by=reporter, category=IncidentCategory.HARASSMENT, description="x"
        )
    login(reviewer)
    r = client.post(f"/staff/incidents/{incident.id}", data={"measure": "permanent", "reason": "y"})
    assert r.status_code == 302
    db.session.refresh(conversation)
    assert conversation.status == ChatStatus.ENDED and conversation.ended_by == "restriction"
    with request_context(app), pytest.raises(DomainError):
        services.post(conversation, member, "still here?")


def test_the_transcript_is_queued_once_in_the_clients_language(make_user, staff, start, app, db):
    client = make_user(language="ro")
    conv = start(client, "Bună ziua").conversation
    with request_context(app):
        assert services.end(conv, client, "client")
        assert not services.end(conv, staff, "staff")  # already ended: nothing again
    mails = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.kind == "chat_transcript")
    ).all()
    assert len(mails) == 1
    assert "Bună ziua" in mails[0].body_text
    assert mails[0].subject == "Conversația dumneavoastră cu echipa Customer Success"


def test_r17_the_rating_lands_in_feedback_as_kind_chat_once(conversation, member, app, db):
    with request_context(app):
        with pytest.raises(DomainError):
            services.rate(conversation, member, 5, "")  # not ended yet
        services.end(conversation, member, "client")
        item = services.rate(conversation, member, 4, "Quick and kind")
        with pytest.raises(DomainError):
            services.rate(conversation, member, 1, "again")
    assert item.kind == FeedbackKind.CHAT == "chat"
    rows = db.session.scalars(sa.select(FeedbackItem)).all()
    assert [(r.kind, r.rating, r.message, r.user_id) for r in rows] == [
        ("chat", 4, "Quick and kind", member.id)
    ]


def test_r4_a_message_becomes_incident_evidence_in_one_step(conversation, member, staff, app, db):
    message = db.session.scalar(sa.select(ChatMessage))
    with request_context(app):
        incident = services.report(
            message, by=staff, category=IncidentCategory.OFFENSIVE_LANGUAGE, description=""
        )
    stored = db.session.get(Incident, incident.id)
    assert stored.client_id == member.id
    assert stored.evidence_text == message.body
    assert stored.quoted_author == "Ana Client" and stored.quoted_at == message.created_at
    assert stored.chat_message_id == message.id


def test_staff_messages_are_not_evidence(conversation, staff, app, db):
    with request_context(app):
        services.post(conversation, staff, "Hello")
        mine = db.session.scalar(sa.select(ChatMessage).where(ChatMessage.from_staff))
        with pytest.raises(DomainError):
            services.report(mine, by=staff, category=IncidentCategory.OTHER, description="")


def test_transfer_goes_to_a_colleague_only(conversation, staff, member, make_user, app, db):
    colleague = make_user("staff", name="Colleague")
    with request_context(app):
        with pytest.raises(DomainError):
            services.transfer(conversation, staff, member)
        services.transfer(conversation, staff, colleague)
    db.session.refresh(conversation)
    assert conversation.assignee_id == colleague.id


def test_the_dashboard_counts_per_day_median_wait_and_ratings(
    conversation, member, staff, app, clock
):
    clock.advance(timedelta(minutes=4))
    with request_context(app):
        services.post(conversation, staff, "Here")
        services.end(conversation, staff, "staff")
        services.rate(conversation, member, 5, "")
        figures = services.stats("Europe/Bucharest")
    assert figures.total == 1 and sum(n for _, n in figures.days) == 1
    assert figures.median_wait.total_seconds() == 240
    assert figures.ratings == 1 and figures.average_rating == 5.0


def _restrict(db, member, staff):
    from academy.conduct.models import IncidentReview, Restriction

    incident = Incident(
        client_id=member.id, reported_by_id=staff.id, category="other", description="x"
    )
    db.session.add(incident)
    db.session.flush()
    review = IncidentReview(
        incident_id=incident.id, reviewer_id=staff.id, measure="permanent", reason="r"
    )
    db.session.add(review)
    db.session.flush()
    db.session.add(Restriction(user_id=member.id, review_id=review.id, permanent=True))
    db.session.commit()


def test_a_message_cannot_become_visible_before_an_earlier_one(
    conversation, member, staff, app, db
):
    """Nothing is lost: a stream that has read up to id n must never see a smaller id commit
    later. While an earlier message of the conversation is not committed (here: written, its
    transaction still open), the next one waits for it, so ids become visible in order
    (PostgreSQL: the row lock on the conversation; SQLite: one writer at a time)."""
    import threading
    import time

    conn = db.engine.connect()
    trans = conn.begin()
    conn.execute(
        sa.insert(ChatMessage).values(
            conversation_id=conversation.id,
            author_id=member.id,
            from_staff=False,
            kind="text",
            body="earlier",
            created_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        )
    )
    finished: list[float] = []

    def later() -> None:
        with app.app_context():
            conv = db.session.get(ChatConversation, conversation.id)
            services.post(conv, db.session.get(type(member), member.id), "later")
            finished.append(time.monotonic())
            db.session.remove()

    thread = threading.Thread(target=later)
    thread.start()
    time.sleep(0.5)
    committed = time.monotonic()
    trans.commit()
    conn.close()
    thread.join(timeout=20)
    assert finished and finished[0] > committed
    bodies = [m.body for m in services.messages_after(conversation.id, 0) if m.kind == "text"]
    assert bodies == ["Hello, I need help with invoices", "earlier", "later"]


def test_a_message_posted_as_the_conversation_ends_is_refused(conversation, member, app, db):
    """The end is being written (its transaction open) when the client's message arrives: the
    message waits for it, then is refused, never stored after the "ended" line."""
    import threading

    conn = db.engine.connect()
    trans = conn.begin()
    conn.execute(
        sa.update(ChatConversation)
        .where(ChatConversation.id == conversation.id)
        .values(status="ended", ended_by="staff")
    )
    outcome: list[str] = []

    def meanwhile() -> None:
        with app.app_context():
            conv = db.session.get(ChatConversation, conversation.id)
            try:
                services.post(conv, db.session.get(type(member), member.id), "too late")
                outcome.append("stored")
            except DomainError as error:
                outcome.append(str(error.message))
            db.session.remove()

    thread = threading.Thread(target=meanwhile)
    thread.start()
    thread.join(timeout=0.5)
    trans.commit()
    conn.close()
    thread.join(timeout=20)
    assert outcome == ["This conversation has ended."]
    bodies = [m.body for m in services.messages_after(conversation.id, 0)]
    assert "too late" not in bodies


def test_r5_r6_ending_the_firms_subscription_ends_every_open_chat_of_its_clients(
    member, make_user, start, staff, db, app, client, login
):
    colleague = make_user(name="Dan Colleague", firm=member.firm)
    outsider = make_user(name="Other Firm")
    mine, theirs, other = (start(u).conversation for u in (member, colleague, outsider))
    reporter, reviewer = make_user("staff"), make_user("staff")
    with request_context(app):
        incident = conduct.report_incident(
            member, by=reporter, category=IncidentCategory.HARASSMENT, description="x"
        )
    login(reviewer)
    r = client.post(
        f"/staff/incidents/{incident.id}", data={"measure": "end_subscription", "reason": "y"}
    )
    assert r.status_code == 302
    for conv in (mine, theirs, other):
        db.session.refresh(conv)
    assert (mine.status, mine.ended_by) == (ChatStatus.ENDED, "restriction")
    assert (theirs.status, theirs.ended_by) == (ChatStatus.ENDED, "restriction")
    assert other.status == ChatStatus.WAITING
