"""A counting SMTP sink on loopback, in a process of its own (bench/dispatch.py starts it).

Its own process, because aiosmtpd's Controller runs an asyncio loop in a thread: inside the
benchmark's process that loop would share the GIL with the senders being timed, and slow each
of them by an amount that depends on thread scheduling rather than on the sender.

It accepts every message, prints its port as the first line on stdout, and then answers each
"take" line on stdin with one JSON line: the messages accepted since the last "take", how many
distinct Message-IDs they had and their size in bytes (the counts then restart from zero). It
stops at the end of stdin or on any other line. Standard library and aiosmtpd only, so that it
starts in a fraction of a second.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

HOST = "127.0.0.1"
_MESSAGE_ID = re.compile(rb"^Message-ID:[ \t]*(\S+)", re.IGNORECASE | re.MULTILINE)


class Inbox:
    """The aiosmtpd handler: counts what it accepts (in the Controller's loop thread)."""

    def __init__(self) -> None:
        self.messages = 0
        self.size = 0
        self.ids: set[bytes] = set()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        found = _MESSAGE_ID.search(content.split(b"\r\n\r\n", 1)[0])
        # A message without an ID still counts as one, and as distinct.
        self.ids.add(found.group(1) if found else b"<none-%d>" % self.messages)
        self.messages += 1
        self.size += len(content)
        return "250 OK"

    def take(self) -> dict[str, int]:
        """The counts so far, then zero. A sender has its 250 only after handle_DATA returned,
        so whatever a sender finished sending before asking is counted."""
        tally = {"messages": self.messages, "distinct_ids": len(self.ids), "size": self.size}
        self.messages, self.size, self.ids = 0, 0, set()
        return tally


def free_port() -> int:
    """A port nothing listens on now: the Controller does not accept port 0."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def main() -> int:
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # else a line per connection
    inbox = Inbox()
    controller = Controller(inbox, hostname=HOST, port=free_port())
    controller.start()
    try:
        print(controller.port, flush=True)
        for line in sys.stdin:
            if line.strip() != "take":
                break
            print(json.dumps(inbox.take()), flush=True)
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
