"""People and a conversation for the chat's tests."""

from __future__ import annotations

from typing import Any

import pytest

from academy.chat import services
from tests.fixtures.app import request_context


@pytest.fixture
def staff(clock, make_user):
    """A staff member who is available (no hours set: available is enough)."""
    member = make_user("staff", name="Ioana Staff")
    services.set_presence(member, True)
    return member


@pytest.fixture
def member(make_user):
    return make_user(name="Ana Client", plan="business")


@pytest.fixture
def start(app):
    """start(user, body): the service as the widget's request runs it."""

    def do(user: Any, body: str = "Hello, I need help with invoices") -> services.Started:
        with request_context(app):
            return services.start(user, body)

    return do


@pytest.fixture
def conversation(staff, member, start):
    return start(member).conversation


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    """One process, in memory, even where the environment names a Redis (CI): the Redis
    broker has its own tests (test_broker.py, tests/browser/test_chat.py)."""
    return {**app_config, "REDIS_URL": ""}
