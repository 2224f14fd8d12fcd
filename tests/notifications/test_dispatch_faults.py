"""The outbox's promises under faults (README, "Delivery guarantees").

* no duplicate without a crash, however slow the SMTP server: a live dispatcher keeps its
  claim, and another one never takes its rows over;
* after a crash mid-send, at most the one message in flight is sent again, with the same
  Message-ID;
* `dispatch --loop` rides out a database outage and sends everything once it is back;
* a reminder claimed by a dispatcher is not sent once its booking is cancelled (R8).

These tests run on the real clock (the dispatcher processes cannot share a frozen one).
"""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from academy.notifications.dispatcher import dispatch_due
from academy.notifications.models import DispatcherBeat, OutboxMessage, OutboxStatus
from academy.notifications.services import enqueue_email
from academy.scheduling import services
from tests.faults import TcpProxy, flask_process, sqlite_writer_lock
from tests.fixtures.app import request_context


def _queue(db, user, n: int, due=None) -> None:
    for i in range(n):
        enqueue_email(
            user,
            "test",
            "Reset your TaxDome Academy password",
            "password_reset",
            link=f"http://localhost/x/{i}",
            minutes=60,
            due_at=due,
        )
    db.session.commit()


def _env(database_url: str, smtp_port: int, tmp_path, **extra: object) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp_port),
        "MAIL_USE_TLS": "0",
        "SMS_FILE_DIR": str(tmp_path / "sms"),
        **{k: str(v) for k, v in extra.items()},
    }


def _wait(predicate, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def _statuses(db) -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(sa.select(OutboxMessage.status)).all())


def test_a_dispatcher_killed_mid_send_repeats_only_that_message_with_the_same_id(
    app, db, make_user, smtp, database_url, tmp_path
):
    _queue(db, make_user(), 5)
    smtp.stall_at = 3  # the 3rd message is received, then the server says nothing
    port = app.config["MAIL_PORT"]
    proc = flask_process(
        ["notifications", "dispatch", "--loop", "--interval", "0.2"],
        _env(database_url, port, tmp_path, OUTBOX_CLAIM_TIMEOUT=2),
    )
    try:
        assert smtp.stalled.wait(60), proc.stdout.read() if proc.poll() is not None else ""
        proc.send_signal(signal.SIGKILL)  # dies mid-send: no outcome recorded for the 3rd
        proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
    smtp.release.set()
    in_flight = smtp.message_ids()[2]

    app.config["OUTBOX_CLAIM_TIMEOUT"] = 2
    time.sleep(2.1)  # the dead dispatcher's claim goes stale
    assert dispatch_due().sent == 3  # the 3rd again, then the 4th and 5th

    ids = Counter(smtp.message_ids())
    assert len(ids) == 5  # nothing lost
    assert {i: n for i, n in ids.items() if n > 1} == {in_flight: 2}  # one repeat, same id
    assert _statuses(db) == {OutboxStatus.SENT: 5}


def _two_dispatchers(app, db) -> None:
    """One dispatcher sends what is due; a second one polls all along, every 0.1 s, and would
    take over any row whose claim went stale."""
    done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with app.app_context():
                dispatch_due()
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            done.set()

    def second() -> None:
        try:
            with app.app_context():
                time.sleep(0.1)  # let the first claim everything
                while not done.is_set():
                    dispatch_due()
                    time.sleep(0.1)
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []


def test_an_smtp_server_slower_than_the_claim_gets_each_message_once(app, db, make_user, smtp):
    """A batch outlives its claim timeout (2 s here; 12 messages at 0.3 s): the dispatcher
    renews its claim as it goes, so a second dispatcher polling all along takes nothing."""
    app.config["OUTBOX_CLAIM_TIMEOUT"] = 2
    _queue(db, make_user(), 12)
    smtp.delay = 0.3
    _two_dispatchers(app, db)
    ids = Counter(smtp.message_ids())
    assert len(ids) == 12 and set(ids.values()) == {1}
    assert _statuses(db) == {OutboxStatus.SENT: 12}


def test_one_send_longer_than_the_claim_is_not_taken_over(app, db, make_user, smtp):
    """One message whose send alone outlasts the claim timeout (3 s against 2 s): the claim is
    renewed during the send, not only between sends, so the second dispatcher waits."""
    app.config["OUTBOX_CLAIM_TIMEOUT"] = 2
    _queue(db, make_user(), 1)
    smtp.delay = 3
    _two_dispatchers(app, db)
    assert len(smtp.message_ids()) == 1
    assert _statuses(db) == {OutboxStatus.SENT: 1}


