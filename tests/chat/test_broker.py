"""The broker: in memory with one process; through Redis pub/sub between processes (two apps
here stand for two gunicorn workers). Redis tests skip without a server, unless REQUIRE_REDIS=1."""

from __future__ import annotations

import os
import uuid

import pytest

from academy.chat.broker import Broker, RedisBroker
from tests.fixtures.app import require_or_skip
from tests.live import redis_answers

REDIS = os.environ.get("TEST_CHAT_REDIS_URL", "redis://127.0.0.1:6379/3")


def test_memory_broker_delivers_to_the_channels_subscribers_only():
    broker = Broker()
    one, other = broker.subscribe("c1"), broker.subscribe("c2")
    broker.publish("c1", {"type": "message"})
    assert one.get(timeout=0.1) == {"type": "message"}
    assert other.get(timeout=0.05) is None
    one.close()
    other.close()
    assert broker.subscribers() == 0


@pytest.fixture
def redis_url() -> str:
    if not redis_answers(REDIS):
        require_or_skip("REQUIRE_REDIS", f"Redis is not reachable at {REDIS}")
    return REDIS


def test_redis_broker_carries_an_event_from_one_process_to_another(redis_url):
    prefix = f"test16:{uuid.uuid4().hex}:"
    receiver, sender = RedisBroker(redis_url, prefix), RedisBroker(redis_url, prefix)
    try:
        sub = receiver.subscribe("c7")
        sender.publish("c7", {"type": "message"})
        sender.publish("c8", {"type": "message"})  # another conversation: not for this stream
        assert sub.get(timeout=3) == {"type": "message"}
        assert sub.get(timeout=0.3) is None
        sub.close()
    finally:
        receiver.close()
        sender.close()


@pytest.mark.app_config(CHAT_STREAM_SECONDS=3, CHAT_KEEPALIVE_SECONDS=0.2)
def test_an_open_stream_gets_a_message_posted_after_it_connected(
    app, client, login, member, conversation, staff
):
    """The stream wakes on the broker's event and reads the new message from the database."""
    import threading

    login(member)
    response = client.get(
        f"/chat/{conversation.id}/stream", headers={"Sec-Fetch-Site": "same-origin"}
    )
    chunks = iter(response.response)
    seen: list[str] = []
    first = next(chunks)  # retry:
    seen.append(first.decode() if isinstance(first, bytes) else first)
    seen.append(next(chunks).decode())  # the replay: the client's first message
    from academy.chat import services
    from tests.fixtures.app import request_context

    def later() -> None:
        with app.app_context(), request_context(app):
            from academy.extensions import db

            conv = db.session.get(type(conversation), conversation.id)
            services.post(conv, db.session.get(type(staff), staff.id), "Answer from staff")

    thread = threading.Thread(target=later)
    thread.start()
    thread.join()
    for chunk in chunks:
        text = chunk.decode() if isinstance(chunk, bytes) else chunk
        seen.append(text)
        if "Answer from staff" in text:
            break
    assert any("Answer from staff" in s for s in seen)


def test_after_a_lost_redis_subscription_every_local_stream_is_woken(redis_url):
    """Events published while the subscription was down are lost: once it is back, every
    stream of the process gets a wake-up and reads what it missed from the database."""
    import redis

    prefix = f"test16:{uuid.uuid4().hex}:"
    receiver, sender = RedisBroker(redis_url, prefix), RedisBroker(redis_url, prefix)
    client = receiver.redis
    made: list = []
    original = client.pubsub

    def capture(**kw):
        made.append(original(**kw))
        return made[-1]

    client.pubsub = capture
    admin = redis.Redis.from_url(redis_url)
    try:
        chat, console = receiver.subscribe("c7"), receiver.subscribe("staff")
        for sub in (chat, console):  # whatever came with the first subscription
            while sub.get(timeout=0.3) is not None:
                pass
        port = made[0].connection._sock.getsockname()[1]
        assert admin.client_kill(f"127.0.0.1:{port}")  # the server drops the subscription
        assert chat.get(timeout=10) == {"type": "message"}
        assert console.get(timeout=1) == {"type": "message"}
        sender.publish("c7", {"type": "typing", "from_staff": True, "name": "I"})
        assert chat.get(timeout=3) == {"type": "typing", "from_staff": True, "name": "I"}
        chat.close()
        console.close()
    finally:
        admin.close()
        receiver.close()
        sender.close()
