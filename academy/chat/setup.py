"""What the chat adds to the rest of the application when it is wired in (create_app)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from academy.chat import services
from academy.chat.broker import init_broker
from academy.conduct.services import restricted
from academy.support.blueprint import DASHBOARD_PANELS


def _end_chats(user_id: int, **_: Any) -> None:
    services.end_for_restricted(user_id)  # POLICY R6: a restriction ends an open chat


def install_chat(app: Flask) -> None:
    init_broker(app)
    # The signal is process-wide; connecting the same function again is a no-op.
    restricted.connect(_end_chats, weak=False)
    DASHBOARD_PANELS["chat"] = ("chat/_dashboard.html", services.stats)
