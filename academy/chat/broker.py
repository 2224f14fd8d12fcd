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
import os
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
    """Redis pub/sub: one pattern subscription and one thread per process. The connection
    and the thread start with the first stream in a process, so the app may be built before
    gunicorn forks its workers (`--preload`): each worker starts its own."""

    def __init__(self, url: str, prefix: str) -> None:
        super().__init__()
        self.url, self.prefix = url, f"{prefix}chat:"
        self._pid: int | None = None
        self._client: Any = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._ready = threading.Event()

    @property
    def redis(self) -> Any:
        if self._pid != os.getpid():  # built in the master, used in a forked worker
            import redis

            with self._start_lock:
                if self._pid != os.getpid():
                    self._client = redis.Redis.from_url(self.url, health_check_interval=30)
                    self._thread, self._pid = None, os.getpid()
        return self._client

    def subscribe(self, channel: str) -> Subscription:
        client = self.redis
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen, args=(client,), name="chat-broker", daemon=True
                )
                self._thread.start()
        # The first stream of a process waits for the subscription, so that nothing published
        # after its replay from the database can slip past it.
        self._ready.wait(timeout=3)
        return super().subscribe(channel)

    def _wake_all(self) -> None:
        with self._lock:
            channels = list(self._subs)
        for channel in channels:
            self._deliver(channel, {"type": "message"})

    def publish(self, channel: str, event: Event) -> None:
        try:
            self.redis.publish(self.prefix + channel, json.dumps(event))
        except Exception:  # Redis down: deliver here at least; the others catch up on reconnect
            log.exception("chat: publishing to Redis failed")
            self._deliver(channel, event)

    def _listen(self, client: Any) -> None:
        while not self._stop.is_set():
            pubsub = client.pubsub()
            try:
                pubsub.psubscribe(self.prefix + "*")
                while not self._stop.is_set():
                    item = pubsub.get_message(timeout=1.0)
                    if item is None:
                        continue
                    if item.get("type") == "psubscribe":
                        # The server's confirmation: the first, or after a reconnect (here, or
                        # the client's own, which subscribes again by itself). Events published
                        # while the connection was down are lost: every stream of this process
                        # wakes up and reads what it missed from the database.
                        self._ready.set()
                        self._wake_all()
                        continue
                    if item.get("type") != "pmessage":
                        continue
                    channel = item["channel"].decode()[len(self.prefix) :]
                    self._deliver(channel, json.loads(item["data"]))
            except Exception:
                if self._stop.is_set():
                    break
                log.exception("chat: Redis subscription lost; retrying")
                time.sleep(1)  # then subscribe again, and wake every stream (above)
            finally:
                with contextlib.suppress(Exception):  # closing a dead connection
                    pubsub.close()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
        if self._client is not None:
            self._client.close()


def init_broker(app: Flask) -> None:
    url = app.config.get("REDIS_URL") or ""
    broker = RedisBroker(url, app.config["CHAT_KEY_PREFIX"]) if url else Broker()
    app.extensions["chat_broker"] = broker


def broker() -> Broker:
    return current_app.extensions["chat_broker"]


def channel_of(conversation_id: int) -> str:
    return f"c{conversation_id}"


STAFF = "staff"  # the queue changed: every console reloads its list
