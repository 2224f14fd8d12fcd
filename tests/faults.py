"""Real faults for tests: a database that goes away and comes back, a dispatcher process that
is killed, an SMTP server that stalls.

* PostgreSQL is reached through `TcpProxy`, which the test cuts (every connection dropped,
  new ones refused) and restores.
* SQLite is an embedded file: it does not "go away" under a running process, but another
  writer can hold its lock for longer than the app waits (`SQLITE_BUSY_TIMEOUT`), which gives
  every write "database is locked". `sqlite_writer_lock` holds such a lock.
"""

from __future__ import annotations

import os
import selectors
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent


class TcpProxy:
    """127.0.0.1:<port> forwarded to `target`; `cut()` drops everything until `restore()`."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._closed = False
        self._pairs: list[tuple[socket.socket, socket.socket]] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()  # the database is "down": refused at once
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._pairs.append((client, upstream))
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        sel = selectors.DefaultSelector()
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        try:
            while self._up.is_set():
                for key, _ in sel.select(timeout=0.2):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            sel.close()
            for s in (a, b):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                s.close()

    def cut(self) -> None:
        self._up.clear()
        with self._lock:
            pairs, self._pairs = self._pairs, []
        for a, b in pairs:
            for s in (a, b):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def restore(self) -> None:
        self._up.set()

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()

    def url_for(self, url: str) -> str:
        """`url` (a PostgreSQL URL) pointed at this proxy instead."""
        parts = urlsplit(url)
        userinfo = parts.netloc.rpartition("@")[0]
        netloc = f"{userinfo}@127.0.0.1:{self.port}" if userinfo else f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=netloc))


def sqlite_path(url: str) -> str:
    return url.split("sqlite:///", 1)[1]


@contextmanager
def sqlite_writer_lock(url: str) -> Iterator[None]:
    """Hold SQLite's write lock from another connection (as a long migration or backup would)."""
    conn = sqlite3.connect(sqlite_path(url), timeout=30, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")
        conn.close()


def flask_process(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """`flask --app wsgi <args>` as its own process, configured by environment variables."""
    full = {**os.environ, "FLASK_APP": "wsgi", "PYTHONUNBUFFERED": "1", **env}
    return subprocess.Popen(
        [sys.executable, "-m", "flask", *args],
        cwd=REPO,
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
