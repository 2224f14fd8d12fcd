"""Fan-out of chat events to the streams open in this process.

One broker per process. Without REDIS_URL (`make run`: one process) events go straight to the
local queues. With REDIS_URL they are published on Redis pub/sub and one subscriber thread
per process hands each to the local queues of that conversation, so a message posted to one
gunicorn worker reaches a stream held by another (or by another host).

Events only wake a stream up: every message is in the database before it is published, and
the stream reads what it has not sent yet from there, so a lost event loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
import time
from collections import defaultdict
from typing import Any

from flask import Flask, current_app

log = logging.getLogger(__name__)
Event = dict[str, Any]


class Subscription:
    def __init__(self, broker: Broker, channel: str) -> None:
        self.broker, self.channel = broker, channel
        self.queue: queue.Queue[Event] = queue.Queue(maxsize=1000)

    def get(self, timeout: float) -> Event | None:
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self) -> None:
        self.broker._remove(self)


class Broker:
    """In memory: the events of this process only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self, channel)
        with self._lock:
            self._subs[channel].add(sub)
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.channel)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.channel]

    def subscribers(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subs.values())

    def _deliver(self, channel: str, event: Event) -> None:
        with self._lock:
            targets = list(self._subs.get(channel, ()))
        for sub in targets:
            # A stuck stream's queue is full: it re-reads the database when it wakes anyway.
            with contextlib.suppress(queue.Full):
                sub.queue.put_nowait(event)

    def publish(self, channel: str, event: Event) -> None:
        self._deliver(channel, event)

    def close(self) -> None:
        pass


class RedisBroker(Broker):
    """Redis pub/sub: one pattern subscription and one thread per process."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        super().__init__()
        self.prefix = f"{prefix}chat:"
        self.redis = redis.Redis.from_url(url, health_check_interval=30)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="chat-broker", daemon=True)
        self._thread.start()

    def publish(self, channel: str, event: Event) -> None:
        try:
            self.redis.publish(self.prefix + channel, json.dumps(event))
        except Exception:  # Redis down: deliver here at least; the others catch up on reconnect
            log.exception("chat: publishing to Redis failed")
            self._deliver(channel, event)

    def _listen(self) -> None:
        while not self._stop.is_set():
            pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.prefix + "*")
                while not self._stop.is_set():
                    item = pubsub.get_message(timeout=1.0)
                    if item is None or item.get("type") != "pmessage":
                        continue
                    channel = item["channel"].decode()[len(self.prefix) :]
                    self._deliver(channel, json.loads(item["data"]))
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("chat: Redis subscription lost; retrying")
                # Every stream re-reads the database on the next event or keep-alive.
                time.sleep(1)
            finally:
                with contextlib.suppress(Exception):  # closing a dead connection
                    pubsub.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=3)
        self.redis.close()


def init_broker(app: Flask) -> None:
    url = app.config.get("REDIS_URL") or ""
    broker = RedisBroker(url, app.config["CHAT_KEY_PREFIX"]) if url else Broker()
    app.extensions["chat_broker"] = broker


def broker() -> Broker:
    return current_app.extensions["chat_broker"]


def channel_of(conversation_id: int) -> str:
    return f"c{conversation_id}"


STAFF = "staff"  # the queue changed: every console reloads its list
