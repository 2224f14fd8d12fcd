"""The outbox dispatcher: retried never dropped, each message sent once, even with two running."""

import email
import email.policy
import re
import threading
from datetime import timedelta

import sqlalchemy as sa

from academy.notifications.dispatcher import dispatch_due
from academy.notifications.models import DispatcherBeat, OutboxMessage, OutboxStatus
from academy.notifications.services import enqueue_email


def _queue(user, n=1, **kw):
    for i in range(n):
        enqueue_email(
            user,
            "test",
            "Reset your TaxDome Academy password",
            "password_reset",
            link=f"http://localhost/x/{i}",
            minutes=60,
            **kw,
        )


def test_failed_send_is_retried_with_backoff_then_sent(db, make_user, smtp, clock):
    user = make_user()
    _queue(user)
    db.session.commit()
    smtp.fail_next = 1
    result = dispatch_due()
    assert (result.sent, result.retried) == (0, 1)
    db.session.expire_all()
    msg = db.session.scalar(sa.select(OutboxMessage))
    assert msg.status == OutboxStatus.PENDING and msg.attempts == 1
    assert "451" in msg.last_error
    assert dispatch_due().sent == 0  # not due yet: backoff of one minute
    clock.advance(timedelta(minutes=1))
    assert dispatch_due().sent == 1
    db.session.refresh(msg)
    assert msg.status == OutboxStatus.SENT and msg.attempts == 2 and msg.last_error is None
    assert len(smtp.messages) == 1


def test_after_the_last_try_a_message_is_marked_failed_not_dropped(app, db, make_user, clock):
    app.config.update(
        MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False, OUTBOX_MAX_ATTEMPTS=3
    )  # nothing listens on port 1
    _queue(make_user())
    db.session.commit()
    for _ in range(3):
        dispatch_due()
        clock.advance(timedelta(hours=1))
    db.session.expire_all()
    msg = db.session.scalar(sa.select(OutboxMessage))
    assert msg.status == OutboxStatus.FAILED and msg.attempts == 3
    assert "ConnectionRefusedError" in msg.last_error


def test_future_messages_wait_until_due(db, make_user, smtp, clock):
    _queue(make_user(), due_at=clock.now() + timedelta(hours=2))
    db.session.commit()
    assert dispatch_due().sent == 0
    clock.advance(timedelta(hours=2))
    assert dispatch_due().sent == 1


def test_without_smtp_server_messages_become_eml_files(app, db, make_user, tmp_path):
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    user = make_user()
    _queue(user)
    db.session.commit()
    assert dispatch_due().sent == 1
    [path] = (tmp_path / "mail").glob("*.eml")
    parsed = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert parsed["To"] == user.email
    assert "Reset your TaxDome Academy password" in parsed["Subject"]


def test_two_dispatchers_at_once_send_each_message_exactly_once(app, db, make_user, smtp):
    user = make_user()
    _queue(user, n=60)
    db.session.commit()
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with app.app_context():
                barrier.wait()
                dispatch_due(batch=7)
                db.session.remove()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    links = [
        m.get_body(("plain",)).get_content().split("http://localhost/x/")[1].split()[0]
        for m in smtp.messages
    ]
    assert sorted(links, key=int) == [str(i) for i in range(60)]  # all sent, none twice
    statuses = db.session.scalars(sa.select(OutboxMessage.status)).all()
    assert set(statuses) == {OutboxStatus.SENT}


def test_a_claim_left_by_a_dead_dispatcher_is_taken_over(db, make_user, smtp, clock):
    _queue(make_user())
    db.session.commit()
    db.session.execute(
        sa.update(OutboxMessage).values(
            status=OutboxStatus.SENDING, claim_token="dead", claimed_at=clock.now()
        )
    )
    db.session.commit()
    assert dispatch_due().sent == 0
    clock.advance(timedelta(minutes=11))
    assert dispatch_due().sent == 1


def test_dispatch_command(app, db, make_user, smtp):
    _queue(make_user(), n=2)
    db.session.commit()
    r = app.test_cli_runner().invoke(args=["notifications", "dispatch"])
    assert r.exit_code == 0 and "sent 2" in r.output
    assert len(smtp.messages) == 2


def test_the_notification_log_says_whether_mail_is_flowing(
    app, db, client, login, make_user, clock
):
    login(make_user("staff"))
    assert "No dispatcher has completed a cycle yet" in client.get("/staff/notifications").text
    user = make_user()
    _queue(user, n=3)  # due now
    _queue(user, n=1, due_at=clock.now() + timedelta(hours=1))  # not yet due
    db.session.commit()
    ids = db.session.scalars(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)).all()
    db.session.execute(
        sa.update(OutboxMessage).where(OutboxMessage.id == ids[0]).values(status="failed")
    )
    db.session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == ids[1])
        .values(status="sending", claim_token="gone", claimed_at=clock.now() - timedelta(hours=1))
    )
    db.session.add(
        DispatcherBeat(name="worker-1:42", started_at=clock.now(), last_cycle_at=clock.now())
    )
    db.session.commit()
    html = client.get("/staff/notifications").text
    assert "The dispatcher last completed a cycle on Nov 25, 2026, 12:00" in html
    stats = re.findall(r'<p class="stat__value">(\d+)</p><p class="stat__label">([^<]+)', html)
    assert stats == [
        ("1", "Due now"),
        ("1", "Failed after every try"),
        ("1", "Stuck: claimed by a dispatcher that stopped"),
    ]