def test_the_loop_survives_the_database_going_away_and_sends_once_it_is_back(
    app, db, make_user, smtp, database_url, tmp_path
):
    user = make_user()
    port = app.config["MAIL_PORT"]
    proxy = None
    if database_url.startswith("sqlite"):
        url, extra = database_url, {"SQLITE_BUSY_TIMEOUT": "0.3"}
    else:
        proxy = TcpProxy("127.0.0.1", sa.engine.make_url(database_url).port or 5432)
        url, extra = proxy.url_for(database_url), {}
    proc = flask_process(
        ["notifications", "dispatch", "--loop", "--interval", "0.2"],
        _env(url, port, tmp_path, **extra),
    )
    try:

        def cycled() -> bool:
            db.session.expire_all()
            return db.session.scalar(sa.select(sa.func.count()).select_from(DispatcherBeat)) > 0

        _wait(cycled, 60, "a first dispatcher cycle")
        if proxy is not None:
            proxy.cut()
            _queue(db, user, 3)  # written directly: the dispatcher cannot see the database
            time.sleep(3)
        else:
            _queue(db, user, 3)
            with sqlite_writer_lock(database_url):  # every write of the dispatcher fails
                time.sleep(3)
        assert proc.poll() is None, "the dispatcher exited on a database error"
        assert smtp.messages == []
        if proxy is not None:
            proxy.restore()
        _wait(lambda: len(smtp.messages) >= 3, 60, "the messages after the database came back")
        time.sleep(0.5)
        assert sorted(Counter(smtp.message_ids()).values()) == [1, 1, 1]
        proc.send_signal(signal.SIGTERM)
        output, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)
        if proxy is not None:
            proxy.close()
    assert proc.returncode == 0  # stopped by the signal, cleanly
    assert "dispatch cycle failed" in output and "recovered" in output
    assert _statuses(db) == {OutboxStatus.SENT: 3}


FRI_9 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def test_a_reminder_claimed_by_a_dispatcher_is_not_sent_after_its_booking_is_cancelled(
    app, db, clock, make_host, make_user, book, smtp
):
    """POLICY R8: the dispatcher has claimed the 24-hour reminder and is busy with the message
    before it when the client cancels; at its turn the reminder is skipped."""
    client = make_user()
    booking = book(client, make_host(), FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=24))
    # A message due just before, first in the same batch, on which the server stalls.
    _queue(db, make_user(), 1, due=FRI_9 - timedelta(hours=25))
    smtp.stall_at = 2  # the confirmation goes first, then the stalled message
    worker = threading.Thread(target=lambda: _dispatch_in(app))
    worker.start()
    assert smtp.stalled.wait(30)
    sending = db.session.scalar(
        sa.select(sa.func.count(OutboxMessage.id)).where(
            OutboxMessage.booking_id == booking.id,
            OutboxMessage.kind == "booking_reminder",
            OutboxMessage.status == OutboxStatus.SENDING,
        )
    )
    assert sending == 1  # claimed, waiting its turn in the batch
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    smtp.release.set()
    worker.join(30)

    subjects = [str(m["Subject"]) for m in smtp.messages]
    assert not any(s.startswith("Reminder") for s in subjects), subjects
    reminders = db.session.scalars(
        sa.select(OutboxMessage.status).where(
            OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "booking_reminder"
        )
    ).all()
    assert set(reminders) == {OutboxStatus.CANCELLED}


def _dispatch_in(app) -> None:
    with app.app_context():
        dispatch_due()
        from academy.extensions import db

        db.session.remove()


def test_a_reminder_held_by_a_dead_dispatcher_is_withdrawn_by_a_cancel(
    app, db, clock, make_host, make_user, book, smtp
):
    client = make_user()
    booking = book(client, make_host(), FRI_9)
    clock.freeze(FRI_9 - timedelta(hours=24))
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.booking_id == booking.id, OutboxMessage.kind == "booking_reminder")
        .values(status=OutboxStatus.SENDING, claim_token="dead", claimed_at=clock.now())
    )
    db.session.commit()
    with request_context(app):
        services.cancel(booking, by=client, via="account")
    clock.advance(timedelta(minutes=11))  # the dead claim is stale: anything left is taken over
    dispatch_due()
    assert not any(str(m["Subject"]).startswith("Reminder") for m in smtp.messages)
