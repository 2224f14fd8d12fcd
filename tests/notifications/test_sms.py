"""The Twilio-style SMS provider against an HTTP server on loopback that speaks its API."""

import base64
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
import sqlalchemy as sa

from academy.notifications.channels import channel
from academy.notifications.dispatcher import dispatch_due
from academy.notifications.models import OutboxMessage, OutboxStatus
from tests.fixtures.app import request_context


@pytest.fixture
def sms_api(app):
    received: list[dict] = []
    answers: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            received.append(
                {
                    "path": self.path,
                    "auth": self.headers["Authorization"],
                    "form": {k: v[0] for k, v in parse_qs(body).items()},
                }
            )
            status = answers.pop(0) if answers else 201
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"sid": "SM1"}' if status < 300 else b'{"message": "down"}')

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.config.update(
        SMS_PROVIDER="twilio",
        SMS_API_URL=f"http://127.0.0.1:{server.server_port}",
        SMS_ACCOUNT_SID="AC123",
        SMS_AUTH_TOKEN="secret",
        SMS_FROM="+15550001",
    )
    yield received, answers
    server.shutdown()
    server.server_close()


def test_sms_is_sent_through_the_provider_api_and_retried_on_failure(
    app, db, make_user, sms_api, clock
):
    received, answers = sms_api
    user = make_user(phone="+40 721 000 111")
    with request_context(app):
        channel("sms").queue(
            user,
            "test",
            "booking_reminder",
            due_at=clock.now(),
            title="Quick assist",
            start=datetime(2026, 12, 1, 8, tzinfo=UTC),
            meeting_url="",
            links={"cancel": "http://x/c"},
        )
    db.session.commit()
    answers.append(503)
    assert dispatch_due().retried == 1
    clock.advance(timedelta(minutes=1))
    assert dispatch_due().sent == 1
    last = received[-1]
    assert last["path"] == "/Accounts/AC123/Messages.json"
    assert base64.b64decode(last["auth"].split()[1]) == b"AC123:secret"
    assert last["form"]["To"] == "+40 721 000 111" and last["form"]["From"] == "+15550001"
    assert "Quick assist" in last["form"]["Body"] and "http://x/c" in last["form"]["Body"]
    db.session.expire_all()
    msg = db.session.scalar(sa.select(OutboxMessage))
    assert msg.status == OutboxStatus.SENT and msg.attempts == 2


def test_no_sms_without_a_phone(app, db, make_user, clock):
    with request_context(app):
        assert channel("sms").queue(make_user(), "test", "booking_reminder") is None
