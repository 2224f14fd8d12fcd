"""The chat under gunicorn (issue 16): delivery latency between processes, and idle streams.

1. Latency. Two gunicorn servers (gthread, one worker each: two processes that share nothing
   but the database and Redis). A receiver holds the conversation's stream on the first; a
   sender POSTs messages to the second at --rate per second for --seconds. Each message carries
   its send time; the receiver notes when its event arrives. p50/p99 of send -> arrival, which
   covers the POST (stored, committed), Redis pub/sub, and the stream's read from the database.
2. Idle streams. One gunicorn server (2 workers, gthread with enough threads), --idle streams
   opened, one per conversation of its own client, held for --hold seconds; how many are still
   open and answering, and the resident memory (RSS) of the server's processes before and after.

Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/3; keys under bench-chat:<random>:).
The database is a throwaway SQLite file; BENCH_DATABASE_URL names another, which it EMPTIES.
Run: `make bench-chat`.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
SECRET = "bench-chat-secret"  # noqa: S105 - a throwaway app of the benchmark
TARGET_P99_MS = 150
TARGET_RATE = 100
TARGET_IDLE = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, env: dict[str, str], workers: int, threads: int, log: Path) -> None:
        self.port = free_port()
        self.log = log
        command = [
            sys.executable, "-m", "gunicorn", "-k", "gthread", "--threads", str(threads),
            "--workers", str(workers), "--worker-connections", str(threads * 2),
            "--bind", f"{HOST}:{self.port}", "--graceful-timeout", "3", "--log-level", "warning",
            "--backlog", "2048", "wsgi:app",
        ]  # fmt: skip
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                command, cwd=ROOT, env={**env, "BASE_URL": f"http://{HOST}:{self.port}"},
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log.read_text()}")
            with contextlib.suppress(OSError):
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            time.sleep(0.2)
        raise SystemExit("gunicorn did not answer")

    def pids(self) -> list[int]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        return [self.proc.pid, *map(int, children)]

    def rss_mb(self) -> float:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return total / 1024

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def prepare(url: str, conversations: int) -> dict[str, Any]:
    """Schema, a staff member, clients with an open conversation each; their session cookies
    are signed here as the login form would (no password hashing for a thousand clients)."""
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from academy import create_app
    from academy.accounts.models import Firm, Plan, Role, User
    from academy.accounts.sessions import AUTH_AT, SEEN_AT
    from academy.chat.models import ChatConversation, ChatMessage, StaffPresence
    from academy.core.clock import now
    from academy.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "REDIS_URL": ""})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":  # a throwaway database: emptied first
            with db.engine.begin() as conn:
                conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        upgrade(directory=str(ROOT / "migrations"))
        plan = db.session.scalar(db.select(Plan).where(Plan.code == "business"))
        firm = Firm(name="Bench firm", plan=plan, seats=3)
        staff = User(role=Role.STAFF, email="staff@bench.test", name="Staff", password_hash="x",  # noqa: S106
                     timezone="UTC", language="en")  # fmt: skip
        db.session.add_all([firm, staff])
        db.session.flush()
        db.session.add(StaffPresence(user_id=staff.id, available=True, updated_at=now()))
        at = now()
        db.session.execute(
            insert(User),
            [
                {"role": Role.CLIENT, "email": f"c{i}@bench.test", "name": f"Client {i}",
                 "password_hash": "x", "firm_id": firm.id, "timezone": "UTC",
                 "language": "en", "created_at": at}
                for i in range(conversations)
            ],
        )  # fmt: skip
        clients = db.session.scalars(db.select(User).where(User.role == Role.CLIENT)).all()
        db.session.execute(
            insert(ChatConversation),
            [{"client_id": c.id, "assignee_id": staff.id, "status": "active", "created_at": at,
              "ended_by": ""} for c in clients],
        )  # fmt: skip
        convs = db.session.execute(db.select(ChatConversation.id, ChatConversation.client_id)).all()
        db.session.execute(
            insert(ChatMessage),
            [{"conversation_id": cid, "author_id": uid, "from_staff": False, "kind": "text",
              "body": "hello", "created_at": at} for cid, uid in convs],
        )  # fmt: skip
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        stamp = int(time.time())

        def cookie(user: Any) -> str:
            data = {"_user_id": user.get_id(), "_fresh": True, AUTH_AT: stamp, SEEN_AT: stamp}
            return f"session={serializer.dumps(data)}"

        by_client = {c.id: c for c in clients}
        return {
            "staff": cookie(staff),
            "streams": [(cid, cookie(by_client[uid])) for cid, uid in convs],
        }


def open_stream(
    port: int, conversation: int, cookie: str, cursor: int = 0, timeout: float = 30
) -> socket.socket:
    """An EventSource's request; `cursor` as its Last-Event-ID (what it has seen already)."""
    sock = socket.create_connection((HOST, port), timeout=timeout)
    sock.sendall(
        (
            f"GET /chat/{conversation}/stream HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Cookie: {cookie}\r\nAccept: text/event-stream\r\nSec-Fetch-Site: same-origin\r\n"
            f"Last-Event-ID: {cursor}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("closed before the headers")
        head += chunk
    if not head.startswith(b"HTTP/1.1 200"):
        raise OSError(head.split(b"\r\n", 1)[0].decode())
    return sock


def csrf_token(port: int, cookie: str) -> tuple[str, str]:
    """A CSRF token and the session cookie that holds its secret (as a browser keeps it)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", "/staff/chat", headers={"Cookie": cookie})
    reply = conn.getresponse()
    page = reply.read().decode()
    fresh = reply.getheader("Set-Cookie") or ""
    conn.close()
    if fresh.startswith("session="):
        cookie = fresh.split(";", 1)[0]
    marker = 'name="csrf_token" value="'
    return page.split(marker, 1)[1].split('"', 1)[0], cookie


def latency(env: dict[str, str], data: dict[str, Any], rate: int, seconds: int, tmp: Path) -> None:
    receiver = Server(env, workers=1, threads=16, log=tmp / "receiver.log")
    sender = Server(env, workers=1, threads=16, log=tmp / "sender.log")
    try:
        receiver.wait()
        sender.wait()
        conversation, client_cookie = data["streams"][0]
        # Every seeded message is already seen: the stream carries only the new ones.
        sock = open_stream(receiver.port, conversation, client_cookie, len(data["streams"]))
        arrivals: dict[str, float] = {}
        done = threading.Event()

        def read() -> None:
            buffer = b""
            sock.settimeout(1)
            while not done.is_set():
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                got = time.time()
                buffer += chunk
                while b"\n\n" in buffer:
                    block, buffer = buffer.split(b"\n\n", 1)
                    for line in block.decode(errors="replace").splitlines():
                        if line.startswith("data: ") and '"bench ' in line:
                            arrivals[json.loads(line[6:])["body"].split()[1]] = got

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        token, staff_cookie = csrf_token(sender.port, data["staff"])
        errors: list[str] = []
        sent: dict[str, float] = {}
        total = rate * seconds
        lock = threading.Lock()
        counter = iter(range(total))
        start = time.monotonic()

        def send() -> None:
            conn = http.client.HTTPConnection(HOST, sender.port, timeout=30)
            for n in counter:
                delay = start + n / rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                key = f"m{n}"
                body = f"body=bench+{key}"
                with lock:
                    sent[key] = time.time()
                conn.request("POST", f"/chat/{conversation}/messages", body=body, headers={
                    "Cookie": staff_cookie, "X-CSRFToken": token, "Accept": "application/json",
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": f"http://{HOST}:{sender.port}",
                })  # fmt: skip
                reply = conn.getresponse()
                reply.read()
                if reply.status != 201:
                    errors.append(f"POST answered {reply.status}")
                    return
            conn.close()

        senders = [threading.Thread(target=send) for _ in range(8)]
        for t in senders:
            t.start()
        for t in senders:
            t.join()
        elapsed = time.monotonic() - start
        time.sleep(1)
        done.set()
        reader.join()
        sock.close()
        if errors:
            raise SystemExit(errors[0])
        waits = sorted((arrivals[k] - sent[k]) * 1000 for k in sent if k in arrivals)
        lost = len(sent) - len(waits)
        p50 = statistics.median(waits) if waits else float("nan")
        p99 = waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else float("nan")
        met = p99 < TARGET_P99_MS and not lost and len(sent) / elapsed >= rate * 0.95
        ok = "ok" if met else "MISS"
        print(
            f"delivery sender -> receiver on another process, {len(sent)} messages at "
            f"{len(sent) / elapsed:.0f}/s (target {TARGET_RATE}/s):"
        )
        print(f"  p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {waits[-1] if waits else 0:.1f} ms   "
              f"lost {lost}   target p99 < {TARGET_P99_MS} ms   {ok}")  # fmt: skip
    finally:
        receiver.stop()
        sender.stop()


def idle(env: dict[str, str], data: dict[str, Any], count: int, hold: int, tmp: Path) -> None:
    workers = 2
    # The kernel does not share connections out evenly between workers: each can hold them all.
    server = Server(env, workers=workers, threads=count + 50, log=tmp / "idle.log")
    try:
        server.wait()
        before = server.rss_mb()
        socks: list[socket.socket] = []
        failures = 0
        started = time.monotonic()
        for conversation, cookie in data["streams"][:count]:
            try:
                socks.append(open_stream(server.port, conversation, cookie, 10**9))
            except OSError as error:
                failures += 1
                if failures <= 3:
                    print(f"  a stream was refused: {error}", flush=True)
        opened = time.monotonic() - started
        time.sleep(hold)
        # Still open and answering: each has a keep-alive comment waiting (CHAT_KEEPALIVE_SECONDS).
        alive = 0
        for sock in socks:
            sock.settimeout(0.2)
            with contextlib.suppress(OSError):
                if sock.recv(65536):
                    alive += 1
        after = server.rss_mb()
        per = (after - before) * 1024 / max(len(socks), 1)
        ok = "ok" if alive >= TARGET_IDLE and count >= TARGET_IDLE else "MISS"
        print(
            f"idle streams on one server ({workers} gthread workers, {os.cpu_count()} cores): "
            f"{len(socks)} opened in {opened:.1f} s ({failures} refused), {alive} alive after "
            f"{hold} s   target {TARGET_IDLE}   {ok}"
        )
        print(f"  server RSS {before:.0f} MB before, {after:.0f} MB with them "
              f"({per:.0f} kB per open stream)")  # fmt: skip
        for sock in socks:
            sock.close()
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=int, default=TARGET_RATE, help="messages per second")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--idle", type=int, default=TARGET_IDLE, help="idle streams to open")
    parser.add_argument("--hold", type=int, default=5, help="seconds to hold them")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.idle * 2 + 200)), hard))
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/3")
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as name:
        tmp = Path(name)
        url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{tmp / 'chat.db'}")
        data = prepare(url, max(args.idle, 1))
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": url,
            "SECRET_KEY": SECRET,
            "REDIS_URL": redis_url,
            "CHAT_KEY_PREFIX": f"bench-chat:{uuid.uuid4().hex}:",
            "CHAT_KEEPALIVE_SECONDS": "2",
            "CHAT_MESSAGE_RATE_LIMIT": "100000 per minute",
            "TRUSTED_HOSTS": HOST,
            "SESSION_LIFETIME_HOURS": "0",
            "SESSION_IDLE_MINUTES": "0",
            "SESSION_IDLE_MINUTES_STAFF": "0",
            "HELP_VIEWS_FLUSH_SECONDS": "0",
            "MAIL_FILE_DIR": str(tmp / "mail"),
        }
        latency(env, data, args.rate, args.seconds, tmp)
        idle(env, data, args.idle, args.hold, tmp)


if __name__ == "__main__":
    main()
